package io.finetune4j.framework.eval;

import static io.finetune4j.framework.eval.Golden.TOL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Single-label metrics against scikit-learn 1.2.1 (golden files from make_golden.py). */
class ClassificationReportGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"binary", "three_class", "forty_class"})
    void reportTextIsExactlySklearns(String name) {
        JsonNode g = Golden.load(name);
        ClassificationReport r = report(g);
        assertEquals(g.get("report_digits2").textValue(), r.format(2));
        assertEquals(g.get("report_digits4").textValue(), r.format(4));
        assertEquals(r.format(2), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"binary", "three_class", "forty_class"})
    void numbersMatchPrecisionRecallFscoreSupport(String name) {
        JsonNode g = Golden.load(name);
        ClassificationReport r = report(g);
        assertEquals(g.get("accuracy").doubleValue(), r.accuracy(), TOL);
        JsonNode none = g.get("prfs").get("none");
        assertArrayEquals(Golden.doubles(none.get("precision")), r.precision(), TOL);
        assertArrayEquals(Golden.doubles(none.get("recall")), r.recall(), TOL);
        assertArrayEquals(Golden.doubles(none.get("f1")), r.f1(), TOL);
        assertArrayEquals(Golden.longs(none.get("support")), r.support());
        assertAverages(g.get("prfs").get("micro"), r.micro());
        assertAverages(g.get("prfs").get("macro"), r.macro());
        assertAverages(g.get("prfs").get("weighted"), r.weighted());
        assertEquals(r.micro().f1(), r.microF1());
        assertEquals(r.macro().f1(), r.macroF1());
        assertEquals(r.weighted().f1(), r.weightedF1());
    }

    @ParameterizedTest
    @ValueSource(strings = {"binary", "three_class", "forty_class"})
    void confusionMatrixMatches(String name) {
        JsonNode g = Golden.load(name);
        ConfusionMatrix cm = ConfusionMatrix.of(Golden.ints(g.get("y_true")), Golden.ints(g.get("y_pred")),
                Golden.strings(g.get("label_names")));
        long[][] expected = Golden.longs2(g.get("confusion_matrix"));
        long[][] actual = cm.counts();
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], "row " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"binary", "three_class", "forty_class"})
    void rocAucMatches(String name) {
        JsonNode g = Golden.load(name);
        int[] y = Golden.ints(g.get("y_true"));
        double[][] probs = Golden.doubles2(g.get("probs"));
        switch (name) {
            case "binary" ->
                assertEquals(g.get("roc_auc").doubleValue(), RocAuc.fromProbabilities(y, probs), TOL);
            case "three_class" -> {
                RocAuc.OvrResult ovr = RocAuc.ovr(y, probs);
                assertEquals(g.get("roc_auc").doubleValue(), ovr.macro(), TOL);
                assertEquals(g.get("roc_auc").doubleValue(), RocAuc.fromProbabilities(y, probs), TOL);
                assertEquals(g.get("roc_auc_weighted").doubleValue(), ovr.weighted(), TOL);
                assertArrayEquals(Golden.doubles(g.get("roc_auc_per_class")), ovr.perClass(), TOL);
                assertEquals(0, ovr.undefinedClasses());
            }
            default -> {
                // sklearn raises for the multi-class AUC (classes absent from y_true);
                // per-class AUCs match where defined, NaN where not.
                double[] expected = Golden.doubles(g.get("roc_auc_per_class"));
                RocAuc.OvrResult ovr = RocAuc.ovr(y, probs);
                int undefined = 0;
                for (int c = 0; c < expected.length; c++) {
                    if (Double.isNaN(expected[c])) {
                        undefined++;
                        assertTrue(Double.isNaN(ovr.perClass()[c]), "class " + c);
                    } else {
                        assertEquals(expected[c], ovr.perClass()[c], TOL, "class " + c);
                    }
                }
                assertTrue(undefined > 0);
                assertEquals(undefined, ovr.undefinedClasses());
                double sum = 0;
                for (double v : expected) {
                    sum += Double.isNaN(v) ? 0 : v;
                }
                assertEquals(sum / (expected.length - undefined), ovr.macro(), 1e-12);
            }
        }
    }

    private static ClassificationReport report(JsonNode g) {
        List<String> names = Golden.strings(g.get("label_names"));
        return ClassificationReport.of(Golden.ints(g.get("y_true")), Golden.ints(g.get("y_pred")), names);
    }

    static void assertAverages(JsonNode expected, ClassificationReport.Averages actual) {
        assertEquals(expected.get("precision").doubleValue(), actual.precision(), TOL, "precision");
        assertEquals(expected.get("recall").doubleValue(), actual.recall(), TOL, "recall");
        assertEquals(expected.get("f1").doubleValue(), actual.f1(), TOL, "f1");
    }
}
