package io.finetune4j.framework.model;

import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.BertNames;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * New weights for a head, initialised as Hugging Face's {@code _init_weights} does for a missing module: normal(0,
 * initializer_range = 0.02) weights and zero biases, drawn from the seed. BERT's head needs a pooler; a backbone
 * exported without one (MiniLM, bge) gets a new one, as {@code BertForSequenceClassification.from_pretrained} does.
 */
public final class HeadWeights {
    private HeadWeights() {
    }

    public static Map<String, INDArray> initialise(BertConfig config, ClassifierHead head, long seed, DataType dt) {
        // java.util.Random, not ND4J's: a seeded ND4J Random gave different normal samples in every process
        // (docs/dl4j-notes.md §2.4), and a seed must fix the run across processes.
        Random rng = new Random(seed);
        Map<String, INDArray> w = new LinkedHashMap<>();
        long h = config.hiddenSize();
        if (head.isHf() && !config.isDistilBert() && !config.hasPooler()) {
            linear(w, BertNames.BERT.pooler(), h, h, rng, dt);
        }
        long in = h;
        for (String layer : head.layers(config)) {
            boolean last = layer.equals(ClassifierHead.CLASSIFIER) || layer.equals(ClassifierHead.OUT_PROJ);
            long out = last ? head.numLabels() : layer.equals(ClassifierHead.DENSE) ? head.hiddenSize() : h;
            linear(w, layer, out, in, rng, dt);
            in = out;
        }
        return w;
    }

    private static void linear(Map<String, INDArray> w, String prefix, long out, long in, Random rng, DataType dt) {
        double[] v = new double[Math.toIntExact(out * in)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian() * BertConfig.INITIALIZER_RANGE;
        w.put(prefix + ".weight", Nd4j.create(v, new long[]{out, in}, DataType.DOUBLE).castTo(dt));
        w.put(prefix + ".bias", Nd4j.zeros(dt, out));
    }
}
