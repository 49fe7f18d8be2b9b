package io.finetune4j.tests;

import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.BertInference;
import io.finetune4j.models.pretrained.MaskedLm;
import io.finetune4j.models.pretrained.ModelCatalogue;
import io.finetune4j.models.ModelException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MLM head's plumbing on MiniLM (default run; the real fill-mask answers are in {@link BertBaseFillMaskTest}):
 * refusal without a head, the [MASK] token, and the head's arithmetic against a plain double-precision
 * reference on a seeded random head grafted onto MiniLM.
 */
class MaskedLmTest {
    private static Backbone minilm, withHead;

    @BeforeAll
    static void load() {
        minilm = ModelCatalogue.load("all-MiniLM-L6-v2");
        LinkedHashMap<String, INDArray> w = new LinkedHashMap<>(minilm.weights());
        Nd4j.getRandom().setSeed(42);
        int h = 384, v = 30522;
        w.put("cls.predictions.transform.dense.weight", Nd4j.randn(DataType.FLOAT, h, h).muli(0.05));
        w.put("cls.predictions.transform.dense.bias", Nd4j.randn(DataType.FLOAT, h).muli(0.05));
        w.put("cls.predictions.transform.LayerNorm.weight", Nd4j.rand(DataType.FLOAT, h).addi(0.5));
        w.put("cls.predictions.transform.LayerNorm.bias", Nd4j.randn(DataType.FLOAT, h).muli(0.1));
        w.put("cls.predictions.bias", Nd4j.randn(DataType.FLOAT, v).muli(0.1));
        withHead = new Backbone("minilm+random-mlm-head", minilm.config(), w, minilm.tokenizer());
    }

    @Test
    void backboneWithoutHeadIsRefused() {
        ModelException e = assertThrows(ModelException.class, () -> new MaskedLm(minilm));
        System.out.println("MiniLM: " + e.getMessage());
        assertTrue(e.getMessage().contains("all-MiniLM-L6-v2") && e.getMessage().contains("masked-language-model head"),
                e.getMessage());
    }

    @Test
    void distilBertWithoutHeadIsRefused() {
        var r = io.finetune4j.models.bert.DistilBertConversion.convert(minilm.config(), minilm.weights(), new int[]{0, 1});
        Backbone distil = new Backbone("distil-minilm", r.config(), r.weights(), minilm.tokenizer());
        ModelException e = assertThrows(ModelException.class, () -> new MaskedLm(distil));
        assertTrue(e.getMessage().contains("vocab_projector.bias"), e.getMessage());
    }

