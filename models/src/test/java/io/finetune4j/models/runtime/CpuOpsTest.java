package io.finetune4j.models.runtime;

import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.BertInference;
import io.finetune4j.models.bert.BertModel;
import io.finetune4j.models.bert.BertNames;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link CpuOps} against {@link ReferenceOps}: every Java kernel against the same function built from M2.1's ops
 * (values and gradients, in float32, inside a SameDiff graph, so through the executioner proxy and the FlatBuffers
 * clone of the gradient function), and a whole float32 encoder in training mode built from each.
 */
class CpuOpsTest {

    @Test
    void erfAndItsDerivativeMatchDoublePrecision() {
        double maxErf = 0, maxExp = 0;
        for (int i = -60000; i <= 60000; i++) {
            double x = i * 1e-4;
            maxErf = Math.max(maxErf, Math.abs(KernelMath.erf((float) x) - erf(x)));
            double c = Math.max(-4, Math.min(4, x));
            maxExp = Math.max(maxExp, Math.abs(KernelMath.expMinusSquare((float) c) - Math.exp(-c * c)));
        }
        assertTrue(maxErf < 5e-7, "erf error " + maxErf);
        assertTrue(maxExp < 1e-6, "exp(-x²) error " + maxExp);
        assertEquals(1f, KernelMath.erf(30f));
        assertEquals(-1f, KernelMath.erf(-30f));
    }

    @Test
    void biasGeluAndItsGradientsMatchTheErfGraph() {
        assertTrue(CpuRuntime.enabled(DataType.FLOAT), "the CPU backend should run Java kernels");
        Nd4j.getRandom().setSeed(11);
        // 300 rows of 700: split over threads, and rows not a multiple of anything
        INDArray x = Nd4j.randn(DataType.FLOAT, 300, 700).muli(3.5f), b = Nd4j.randn(DataType.FLOAT, 700);
        INDArray r = Nd4j.randn(DataType.FLOAT, 300, 700);
        Map<String, INDArray> java = gelu(x, b, r, true), m21 = gelu(x, b, r, false);
        for (String v : new String[]{"y", "x", "b"}) {
            INDArray expected = m21.get(v), actual = java.get(v);
            assertArrayEquals(expected.shape(), actual.shape(), v);
            double scale = expected.amaxNumber().doubleValue(), diff = expected.sub(actual).amaxNumber().doubleValue();
            assertTrue(scale > 1, v + " should not be trivially small");
            assertTrue(diff < 2e-6 * scale, v + " differs by " + diff + " (largest " + scale + ")");
        }
    }

    @Test
    void layerNormAndItsGradientsMatchTheOpsGraph() {
        compareLayerNorm(false);
    }

    @Test
    void residualLayerNormWithBiasAndDropoutMaskMatchesTheOpsGraph() {
        compareLayerNorm(true);
    }

    private static void compareLayerNorm(boolean residual) {
        assertTrue(CpuRuntime.enabled(DataType.FLOAT));
        Nd4j.getRandom().setSeed(12);
        Map<String, INDArray> in = new java.util.LinkedHashMap<>();
        in.put("x", Nd4j.randn(DataType.FLOAT, 700, 96).muli(3f).addi(1.5f));   // 700 rows: split over threads
        in.put("gamma", Nd4j.randn(DataType.FLOAT, 96));
        in.put("beta", Nd4j.randn(DataType.FLOAT, 96));
        if (residual) {
            in.put("bias", Nd4j.randn(DataType.FLOAT, 96));
            in.put("residual", Nd4j.randn(DataType.FLOAT, 700, 96));
        }
        INDArray mask = Nd4j.rand(DataType.FLOAT, 700, 96).gt(0.2).castTo(DataType.FLOAT).muli(1.25f);
        INDArray r = Nd4j.randn(DataType.FLOAT, 700, 96);
        Map<String, INDArray> java = layerNorm(in, mask, r, true), ops = layerNorm(in, mask, r, false);
        for (String v : java.keySet()) {
            INDArray expected = ops.get(v), actual = java.get(v);
            assertArrayEquals(expected.shape(), actual.shape(), v);
            double scale = expected.amaxNumber().doubleValue(), diff = expected.sub(actual).amaxNumber().doubleValue();
            assertTrue(scale > 0.1, v + " should not be trivially small");
            assertTrue(diff < 2e-5 * scale, v + " differs by " + diff + " (largest " + scale + ")");
        }
        assertEquals(in.size() + 1, java.size());   // y and every input's gradient
    }

