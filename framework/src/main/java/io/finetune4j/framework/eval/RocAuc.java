package io.finetune4j.framework.eval;

import java.util.Arrays;

/**
 * Area under the ROC curve, as scikit-learn's {@code roc_auc_score}.
 *
 * <p>The binary AUC is the trapezoid area over the distinct score thresholds, which equals the
 * Mann–Whitney statistic with tied (positive, negative) pairs counted 1/2; it is computed in exact
 * integer arithmetic and divided once. Where sklearn raises because {@code y_true} holds only one
 * class, these methods return NaN for that class; averages are then taken over the classes where
 * the AUC is defined (sklearn would raise instead).
 */
public final class RocAuc {

    private RocAuc() {}

    /** One-vs-rest AUCs of a multi-class problem. */
    public record OvrResult(double[] perClass, double macro, double weighted, int undefinedClasses) {}

    /**
     * Binary AUC ({@code roc_auc_score(yTrue, scores)}).
     *
     * @param yTrue  0/1 labels (anything non-zero is positive)
     * @param scores higher = more positive
     * @return the AUC, or NaN when {@code yTrue} has no positives or no negatives
     */
    public static double binary(int[] yTrue, double[] scores) {
        if (yTrue.length != scores.length) {
            throw new IllegalArgumentException(yTrue.length + " labels, " + scores.length + " scores");
        }
        int n = yTrue.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        long tp = 0;
        long fp = 0;
        long prevTp = 0;
        long prevFp = 0;
        long twiceArea = 0; // sum of (fp_i - fp_{i-1}) * (tp_i + tp_{i-1})
        int i = 0;
        while (i < n) {
            double s = scores[order[i]];
            while (i < n && scores[order[i]] == s) {
                if (yTrue[order[i]] != 0) {
                    tp++;
                } else {
                    fp++;
                }
                i++;
            }
            twiceArea += (fp - prevFp) * (tp + prevTp);
            prevFp = fp;
            prevTp = tp;
        }
        if (tp == 0 || fp == 0) {
            return Double.NaN;
        }
        return twiceArea / (2.0 * tp * fp);
    }

    /**
     * One-vs-rest AUC of each class of a multi-class problem, with the macro and the
     * support-weighted averages ({@code roc_auc_score(y, probs, multi_class='ovr', average=...)}).
     *
     * @param yTrue class indices in {@code [0, K)}
     * @param probs n x K class probabilities
     */
    public static OvrResult ovr(int[] yTrue, double[][] probs) {
        int n = yTrue.length;
        if (probs.length != n) {
            throw new IllegalArgumentException(n + " labels, " + probs.length + " probability rows");
        }
        if (n == 0) {
            throw new IllegalArgumentException("no examples");
        }
        int k = probs[0].length;
        double[] per = new double[k];
        long[] support = new long[k];
        int[] yk = new int[n];
        double[] col = new double[n];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < n; i++) {
                if (probs[i].length != k) {
                    throw new IllegalArgumentException("row " + i + " has " + probs[i].length + " columns, not " + k);
                }
                if (yTrue[i] < 0 || yTrue[i] >= k) {
                    throw new IllegalArgumentException("label " + yTrue[i] + " out of range [0," + k + ")");
                }
                yk[i] = yTrue[i] == c ? 1 : 0;
                support[c] += yk[i];
                col[i] = probs[i][c];
            }
            per[c] = binary(yk, col);
        }
        return summarise(per, support);
    }

    static OvrResult summarise(double[] per, long[] support) {
        int undefined = 0;
        for (double v : per) {
            if (Double.isNaN(v)) {
                undefined++;
            }
        }
        double[] def = new double[per.length - undefined];
        long[] w = new long[def.length];
        int j = 0;
        long wsum = 0;
        for (int c = 0; c < per.length; c++) {
            if (!Double.isNaN(per[c])) {
                def[j] = per[c];
                w[j] = support[c];
                wsum += support[c];
                j++;
            }
        }
        double macro = NpMath.mean(def);
        double weighted = def.length == 0 ? Double.NaN : (wsum == 0 ? 0.0 : NpMath.average(def, w));
        return new OvrResult(per, macro, weighted, undefined);
    }

    /**
     * The usual single-label summary: for 2 classes the binary AUC of column 1 (as sklearn does for
     * binary {@code y_true}), otherwise the one-vs-rest macro average.
     */
    public static double fromProbabilities(int[] yTrue, double[][] probs) {
        if (probs.length > 0 && probs[0].length == 2) {
            double[] p1 = new double[probs.length];
            for (int i = 0; i < probs.length; i++) {
                p1[i] = probs[i][1];
            }
            return binary(yTrue, p1);
        }
        return ovr(yTrue, probs).macro();
    }
}
