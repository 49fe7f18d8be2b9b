package io.finetune4j.framework.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ThresholdTuningTest {

    @Test
    void knownBestBinaryThreshold() {
        int[] y = {1, 1, 1, 0, 0, 0};
        double[] s = {0.9, 0.8, 0.7, 0.75, 0.6, 0.3};
        // >=0.9: 2/4, >=0.8: 4/5, >=0.75: 4/6, >=0.7: 6/7 (best), >=0.6: 6/8, >=0.3: 6/9
        ThresholdTuning.Choice c = ThresholdTuning.bestThreshold(y, s);
        assertEquals(0.7, c.threshold());
        assertEquals(6.0 / 7.0, c.f1(), 1e-15);
    }

    @Test
    void knownPerLabelAndGlobalThresholds() {
        // label 0 is best cut at 0.7, label 1 at 0.2, label 2 has no positives
        int[][] y = {{1, 1, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {0, 0, 0}, {0, 0, 0}};
        double[][] s = {{0.9, 0.3, 0.1}, {0.8, 0.1, 0.2}, {0.7, 0.25, 0.4}, {0.75, 0.2, 0.3},
            {0.6, 0.1, 0.2}, {0.3, 0.05, 0.1}};
        ThresholdTuning.PerLabel per = ThresholdTuning.bestPerLabelThresholds(y, s);
        assertEquals(0.7, per.thresholds()[0]);
        assertEquals(0.2, per.thresholds()[1]);
        assertEquals(Math.nextUp(0.4), per.thresholds()[2], "no positives: predict nothing");
        assertArrayEquals(new double[] {6.0 / 7.0, 1.0, 0.0}, per.f1(), 1e-15);
        MultiLabelMetrics m = MultiLabelMetrics.of(y, s, per.thresholds());
        assertArrayEquals(per.f1(), m.perLabelF1(), 0);
    }

    @Test
    void tiesResolveToTheHighestThreshold() {
        // >=0.8: 2/3, >=0.5: 1/2, >=0.4: 2/5, >=0.3: 2/3 -> the tie goes to 0.8
        int[] y = {1, 0, 0, 1};
        double[] s = {0.8, 0.5, 0.4, 0.3};
        ThresholdTuning.Choice c = ThresholdTuning.bestThreshold(y, s);
        assertEquals(0.8, c.threshold());
        assertEquals(2.0 / 3.0, c.f1(), 1e-15);
    }

    /** On random data the tuned thresholds beat or equal every other distinct score (brute force). */
    @Test
    void matchesBruteForceOnRandomData() {
        Random rnd = new Random(42);
        int n = 80;
        int l = 5;
        int[][] y = new int[n][l];
        double[][] s = new double[n][l];
        TreeSet<Double> distinct = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < l; j++) {
                y[i][j] = rnd.nextDouble() < 0.2 + 0.1 * j ? 1 : 0;
                s[i][j] = Math.round((0.4 * y[i][j] + 0.6 * rnd.nextDouble()) * 20) / 20.0; // ties
                distinct.add(s[i][j]);
            }
        }
        ThresholdTuning.Choice micro = ThresholdTuning.bestGlobalThreshold(y, s);
        ThresholdTuning.Choice macro = ThresholdTuning.bestGlobalThreshold(y, s, ThresholdTuning.Objective.MACRO_F1);
        ThresholdTuning.PerLabel per = ThresholdTuning.bestPerLabelThresholds(y, s);
        assertEquals(MultiLabelMetrics.of(y, s, micro.threshold()).microF1(), micro.f1(), 1e-15);
        assertEquals(MultiLabelMetrics.of(y, s, macro.threshold()).macroF1(), macro.f1(), 1e-15);
        double bestMicro = -1;
        double bestMacro = -1;
        double[] bestPer = new double[l];
        for (double t : distinct) {
            MultiLabelMetrics m = MultiLabelMetrics.of(y, s, t);
            bestMicro = Math.max(bestMicro, m.microF1());
            bestMacro = Math.max(bestMacro, m.macroF1());
            for (int j = 0; j < l; j++) {
                bestPer[j] = Math.max(bestPer[j], m.perLabelF1()[j]);
            }
        }
        assertEquals(bestMicro, micro.f1(), 1e-12);
        assertEquals(bestMacro, macro.f1(), 1e-12);
        assertArrayEquals(bestPer, per.f1(), 1e-12);
        assertArrayEquals(per.f1(), MultiLabelMetrics.of(y, s, per.thresholds()).perLabelF1(), 1e-15);
        assertTrue(MultiLabelMetrics.of(y, s, per.thresholds()).macroF1() >= macro.f1() - 1e-12);
        // deterministic
        assertEquals(micro, ThresholdTuning.bestGlobalThreshold(y, s));
    }

    @Test
    void compareProductsHandlesOverflow() {
        long big = 1L << 40;
        assertTrue(ThresholdTuning.compareProducts(big, big, big - 1, big) > 0);
        assertEquals(0, ThresholdTuning.compareProducts(6, 4, 3, 8));
        assertTrue(ThresholdTuning.compareProducts(2, 3, 7, 1) < 0);
    }
}