    @Test
    void textWithoutMaskIsRefused() {
        MaskedLm lm = new MaskedLm(withHead);
        ModelException e = assertThrows(ModelException.class, () -> lm.fillMask("The capital of France is Paris.", 5));
        assertTrue(e.getMessage().contains("[MASK]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> lm.fillMask("a [MASK]", 0));
    }

    @Test
    void maskIsOneSpecialToken() {
        var tok = minilm.tokenizer();
        assertEquals(103, tok.maskId());
        int[] ids = tok.encode("The capital of France is [MASK].").inputIds();
        List<String> pieces = java.util.Arrays.stream(ids).mapToObj(tok::idToToken).toList();
        assertEquals(List.of("[CLS]", "the", "capital", "of", "france", "is", "[MASK]", ".", "[SEP]"), pieces);
        int[] two = tok.encode("[MASK][MASK] x[MASK]y").inputIds();
        assertEquals(3, java.util.Arrays.stream(two).filter(i -> i == 103).count(),
                java.util.Arrays.stream(two).mapToObj(tok::idToToken).toList().toString());
    }

    @Test
    void headMatchesDoublePrecisionReference() {
        MaskedLm lm = new MaskedLm(withHead);
        String text = "I drank a cup of [MASK] and read the [MASK] paper.";
        int[] ids = minilm.tokenizer().encode(text).inputIds();
        INDArray hidden = new BertInference(minilm.config(), minilm.weights())
                .forward(new int[][]{ids}, new int[][]{new int[ids.length]}, new int[][]{ones(ids.length)})
                .lastHidden().reshape(ids.length, 384);
        List<List<MaskedLm.Prediction>> preds = lm.fillMaskAll(text, 10);
        assertEquals(2, preds.size());
        int m = 0;
        double worst = 0;
        for (int pos = 0; pos < ids.length; pos++) {
            if (ids[pos] != 103) continue;
            double[] ref = referenceLogits(hidden.getRow(pos).dup().data().asDouble());
            double[] ours = lm.logits(hidden.getRow(pos).reshape(1, 384)).dup().data().asDouble();
            for (int i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - ours[i]));
            double[] prob = softmax(ref);
            List<MaskedLm.Prediction> p = preds.get(m++);
            assertEquals(10, p.size());
            Integer[] order = new Integer[ref.length];
            for (int i = 0; i < order.length; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(ref[b], ref[a]));
            for (int k = 0; k < 10; k++) {
                assertEquals(prob[order[k]], p.get(k).probability(), 1e-4);
                assertEquals(minilm.tokenizer().idToToken(p.get(k).id()), p.get(k).token());
                if (k > 0) assertTrue(p.get(k - 1).probability() >= p.get(k).probability());
            }
        }
        System.out.printf("MLM head vs double reference: max |logit diff| = %.2e%n", worst);
        assertTrue(worst <= 1e-3, "max |logit diff| " + worst);
    }

    private static double[] referenceLogits(double[] h) {
        var w = withHead.weights();
        double[] dw = w.get("cls.predictions.transform.dense.weight").dup().data().asDouble();
        double[] db = w.get("cls.predictions.transform.dense.bias").dup().data().asDouble();
        double[] g = w.get("cls.predictions.transform.LayerNorm.weight").dup().data().asDouble();
        double[] beta = w.get("cls.predictions.transform.LayerNorm.bias").dup().data().asDouble();
        double[] emb = w.get("embeddings.word_embeddings.weight").dup().data().asDouble();
        double[] bias = w.get("cls.predictions.bias").dup().data().asDouble();
        int n = h.length;
        double[] x = new double[n];
        for (int o = 0; o < n; o++) {
            double s = db[o];
            for (int i = 0; i < n; i++) s += dw[o * n + i] * h[i];
            x[o] = 0.5 * s * (1 + erf(s / Math.sqrt(2)));
        }
        double mean = 0, var = 0;
        for (double v : x) mean += v / n;
        for (double v : x) var += (v - mean) * (v - mean) / n;
        for (int i = 0; i < n; i++) x[i] = (x[i] - mean) / Math.sqrt(var + 1e-12) * g[i] + beta[i];
        double[] out = new double[bias.length];
        for (int v = 0; v < out.length; v++) {
            double s = bias[v];
            for (int i = 0; i < n; i++) s += emb[v * n + i] * x[i];
            out[v] = s;
        }
        return out;
    }

    /** erf by its Taylor series / continued fraction (|error| < 1e-12 on the range used). */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax, sum = ax;
            for (int k = 1; k < 200; k++) {
                term *= -ax * ax / k;
                double add = term / (2 * k + 1);
                sum += add;
                if (Math.abs(add) < 1e-17) break;
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;   // erfc continued fraction
            for (int k = 60; k >= 1; k--) f = k / 2.0 / (ax + f);
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return x < 0 ? -r : r;
    }

    private static double[] softmax(double[] l) {
        double max = java.util.Arrays.stream(l).max().orElseThrow(), sum = 0;
        double[] p = new double[l.length];
        for (int i = 0; i < l.length; i++) sum += p[i] = Math.exp(l[i] - max);
        for (int i = 0; i < l.length; i++) p[i] /= sum;
        return p;
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }
}
