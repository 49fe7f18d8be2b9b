package io.finetune4j.framework.model;

import io.finetune4j.models.BertConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The head's initial weights are a function of the seed alone, the same in every process: they are
 * java.util.Random's Gaussians (a specified sequence) times 0.02. ND4J's seeded normals were not: they differed
 * from one JVM to the next on M2.1, and seeded runs did not reproduce across processes.
 */
class HeadWeightsTest {
    @Test
    void initialWeightsAreJavaUtilRandomGaussiansOfTheSeed() {
        BertConfig config = new BertConfig("bert", 100, 8, 1, 2, 16, 32, 2, 1e-12, "gelu", true, false);
        HeadConfig head = new HeadConfig("cls", 4, "tanh", 0.1, List.of("a", "b", "c"), false);
        Map<String, INDArray> w = HeadWeights.initialise(config, head, 42, DataType.FLOAT);
        Random r = new Random(42);
        INDArray dense = w.get(HeadWeights.DENSE + ".weight"), out = w.get(HeadWeights.OUT + ".weight");
        for (int i = 0; i < 4; i++) for (int j = 0; j < 8; j++) assertEquals((float) (r.nextGaussian() * 0.02), dense.getFloat(i, j), 0f);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) assertEquals((float) (r.nextGaussian() * 0.02), out.getFloat(i, j), 0f);
        assertEquals(0.0, w.get(HeadWeights.DENSE + ".bias").sumNumber().doubleValue(), 0.0);
        assertEquals(0.0, w.get(HeadWeights.OUT + ".bias").sumNumber().doubleValue(), 0.0);
    }
}
