package io.finetune4j.framework.eval;

import java.util.Arrays;

/**
 * Picks decision thresholds ({@code score >= threshold} is positive) that maximise F1 on
 * validation data.
 *
 * <p>The candidates are the distinct scores (every threshold between two neighbouring scores
 * gives the same predictions as the upper one) plus "predict nothing" ({@code Math.nextUp} of the
 * largest score). The search is exhaustive and deterministic: on ties the highest threshold wins,
 * so a label without positives gets the "predict nothing" threshold. Binary and micro F1 are
 * compared exactly as fractions {@code 2tp / (2tp + fp + fn)}.
 */
public final class ThresholdTuning {

    private ThresholdTuning() {}

    /** What a global threshold maximises. */
    public enum Objective { MICRO_F1, MACRO_F1 }

    /** A chosen threshold and the F1 it reaches on the data it was tuned on. */
    public record Choice(double threshold, double f1) {}

    /** Per-label thresholds and the F1 of each label at its threshold. */
    public record PerLabel(double[] thresholds, double[] f1) {}

    /** The threshold maximising the F1 of one binary problem (0/1 targets). */
    public static Choice bestThreshold(int[] yTrue, double[] scores) {
        if (yTrue.length != scores.length) {
            throw new IllegalArgumentException(yTrue.length + " labels, " + scores.length + " scores");
        }
        return sweepBinary(yTrue, scores);
    }

    /** The single threshold for all labels that maximises micro F1. */
    public static Choice bestGlobalThreshold(int[][] yTrue, double[][] scores) {
        return bestGlobalThreshold(yTrue, scores, Objective.MICRO_F1);
    }

    /** The single threshold for all labels that maximises micro or macro F1. */
    public static Choice bestGlobalThreshold(int[][] yTrue, double[][] scores, Objective objective) {
        int n = check(yTrue, scores);
        int l = n == 0 ? 0 : yTrue[0].length;
        int[] fy = new int[n * l];
        double[] fs = new double[n * l];
        int[] label = new int[n * l];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < l; j++) {
                fy[i * l + j] = yTrue[i][j];
                fs[i * l + j] = scores[i][j];
                label[i * l + j] = j;
            }
        }
        return objective == Objective.MICRO_F1 ? sweepBinary(fy, fs) : sweepMacro(fy, fs, label, l);
    }

    /** For each label independently, the threshold maximising that label's F1. */
    public static PerLabel bestPerLabelThresholds(int[][] yTrue, double[][] scores) {
        int n = check(yTrue, scores);
        int l = n == 0 ? 0 : yTrue[0].length;
        double[] thr = new double[l];
        double[] f1 = new double[l];
        int[] y = new int[n];
        double[] s = new double[n];
        for (int j = 0; j < l; j++) {
            for (int i = 0; i < n; i++) {
                y[i] = yTrue[i][j];
                s[i] = scores[i][j];
            }
            Choice c = sweepBinary(y, s);
            thr[j] = c.threshold();
            f1[j] = c.f1();
        }
        return new PerLabel(thr, f1);
    }

    private static int check(int[][] yTrue, double[][] scores) {
        if (yTrue.length != scores.length) {
            throw new IllegalArgumentException(yTrue.length + " target rows, " + scores.length + " score rows");
        }
        if (yTrue.length == 0) {
            throw new IllegalArgumentException("no examples");
        }
        int l = yTrue[0].length;
        for (int i = 0; i < yTrue.length; i++) {
            if (yTrue[i].length != l || scores[i].length != l) {
                throw new IllegalArgumentException("row " + i + ": expected " + l + " labels");
            }
        }
        return yTrue.length;
    }

    private static Integer[] descending(double[] s) {
        Integer[] order = new Integer[s.length];
        for (int i = 0; i < s.length; i++) {
            if (Double.isNaN(s[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(s[b], s[a]));
        return order;
    }

    private static double nothing(double[] s, Integer[] order) {
        return s.length == 0 ? 0.5 : Math.nextUp(s[order[0]]);
    }

    private static Choice sweepBinary(int[] y, double[] s) {
        Integer[] order = descending(s);
        long positives = 0;
        for (int v : y) {
            if (v != 0 && v != 1) {
                throw new IllegalArgumentException("targets must be 0 or 1, got " + v);
            }
            positives += v;
        }
        double bestThr = nothing(s, order);
        long bestNum = 0; // F1 = num / den = 2tp / (pred + positives)
        long bestDen = 1;
        long bestTp = 0;
        long bestPred = 0;
        long tp = 0;
        long pred = 0;
        int i = 0;
        while (i < order.length) {
            double thr = s[order[i]];
            while (i < order.length && s[order[i]] == thr) {
                tp += y[order[i]];
                pred++;
                i++;
            }
            long num = 2 * tp;
            long den = pred + positives;
            if (compareProducts(num, bestDen, bestNum, den) > 0) { // num/den > bestNum/bestDen
                bestNum = num;
                bestDen = den;
                bestThr = thr;
                bestTp = tp;
                bestPred = pred;
            }
        }
        double p = ClassificationReport.divide(bestTp, bestPred);
        double r = ClassificationReport.divide(bestTp, positives);
        return new Choice(bestThr, ClassificationReport.fScore(p, r));
    }

    /** Compares {@code a*b} with {@code c*d} for non-negative operands, without overflow. */
    static int compareProducts(long a, long b, long c, long d) {
        long h1 = Math.multiplyHigh(a, b);
        long h2 = Math.multiplyHigh(c, d);
        return h1 != h2 ? Long.compare(h1, h2) : Long.compareUnsigned(a * b, c * d);
    }

    private static Choice sweepMacro(int[] y, double[] s, int[] label, int l) {
        Integer[] order = descending(s);
        long[] positives = new long[l];
        for (int i = 0; i < y.length; i++) {
            positives[label[i]] += y[i];
        }
        long[] tp = new long[l];
        long[] pred = new long[l];
        double[] f = new double[l];
        double bestThr = nothing(s, order);
        double best = NpMath.mean(f); // all zero: nothing predicted
        int i = 0;
        while (i < order.length) {
            double thr = s[order[i]];
            while (i < order.length && s[order[i]] == thr) {
                int j = label[order[i]];
                tp[j] += y[order[i]];
                pred[j]++;
                f[j] = ClassificationReport.fScore(ClassificationReport.divide(tp[j], pred[j]),
                        ClassificationReport.divide(tp[j], positives[j]));
                i++;
            }
            double macro = NpMath.mean(f);
            if (macro > best) {
                best = macro;
                bestThr = thr;
            }
        }
        return new Choice(bestThr, best);
    }
}
