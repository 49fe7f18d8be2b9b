package io.finetune4j.framework.eval;

import static io.finetune4j.framework.eval.Golden.TOL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Multi-label metrics against scikit-learn 1.2.1 (scores with many ties). */
class MultiLabelMetricsGoldenTest {

    private static final JsonNode G = Golden.load("multilabel");

    @ParameterizedTest
    @ValueSource(strings = {"global", "per_label"})
    void thresholdedMetricsMatch(String which) {
        int[][] y = Golden.ints2(G.get("y_true"));
        double[][] s = Golden.doubles2(G.get("scores"));
        MultiLabelMetrics m = which.equals("global")
                ? MultiLabelMetrics.of(y, s, G.get("global_threshold").doubleValue())
                : MultiLabelMetrics.of(y, s, Golden.doubles(G.get("per_label_thresholds")));
        JsonNode e = G.get(which);
        int[][] expectedPred = Golden.ints2(e.get("y_pred"));
        int[][] pred = m.predictions();
        for (int i = 0; i < pred.length; i++) {
            assertArrayEquals(expectedPred[i], pred[i], "row " + i);
        }
        JsonNode none = e.get("prfs").get("none");
        assertArrayEquals(Golden.doubles(none.get("precision")), m.perLabelPrecision(), TOL);
        assertArrayEquals(Golden.doubles(none.get("recall")), m.perLabelRecall(), TOL);
        assertArrayEquals(Golden.doubles(none.get("f1")), m.perLabelF1(), TOL);
        assertArrayEquals(Golden.longs(none.get("support")), m.support());
        ClassificationReportGoldenTest.assertAverages(e.get("prfs").get("micro"), m.micro());
        ClassificationReportGoldenTest.assertAverages(e.get("prfs").get("macro"), m.macro());
        ClassificationReportGoldenTest.assertAverages(e.get("prfs").get("weighted"), m.weighted());
        ClassificationReportGoldenTest.assertAverages(e.get("prfs").get("samples"), m.samples());
        assertEquals(e.get("hamming_loss").doubleValue(), m.hammingLoss(), TOL);
        assertEquals(e.get("subset_accuracy").doubleValue(), m.subsetAccuracy(), TOL);
        if (which.equals("per_label")) {
            // label 2 is never predicted at its threshold: precision 0 (zero_division = 0)
            assertEquals(0.0, m.perLabelPrecision()[2]);
            assertTrue(m.support()[2] > 0);
        }
    }

    @Test
    void rocAucWithTiedScoresMatches() {
        int[][] y = Golden.ints2(G.get("y_true"));
        double[][] s = Golden.doubles2(G.get("scores"));
        MultiLabelMetrics m = MultiLabelMetrics.of(y, s, 0.5);
        assertEquals(G.get("roc_auc_micro").doubleValue(), m.rocAucMicro(), TOL);
        assertEquals(G.get("roc_auc_macro").doubleValue(), m.rocAucMacro(), TOL);
        assertEquals(G.get("roc_auc_weighted").doubleValue(), m.rocAucWeighted(), TOL);
        assertArrayEquals(Golden.doubles(G.get("roc_auc_per_label")), m.rocAucPerLabel(), TOL);
    }

    @Test
    void aucOfALabelWithoutPositivesIsNaNAndLeftOutOfTheMacro() {
        int[][] y = {{1, 0}, {0, 0}, {1, 0}, {0, 0}};
        double[][] s = {{0.9, 0.2}, {0.1, 0.4}, {0.6, 0.1}, {0.6, 0.3}};
        MultiLabelMetrics m = MultiLabelMetrics.of(y, s, 0.5);
        assertTrue(Double.isNaN(m.rocAucPerLabel()[1]));
        // label 0: pairs (0.9>0.1, 0.9>0.6, 0.6>0.1, 0.6=0.6 -> 1/2) = 3.5 / 4
        assertEquals(0.875, m.rocAucPerLabel()[0], 0);
        assertEquals(0.875, m.rocAucMacro(), 0);
    }
}
