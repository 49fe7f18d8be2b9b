package io.finetune4j.framework.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fused float32 update and the array-op fallback both follow torch.optim.AdamW, written out here in doubles. */
class AdamWTest {
    static final double LR = 1e-3, WD = 0.01, B1 = 0.9, B2 = 0.999, EPS = 1e-8;

    @Test
    void matchesPyTorchAdamWForFloatParametersDecayedOrNot() {
        Random r = new Random(5);
        int n = 200_003;   // more than one chunk of the parallel loop, and not a multiple of it
        double[] p0 = gaussian(r, n);
        double[][] grads = {gaussian(r, n), gaussian(r, n), gaussian(r, n)};
        for (String name : new String[]{"layer.weight", "layer.bias"}) {
            INDArray p = Nd4j.create(p0, new long[]{n}, DataType.DOUBLE).castTo(DataType.FLOAT);
            AdamW opt = new AdamW(WD);
            for (double[] g : grads) {
                opt.step(Map.of(name, p), Map.of(name, Nd4j.create(g, new long[]{n}, DataType.DOUBLE).castTo(DataType.FLOAT)), LR);
            }
            double[] expected = reference(p0, grads, AdamW.decays(name));
            double[] got = p.toDoubleVector();
            for (int i = 0; i < n; i += 997) assertEquals(expected[i], got[i], 2e-6, name + " element " + i);
        }
    }

    @Test
    void aViewOfALargerArrayTakesTheArrayOpPathWithTheSameResult() {
        Random r = new Random(9);
        int n = 1000;
        double[] p0 = gaussian(r, n);
        double[][] grads = {gaussian(r, n), gaussian(r, n)};
        INDArray whole = Nd4j.create(DataType.FLOAT, 2, n);
        whole.getRow(1).assign(Nd4j.create(p0, new long[]{n}, DataType.DOUBLE).castTo(DataType.FLOAT));
        INDArray view = whole.get(NDArrayIndex.point(1), NDArrayIndex.all());
        AdamW opt = new AdamW(WD);
        for (double[] g : grads) {
            Map<String, INDArray> params = new HashMap<>(Map.of("w.weight", view));
            opt.step(params, Map.of("w.weight", Nd4j.create(g, new long[]{n}, DataType.DOUBLE).castTo(DataType.FLOAT)), LR);
        }
        double[] expected = reference(p0, grads, true);
        double[] got = whole.getRow(1).toDoubleVector();
        for (int i = 0; i < n; i++) assertEquals(expected[i], got[i], 2e-6, "element " + i);
        assertEquals(0.0, whole.getRow(0).sumNumber().doubleValue(), 0.0, "the rest of the array is untouched");
    }

    /** torch.optim.AdamW, step by step. */
    static double[] reference(double[] p0, double[][] grads, boolean decay) {
        double[] p = p0.clone(), m = new double[p.length], v = new double[p.length];
        for (int t = 1; t <= grads.length; t++) {
            double[] g = grads[t - 1];
            double bc1 = 1 - Math.pow(B1, t), bc2 = 1 - Math.pow(B2, t);
            for (int i = 0; i < p.length; i++) {
                if (decay) p[i] *= 1 - LR * WD;
                m[i] = B1 * m[i] + (1 - B1) * g[i];
                v[i] = B2 * v[i] + (1 - B2) * g[i] * g[i];
                p[i] -= LR / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + EPS);
            }
        }
        return p;
    }

    static double[] gaussian(Random r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextGaussian() * 0.1;
        return a;
    }
}
