package io.finetune4j.models.bert;

import io.finetune4j.models.FiniteDifference;
import io.finetune4j.models.runtime.CpuRuntime;
import io.finetune4j.models.runtime.ReferenceOps;
import io.finetune4j.models.runtime.DropoutMasks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Finite-difference check of every parameter kind on a tiny random encoder in double precision, which builds it from
 * {@link ReferenceOps} (plain M2.1 ops): embedding tables (through the out-of-graph lookup and scatter), Q/K/V/O,
 * LayerNorm, GELU (intermediate), pooler.
 */
class BertModelGradientCheckTest {
    static final BertConfig TINY = new BertConfig("bert", 23, 8, 2, 2, 12, 9, 2, 1e-12, "gelu", true, true);

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static LinkedHashMap<String, INDArray> randomWeights(BertConfig c, long seed) {
        Nd4j.getRandom().setSeed(seed);
        LinkedHashMap<String, INDArray> w = new LinkedHashMap<>();
        for (BertNames.Param p : BertNames.expected(c)) {
            INDArray a = Nd4j.randn(DataType.DOUBLE, p.shape()).muli(0.5);
            if (p.name().contains("LayerNorm") || p.name().contains("layer_norm")) a.addi(p.name().endsWith("weight") ? 1 : 0);
            w.put(p.name(), a);
        }
        return w;
    }

    @Test
    void bertGradientsMatchFiniteDifferences() {
        check(TINY, false);
    }

    @Test
    void distilBertGradientsWithDropoutMasksMatchFiniteDifferences() {
        check(TINY.withModelType(BertConfig.DISTILBERT), true);
    }

    private void check(BertConfig shape, boolean training) {
        BertConfig c = shape.withDropout(0.3, 0.3, null);   // every dropout site on, at a visible rate
        LinkedHashMap<String, INDArray> w = randomWeights(c, 1);
        int[][] ids = {{2, 5, 7, 11, 3}, {2, 9, 3, 0, 0}};
        int[][] types = c.typeVocabSize() > 0 ? new int[][]{{0, 0, 1, 1, 1}, {0, 1, 1, 0, 0}} : null;
        int[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};

        SameDiff sd = SameDiff.create();
        assertInstanceOf(ReferenceOps.class, CpuRuntime.ops(sd, DataType.DOUBLE, training), "double precision");
        BertModel enc = new BertModel(sd, c, w, training);
        Nd4j.getRandom().setSeed(7);
        SDVariable r1 = sd.constant("r1", Nd4j.randn(DataType.DOUBLE, 2, 5, c.hiddenSize()));
        SDVariable loss = enc.lastHidden.mul(r1).sum();
        if (enc.pooled != null) {
            loss = loss.add(enc.pooled.mul(sd.constant("r2", Nd4j.randn(DataType.DOUBLE, 2, c.hiddenSize()))).sum());
        }
        loss.rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction(BertModel.INPUT);

        BertEmbeddings emb = new BertEmbeddings(c, w);
        Map<String, INDArray> masks = new DropoutMasks(3).next(BertModel.dropoutMasks(c, 2, 5), DataType.DOUBLE);
        java.util.function.Supplier<Map<String, INDArray>> feed = () -> {
            Map<String, INDArray> ph = new HashMap<>(training ? masks : Map.of());
            ph.put(BertModel.INPUT, emb.lookup(ids, types));
            ph.put(BertModel.ATTENTION_BIAS, BertInference.attentionBias(mask, DataType.DOUBLE));
            return ph;
        };
        List<String> graphParams = BertModel.graphParameters(c);
        List<String> wanted = new ArrayList<>(graphParams);
        wanted.add(BertModel.INPUT);
        Map<String, INDArray> grads = new HashMap<>(sd.calculateGradients(feed.get(), wanted));
        grads.putAll(emb.gradients(grads.get(BertModel.INPUT), ids, types));

        // Key biases have an exactly zero gradient (softmax ignores a shift shared by all keys): the 1e-5 floor
        // below keeps finite-difference round-off (~1e-9) from counting as error there.
        Random pick = new Random(11);
        int checked = 0;
        double worst = 0;
        String worstAt = "";
        for (String name : w.keySet()) {
            INDArray p = w.get(name);
            INDArray g = grads.get(name);
            assertNotNull(g, "no gradient for " + name);
            for (int n = 0; n < 3; n++) {
                long idx = pick.nextInt((int) p.length());
                if (name.contains("word_embeddings")) idx = (long) new int[]{5, 7, 9}[n] * c.hiddenSize() + pick.nextInt(c.hiddenSize());
                double numeric = FiniteDifference.derivative(p, idx, 1e-6,
                        () -> sd.output(feed.get(), "loss").get("loss").getDouble(0));
                double analytic = g.getDouble(idx);
                double rel = Math.abs(numeric - analytic) / Math.max(1e-5, Math.max(Math.abs(numeric), Math.abs(analytic)));
                if (rel > worst) {
                    worst = rel;
                    worstAt = name + "[" + idx + "] analytic=" + analytic + " numeric=" + numeric;
                }
                checked++;
            }
        }
        System.out.printf("gradient check (%s, training=%s): %d entries, worst relative error %.2e at %s%n",
                c.modelType(), training, checked, worst, worstAt);
        assertTrue(worst <= 1e-3, "worst relative error " + worst + " at " + worstAt);
        assertTrue(checked >= 3 * 20, "checked " + checked);
    }
}