    /**
     * y = LayerNorm(x) or LayerNorm((x + bias) · mask + residual), loss = sum(y · r), eps 1e-5; returns y and the
     * gradients of every input.
     */
    private static Map<String, INDArray> layerNorm(Map<String, INDArray> in, INDArray mask, INDArray r, boolean java) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> v = new java.util.HashMap<>();
        in.forEach((k, a) -> v.put(k, sd.var(k, a.dup())));
        boolean residual = in.containsKey("residual");
        SDVariable m = sd.constant(mask), y;
        if (java) {
            y = residual ? new LayerNorm(sd, v.get("x"), v.get("bias"), m, v.get("residual"), v.get("gamma"),
                    v.get("beta"), 1e-5).outputVariable()
                    : new LayerNorm(sd, v.get("x"), null, null, null, v.get("gamma"), v.get("beta"), 1e-5).outputVariable();
        } else {
            SDVariable z = residual ? v.get("x").add(v.get("bias")).mul(m).add(v.get("residual")) : v.get("x");
            SDVariable centred = z.sub(z.mean(true, 1));
            y = centred.mul(sd.math.rsqrt(centred.mul(centred).mean(true, 1).add(1e-5))).mul(v.get("gamma"))
                    .add(v.get("beta"));
        }
        y.rename("y");
        sd.setLossVariables(y.mul(sd.constant(r)).sum("loss"));
        Map<String, INDArray> out = new java.util.HashMap<>(sd.calculateGradients(Map.of(), in.keySet()));
        out.put("y", sd.output(Map.of(), "y").get("y"));
        return out;
    }

    @Test
    void headSplitsAndMergeAndTheirGradientsMatchReshapeAndPermute() {
        assertTrue(CpuRuntime.enabled(DataType.FLOAT));
        int b = 3, t = 7, heads = 4, size = 5, h = heads * size;
        Nd4j.getRandom().setSeed(13);
        INDArray x = Nd4j.randn(DataType.FLOAT, b * t, h), bias = Nd4j.randn(DataType.FLOAT, h);
        INDArray like = Nd4j.zeros(DataType.FLOAT, b, 1, 1, t);
        INDArray r1 = Nd4j.randn(DataType.FLOAT, b, heads, t, size), r2 = Nd4j.randn(DataType.FLOAT, b, heads, size, t);
        INDArray r3 = Nd4j.randn(DataType.FLOAT, b * t, h);
        Map<String, INDArray> java = heads(x, bias, like, r1, r2, r3, true), ops = heads(x, bias, like, r1, r2, r3, false);
        for (String v : new String[]{"split", "splitT", "merged", "x", "bias"}) {
            INDArray expected = ops.get(v), actual = java.get(v);
            assertArrayEquals(expected.shape(), actual.shape(), v);
            double diff = expected.sub(actual).amaxNumber().doubleValue();
            assertTrue(diff < 1e-5 * expected.amaxNumber().doubleValue(), v + " differs by " + diff);
        }
    }

    /**
     * split = (x + bias)·0.5 as [B, heads, T, size], splitT the same as [B, heads, size, T], merged = merge(split);
     * loss = sum(split·r1) + sum(splitT·r2) + sum(merged·r3).
     */
    private static Map<String, INDArray> heads(INDArray x, INDArray bias, INDArray like, INDArray r1, INDArray r2,
                                               INDArray r3, boolean java) {
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x.dup()), bv = sd.var("bias", bias.dup()), lv = sd.constant(like);
        int b = (int) r1.size(0), heads = (int) r1.size(1), t = (int) r1.size(2), size = (int) r1.size(3);
        SDVariable split, splitT, merged;
        if (java) {
            split = new SplitHeads(sd, xv, bv, lv, heads, false, 0.5).outputVariable();
            splitT = new SplitHeads(sd, xv, bv, lv, heads, true, 0.5).outputVariable();
            merged = new MergeHeads(sd, split, heads, false, false, 1.0).outputVariable();
        } else {
            SDVariable y = sd.reshape(xv.add(bv).mul(0.5), b, t, heads, size);
            split = y.permute(0, 2, 1, 3);
            splitT = y.permute(0, 2, 3, 1);
            merged = sd.reshape(split.permute(0, 2, 1, 3), b * t, heads * size);
        }
        split.rename("split");
        splitT.rename("splitT");
        merged.rename("merged");
        SDVariable loss = split.mul(sd.constant(r1)).sum().add(splitT.mul(sd.constant(r2)).sum())
                .add(merged.mul(sd.constant(r3)).sum());
        sd.setLossVariables(loss);
        Map<String, INDArray> out = new java.util.HashMap<>(sd.calculateGradients(Map.of(), "x", "bias"));
        out.putAll(sd.output(Map.of(), "split", "splitT", "merged"));
        return out;
    }

    @Test
    void encoderWithCpuOpsHasTheReferenceOutputsAndGradients() {
        // A small float32 BERT in training mode (dropout masks on), built twice over the same weights.
        BertConfig c = new BertConfig("bert", 50, 64, 2, 4, 128, 16, 2, 1e-12, "gelu", true, true);
        Nd4j.getRandom().setSeed(5);
        Map<String, INDArray> w = new java.util.LinkedHashMap<>();
        for (BertNames.Param p : BertNames.expected(c)) {
            INDArray a = Nd4j.randn(DataType.FLOAT, p.shape()).muli(0.3f);
            if (p.name().contains("LayerNorm") && p.name().endsWith("weight")) a.addi(1f);
            w.put(p.name(), a);
        }
        int b = 3, t = 12;
        Map<String, INDArray> feed = new java.util.HashMap<>(new DropoutMasks(3)
                .next(BertModel.dropoutMasks(c, b, t), DataType.FLOAT));
        feed.put(BertModel.INPUT, Nd4j.randn(DataType.FLOAT, b, t, c.hiddenSize()));
        int[][] mask = new int[b][t];
        for (int i = 0; i < b; i++) for (int j = 0; j < t - 4 * i; j++) mask[i][j] = 1;
        feed.put(BertModel.ATTENTION_BIAS, BertInference.attentionBias(mask, DataType.FLOAT));
        INDArray r = Nd4j.randn(DataType.FLOAT, b, t, c.hiddenSize());

        // inference (no dropout, keys transposed once): the same hidden states
        Map<String, INDArray> inferenceFeed = Map.of(BertModel.INPUT, feed.get(BertModel.INPUT),
                BertModel.ATTENTION_BIAS, feed.get(BertModel.ATTENTION_BIAS));
        INDArray javaHidden = encoder(c, w, false, true).lastHidden.eval(inferenceFeed);
        INDArray opsHidden = encoder(c, w, false, false).lastHidden.eval(inferenceFeed);
        double hiddenDiff = javaHidden.sub(opsHidden).amaxNumber().doubleValue();
        assertTrue(hiddenDiff < 1e-5 * opsHidden.amaxNumber().doubleValue(), "inference outputs differ by " + hiddenDiff);

        Map<String, INDArray> java = encoderGradients(c, w, feed, r, true), ops = encoderGradients(c, w, feed, r, false);
        assertEquals(ops.get("loss").getDouble(0), java.get("loss").getDouble(0),
                1e-5 * Math.abs(ops.get("loss").getDouble(0)));
        double largest = 0, worst = 0;
        for (INDArray g : ops.values()) largest = Math.max(largest, g.amaxNumber().doubleValue());
        for (String name : ops.keySet()) {
            INDArray expected = ops.get(name), actual = java.get(name);
            assertNotNull(actual, "no gradient for " + name);
            double scale = expected.amaxNumber().doubleValue(), diff = expected.sub(actual).amaxNumber().doubleValue();
            if (name.endsWith("key.bias")) {
                // exactly zero in exact arithmetic (softmax ignores a shift shared by all keys): round-off on both sides
                assertTrue(diff < 1e-6 * largest, name + " differs by " + diff);
                continue;
            }
            double relative = diff / scale;
            worst = Math.max(worst, relative);
            assertTrue(scale > 1e-3 * largest, name + ": the gradient should not be trivially small");
            assertTrue(relative < 2e-5, name + " differs by " + diff + " (largest " + scale + ")");
        }
        System.out.printf("CpuOps against ReferenceOps: worst relative gradient difference %.2e%n", worst);
    }

    /** A float32 encoder over {@code w} built from CpuOps ({@code java}) or ReferenceOps. */
    private static BertModel encoder(BertConfig c, Map<String, INDArray> w, boolean training, boolean java) {
        SameDiff sd = SameDiff.create();
        EncoderOps ops = java ? CpuRuntime.ops(sd, DataType.FLOAT, training) : new ReferenceOps(sd);
        Class<? extends EncoderOps> expected = java ? CpuOps.class : ReferenceOps.class;
        assertInstanceOf(expected, ops);
        return new BertModel(sd, c, w, training, ops);
    }

    private static Map<String, INDArray> encoderGradients(BertConfig c, Map<String, INDArray> w,
                                                          Map<String, INDArray> feed, INDArray r, boolean java) {
        BertModel enc = encoder(c, w, true, java);
        SameDiff sd = enc.sameDiff();
        SDVariable loss = enc.lastHidden.mul(sd.constant(r)).sum().add(enc.pooled.sum());
        loss.rename("loss");
        sd.setLossVariables("loss");
        java.util.List<String> wanted = new java.util.ArrayList<>(BertModel.graphParameters(c));
        wanted.add(BertModel.INPUT);
        Map<String, INDArray> out = new java.util.HashMap<>(sd.calculateGradients(feed, wanted));
        out.put("loss", sd.output(feed, "loss").get("loss"));
        return out;
    }

    /** y = GELU(x + b) = z/2 · (1 + erf(z/√2)), loss = sum(y · r); returns y and the gradients of x and b. */
    private static Map<String, INDArray> gelu(INDArray x, INDArray b, INDArray r, boolean java) {
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x.dup()), bv = sd.var("b", b.dup());
        SDVariable y;
        if (java) {
            y = new BiasGelu(sd, xv, bv).outputVariable();
        } else {
            SDVariable z = xv.add(bv);
            y = z.mul(0.5).mul(sd.math.erf(z.mul(1 / Math.sqrt(2))).add(1.0));
        }
        y.rename("y");
        sd.setLossVariables(y.mul(sd.constant(r)).sum("loss"));
        Map<String, INDArray> out = new java.util.HashMap<>(sd.calculateGradients(Map.of(), "x", "b"));
        out.put("y", sd.output(Map.of(), "y").get("y"));
        return out;
    }

    /** erf to ~1e-15 (series below 3, continued fraction for erfc above): the reference for the float32 fit. */
    private static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a, sum = a;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int n = 60; n >= 1; n--) f = n / 2.0 / (a + f);
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
        }
        return Math.signum(x) * r;
    }
}
