package io.finetune4j.framework.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Multi-label metrics from 0/1 targets and per-label scores (sigmoid probabilities). A label is
 * predicted when {@code score >= threshold}. The numbers are those of scikit-learn 1.2 on the
 * indicator matrices ({@code precision_recall_fscore_support(..., average=micro|macro|weighted|samples|None,
 * zero_division=0)}, {@code accuracy_score} (subset accuracy), {@code hamming_loss},
 * {@code roc_auc_score(..., average=micro|macro|weighted|None)}).
 *
 * <p>A label with only positives or only negatives in {@code yTrue} has an undefined AUC: NaN here
 * (sklearn raises), and the macro/weighted AUC average the labels where it is defined.
 */
public final class MultiLabelMetrics {

    private final int n;
    private final int numLabels;
    private final double[] thresholds;
    private final int[][] predictions;
    private final double[] precision;
    private final double[] recall;
    private final double[] f1;
    private final long[] support;
    private final ClassificationReport.Averages micro;
    private final ClassificationReport.Averages macro;
    private final ClassificationReport.Averages weighted;
    private final ClassificationReport.Averages samples;
    private final double subsetAccuracy;
    private final double hammingLoss;
    private final double rocAucMicro;
    private final RocAuc.OvrResult rocAuc;

    private MultiLabelMetrics(int[][] yTrue, double[][] scores, double[] thr) {
        n = yTrue.length;
        if (scores.length != n) {
            throw new IllegalArgumentException(n + " target rows, " + scores.length + " score rows");
        }
        if (n == 0) {
            throw new IllegalArgumentException("no examples");
        }
        numLabels = yTrue[0].length;
        if (thr.length != numLabels) {
            throw new IllegalArgumentException(thr.length + " thresholds for " + numLabels + " labels");
        }
        thresholds = thr.clone();
        predictions = new int[n][numLabels];
        long[] tp = new long[numLabels];
        long[] predSum = new long[numLabels];
        long[] trueSum = new long[numLabels];
        long exact = 0;
        long mismatches = 0;
        double[] sp = new double[n];
        double[] sr = new double[n];
        double[] sf = new double[n];
        for (int i = 0; i < n; i++) {
            if (yTrue[i].length != numLabels || scores[i].length != numLabels) {
                throw new IllegalArgumentException("row " + i + ": expected " + numLabels + " labels");
            }
            long rowTp = 0;
            long rowPred = 0;
            long rowTrue = 0;
            boolean same = true;
            for (int j = 0; j < numLabels; j++) {
                int t = yTrue[i][j];
                if (t != 0 && t != 1) {
                    throw new IllegalArgumentException("yTrue[" + i + "][" + j + "] = " + t + ", expected 0 or 1");
                }
                int p = scores[i][j] >= thr[j] ? 1 : 0;
                predictions[i][j] = p;
                if (p == 1 && t == 1) {
                    tp[j]++;
                    rowTp++;
                }
                predSum[j] += p;
                trueSum[j] += t;
                rowPred += p;
                rowTrue += t;
                if (p != t) {
                    same = false;
                    mismatches++;
                }
            }
            if (same) {
                exact++;
            }
            sp[i] = ClassificationReport.divide(rowTp, rowPred);
            sr[i] = ClassificationReport.divide(rowTp, rowTrue);
            sf[i] = ClassificationReport.fScore(sp[i], sr[i]);
        }
        support = trueSum;
        precision = new double[numLabels];
        recall = new double[numLabels];
        f1 = new double[numLabels];
        for (int j = 0; j < numLabels; j++) {
            precision[j] = ClassificationReport.divide(tp[j], predSum[j]);
            recall[j] = ClassificationReport.divide(tp[j], trueSum[j]);
            f1[j] = ClassificationReport.fScore(precision[j], recall[j]);
        }
        long tpAll = Arrays.stream(tp).sum();
        long predAll = Arrays.stream(predSum).sum();
        long trueAll = Arrays.stream(trueSum).sum();
        double mp = ClassificationReport.divide(tpAll, predAll);
        double mr = ClassificationReport.divide(tpAll, trueAll);
        micro = new ClassificationReport.Averages(mp, mr, ClassificationReport.fScore(mp, mr));
        macro = new ClassificationReport.Averages(NpMath.mean(precision), NpMath.mean(recall), NpMath.mean(f1));
        weighted = trueAll == 0 ? new ClassificationReport.Averages(0, 0, 0)
                : new ClassificationReport.Averages(NpMath.average(precision, trueSum),
                        NpMath.average(recall, trueSum), NpMath.average(f1, trueSum));
        samples = new ClassificationReport.Averages(NpMath.mean(sp), NpMath.mean(sr), NpMath.mean(sf));
        subsetAccuracy = (double) exact / n;
        // hamming_loss: count_nonzero(y_true != y_pred) / (n * L)
        hammingLoss = mismatches / ((double) n * numLabels);

        int[] flatY = new int[n * numLabels];
        double[] flatS = new double[n * numLabels];
        double[] per = new double[numLabels];
        int[] colY = new int[n];
        double[] colS = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < numLabels; j++) {
                flatY[i * numLabels + j] = yTrue[i][j];
                flatS[i * numLabels + j] = scores[i][j];
            }
        }
        for (int j = 0; j < numLabels; j++) {
            for (int i = 0; i < n; i++) {
                colY[i] = yTrue[i][j];
                colS[i] = scores[i][j];
            }
            per[j] = RocAuc.binary(colY, colS);
        }
        rocAucMicro = RocAuc.binary(flatY, flatS);
        rocAuc = RocAuc.summarise(per, trueSum);
    }

    /** Metrics with one threshold for every label. */
    public static MultiLabelMetrics of(int[][] yTrue, double[][] scores, double threshold) {
        int l = yTrue.length == 0 ? 0 : yTrue[0].length;
        double[] thr = new double[l];
        Arrays.fill(thr, threshold);
        return new MultiLabelMetrics(yTrue, scores, thr);
    }

    /** Metrics with a threshold per label. */
    public static MultiLabelMetrics of(int[][] yTrue, double[][] scores, double[] thresholds) {
        return new MultiLabelMetrics(yTrue, scores, thresholds);
    }

    public int numExamples() { return n; }
    public int numLabels() { return numLabels; }
    public double[] thresholds() { return thresholds.clone(); }

    /** The 0/1 predictions ({@code score >= threshold}), a copy. */
    public int[][] predictions() {
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            out[i] = predictions[i].clone();
        }
        return out;
    }

    public double[] perLabelPrecision() { return precision.clone(); }
    public double[] perLabelRecall() { return recall.clone(); }
    public double[] perLabelF1() { return f1.clone(); }
    /** Number of positive examples per label. */
    public long[] support() { return support.clone(); }

    public ClassificationReport.Averages micro() { return micro; }
    public ClassificationReport.Averages macro() { return macro; }
    public ClassificationReport.Averages weighted() { return weighted; }
    /** Per-example precision/recall/F1, averaged over examples (sklearn {@code average='samples'}). */
    public ClassificationReport.Averages samples() { return samples; }
    public double microF1() { return micro.f1(); }
    public double macroF1() { return macro.f1(); }
    public double microPrecision() { return micro.precision(); }
    public double microRecall() { return micro.recall(); }
    public double macroPrecision() { return macro.precision(); }
    public double macroRecall() { return macro.recall(); }

    /** Fraction of examples whose whole label set is right ({@code accuracy_score} on indicators). */
    public double subsetAccuracy() { return subsetAccuracy; }
    /** Fraction of wrong (example, label) decisions. */
    public double hammingLoss() { return hammingLoss; }

    /** AUC over all (example, label) pairs pooled; NaN if they are all positive or all negative. */
    public double rocAucMicro() { return rocAucMicro; }
    /** Mean of the defined per-label AUCs. */
    public double rocAucMacro() { return rocAuc.macro(); }
    /** Per-label AUCs averaged with the label supports as weights. */
    public double rocAucWeighted() { return rocAuc.weighted(); }
    /** Per-label AUC, NaN for a label whose targets are all 0 or all 1. */
    public double[] rocAucPerLabel() { return rocAuc.perClass().clone(); }

    /** A JSON-friendly summary (numbers and per-label arrays). NaN values are left out. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("micro_precision", micro.precision());
        m.put("micro_recall", micro.recall());
        m.put("micro_f1", micro.f1());
        m.put("macro_precision", macro.precision());
        m.put("macro_recall", macro.recall());
        m.put("macro_f1", macro.f1());
        m.put("weighted_f1", weighted.f1());
        m.put("samples_f1", samples.f1());
        m.put("subset_accuracy", subsetAccuracy);
        m.put("hamming_loss", hammingLoss);
        putIfFinite(m, "roc_auc_micro", rocAucMicro);
        putIfFinite(m, "roc_auc_macro", rocAuc.macro());
        m.put("thresholds", thresholds.clone());
        m.put("per_label_f1", f1.clone());
        m.put("per_label_roc_auc", Arrays.stream(rocAuc.perClass())
                .mapToObj(v -> Double.isNaN(v) ? null : v).toArray());
        m.put("support", support.clone());
        return m;
    }

    private static void putIfFinite(Map<String, Object> m, String key, double v) {
        if (Double.isFinite(v)) {
            m.put(key, v);
        }
    }
}
