package io.finetune4j.tests;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune4j.framework.baselines.LogisticRegression;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our multinomial logistic regression against scikit-learn's {@code LogisticRegression(C)} (with and without a
 * {@code StandardScaler}), {@code hf-golden/logreg.json}. scikit-learn's lbfgs stops early on this problem (its
 * coefficients are up to 4e-4 off the minimiser), so the reference is the true minimiser of scikit-learn's objective
 * (its {@code exact_*} fields, polished by Newton's method): the objective, and the test probabilities, which both
 * minimisers give to about 1e-4 (ours within 1e-5 of the true one).
 */
class LogisticRegressionGoldenTest {

    @Test
    void theSameObjectiveAndProbabilitiesAsScikitLearn() {
        JsonNode g = HfGolden.json("logreg.json");
        double[][] xTrain = matrix(g.get("x_train")), xTest = matrix(g.get("x_test"));
        int[] y = new int[xTrain.length];
        for (int i = 0; i < y.length; i++) y[i] = g.get("y_train").get(i).asInt();
        for (JsonNode fit : g.get("fits")) {
            String what = "C=" + fit.get("C").asDouble() + " standardize=" + fit.get("standardize").asBoolean();
            LogisticRegression ours = new LogisticRegression(fit.get("l2").asDouble(),
                    fit.get("standardize").asBoolean(), 10_000).fit(xTrain, y, g.get("n_classes").asInt());
            double exact = fit.get("exact_objective").asDouble();
            assertTrue(ours.objective() >= exact - 1e-9 * Math.abs(exact), what + ": below the minimum?");
            assertEquals(exact, ours.objective(), 1e-6 * Math.abs(exact), what + ": objective");
            double[][] p = ours.predictProba(xTest), want = matrix(fit.get("exact_predict_proba_test"));
            double worst = 0, worstSklearn = 0;
            double[][] sklearn = matrix(fit.get("predict_proba_test"));
            for (int i = 0; i < p.length; i++) {
                for (int k = 0; k < p[i].length; k++) {
                    worst = Math.max(worst, Math.abs(p[i][k] - want[i][k]));
                    worstSklearn = Math.max(worstSklearn, Math.abs(p[i][k] - sklearn[i][k]));
                }
            }
            System.out.printf("[sklearn golden] %s: objective %.10f (minimum %.10f), max |p - p*| %.1e, max |p - "
                    + "sklearn p| %.1e%n", what, ours.objective(), exact, worst, worstSklearn);
            assertTrue(worst < 1e-5, what + ": probabilities off the minimiser's by " + worst);
            assertTrue(worstSklearn < 2e-3, what + ": probabilities off scikit-learn's by " + worstSklearn);
        }
    }

    private static double[][] matrix(JsonNode rows) {
        double[][] m = new double[rows.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new double[rows.get(i).size()];
            for (int j = 0; j < m[i].length; j++) m[i][j] = rows.get(i).get(j).asDouble();
        }
        return m;
    }
}
