package io.finetune4j.framework.model;

import io.finetune4j.models.BertConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

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
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        Map<String, INDArray> w = new LinkedHashMap<>();
        long in = config.hiddenSize();
        if (head.hiddenSize() > 0) {
            w.put(DENSE + ".weight", Nd4j.randn(rng, new long[]{head.hiddenSize(), in}).castTo(dt).muli(0.02));
            w.put(DENSE + ".bias", Nd4j.zeros(dt, head.hiddenSize()));
            in = head.hiddenSize();
        }
        w.put(OUT + ".weight", Nd4j.randn(rng, new long[]{head.numLabels(), in}).castTo(dt).muli(0.02));
        w.put(OUT + ".bias", Nd4j.zeros(dt, head.numLabels()));
        return w;
    }
}
