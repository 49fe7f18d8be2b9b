package io.finetune4j.framework.model;

import io.finetune4j.models.BertConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Head parameter names (as in Hugging Face's RoBERTa classification head: {@code classifier.dense},
 * {@code classifier.out_proj}) and their seeded initialisation: normal(0, 0.02) weights and zero biases, as
 * BERT's {@code initializer_range}.
 */
public final class HeadWeights {
    public static final String DENSE = "classifier.dense";
    public static final String OUT = "classifier.out_proj";

    private HeadWeights() {
    }

    public static Map<String, INDArray> initialise(BertConfig config, HeadConfig head, long seed, DataType dt) {
        // java.util.Random, not ND4J's: a seeded ND4J Random gave different normal samples in every process
        // (M2.1; its uniform and Bernoulli samples do repeat), and a seed must fix the run across processes.
        Random rng = new Random(seed);
        Map<String, INDArray> w = new LinkedHashMap<>();
        long in = config.hiddenSize();
        if (head.hiddenSize() > 0) {
            w.put(DENSE + ".weight", normal(rng, head.hiddenSize(), in, 0.02, dt));
            w.put(DENSE + ".bias", Nd4j.zeros(dt, head.hiddenSize()));
            in = head.hiddenSize();
        }
        w.put(OUT + ".weight", normal(rng, head.numLabels(), in, 0.02, dt));
        w.put(OUT + ".bias", Nd4j.zeros(dt, head.numLabels()));
        return w;
    }

    private static INDArray normal(Random rng, long rows, long cols, double std, DataType dt) {
        double[] v = new double[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian() * std;
        return Nd4j.create(v, new long[]{rows, cols}, DataType.DOUBLE).castTo(dt);
    }
}
