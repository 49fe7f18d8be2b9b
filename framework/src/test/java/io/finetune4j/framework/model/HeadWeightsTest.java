package io.finetune4j.framework.model;

import io.finetune4j.framework.config.RunConfig.Activation;
import io.finetune4j.framework.config.RunConfig.HeadType;
import io.finetune4j.framework.config.RunConfig.Pooling;
import io.finetune4j.models.bert.BertConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The head's initial weights are a function of the seed alone, the same in every process: they are
 * java.util.Random's Gaussians (a specified sequence) times 0.02, biases 0 (Hugging Face's _init_weights). ND4J's
 * seeded normals were not: they differed from one JVM to the next on M2.1, and seeded runs did not reproduce across
 * processes.
 */
class HeadWeightsTest {
    static final BertConfig NO_POOLER = new BertConfig("bert", 100, 8, 1, 2, 16, 32, 2, 1e-12, "gelu", true, false);

    @Test
    void denseHeadWeightsAreJavaUtilRandomGaussiansOfTheSeed() {
        ClassifierHead head = new ClassifierHead(HeadType.DENSE, Pooling.CLS, 4, Activation.TANH, 0.1,
                List.of("a", "b", "c"), false);
        Map<String, INDArray> w = HeadWeights.initialise(NO_POOLER, head, 42, DataType.FLOAT);
        assertEquals(List.of("dense_head.dense.weight", "dense_head.dense.bias", "dense_head.out_proj.weight",
                "dense_head.out_proj.bias"), List.copyOf(w.keySet()));
        Random r = new Random(42);
        INDArray dense = w.get("dense_head.dense.weight"), out = w.get("dense_head.out_proj.weight");
        for (int i = 0; i < 4; i++) for (int j = 0; j < 8; j++) assertEquals((float) (r.nextGaussian() * 0.02), dense.getFloat(i, j), 0f);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) assertEquals((float) (r.nextGaussian() * 0.02), out.getFloat(i, j), 0f);
        assertEquals(0.0, w.get("dense_head.dense.bias").sumNumber().doubleValue(), 0.0);
        assertEquals(0.0, w.get("dense_head.out_proj.bias").sumNumber().doubleValue(), 0.0);
    }

    @Test
    void huggingFaceHeadsNameTheirTensorsAsTransformersDoes() {
        ClassifierHead hf = ClassifierHead.of(new io.finetune4j.framework.config.RunConfig.HeadArgs(null, null, null,
                null, null), NO_POOLER, List.of("a", "b"), false);
        assertEquals(0.1, hf.dropout(), 0.0, "classifier_dropout falls back to hidden_dropout_prob");
        // BERT without a pooler: a new pooler, then the classifier
        assertEquals(List.of("pooler.dense.weight", "pooler.dense.bias", "classifier.weight", "classifier.bias"),
                List.copyOf(HeadWeights.initialise(NO_POOLER, hf, 1, DataType.FLOAT).keySet()));
        assertEquals(List.of("classifier.weight", "classifier.bias"),
                List.copyOf(HeadWeights.initialise(NO_POOLER.withPooler(true), hf, 1, DataType.FLOAT).keySet()));
        BertConfig distil = NO_POOLER.withModelType(BertConfig.DISTILBERT);
        ClassifierHead d = ClassifierHead.of(new io.finetune4j.framework.config.RunConfig.HeadArgs(null, null, null,
                null, null), distil, List.of("a", "b"), false);
        assertEquals(0.2, d.dropout(), 0.0, "DistilBERT's seq_classif_dropout defaults to 0.2");
        Map<String, INDArray> w = HeadWeights.initialise(distil, d, 1, DataType.FLOAT);
        assertEquals(List.of("pre_classifier.weight", "pre_classifier.bias", "classifier.weight", "classifier.bias"),
                List.copyOf(w.keySet()));
        assertEquals(List.of(8L, 8L), List.of(w.get("pre_classifier.weight").shape()[0], w.get("pre_classifier.weight").shape()[1]));
        assertEquals(2, w.get("classifier.weight").shape()[0]);
    }
}
