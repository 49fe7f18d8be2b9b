package io.finetune4j.framework.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Single-label classification metrics with the numbers and the text layout of scikit-learn's
 * {@code classification_report(y_true, y_pred, labels=range(K), target_names=labelNames,
 * digits=d, zero_division=0)} and {@code precision_recall_fscore_support} (sklearn 1.2 formulas).
 *
 * <p>Classes are the indices {@code 0..K-1} of {@code labelNames}; every listed class gets a row,
 * also one that never occurs. Division by zero gives 0 (sklearn's {@code zero_division=0}, which
 * is also what its default {@code "warn"} returns): a class that is never predicted has precision
 * 0, one that never occurs in {@code yTrue} has recall 0 (and support 0), and F1 is 0 when
 * precision + recall is 0.
 */
public final class ClassificationReport {

    /** Precision, recall and F1 of one averaging method. */
    public record Averages(double precision, double recall, double f1) {}

    private final List<String> labelNames;
    private final ConfusionMatrix confusion;
    private final double[] precision;
    private final double[] recall;
    private final double[] f1;
    private final long[] support;
    private final long total;
    private final double accuracy;
    private final Averages micro;
    private final Averages macro;
    private final Averages weighted;

    private ClassificationReport(ConfusionMatrix cm) {
        this.confusion = cm;
        this.labelNames = cm.labelNames();
        int k = labelNames.size();
        long[] tp = new long[k];
        long[] predSum = new long[k];
        long[] trueSum = new long[k];
        long n = 0;
        long correct = 0;
        long[][] c = cm.countsView();
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                trueSum[t] += c[t][p];
                predSum[p] += c[t][p];
                n += c[t][p];
            }
            tp[t] = c[t][t];
            correct += c[t][t];
        }
        this.total = n;
        this.support = trueSum;
        this.accuracy = n == 0 ? Double.NaN : (double) correct / (double) n;
        this.precision = new double[k];
        this.recall = new double[k];
        this.f1 = new double[k];
        for (int i = 0; i < k; i++) {
            precision[i] = divide(tp[i], predSum[i]);
            recall[i] = divide(tp[i], trueSum[i]);
            f1[i] = fScore(precision[i], recall[i]);
        }
        long tpAll = Arrays.stream(tp).sum();
        long predAll = Arrays.stream(predSum).sum();
        long trueAll = Arrays.stream(trueSum).sum();
        double mp = divide(tpAll, predAll);
        double mr = divide(tpAll, trueAll);
        this.micro = new Averages(mp, mr, fScore(mp, mr));
        this.macro = new Averages(NpMath.mean(precision), NpMath.mean(recall), NpMath.mean(f1));
        if (trueAll == 0) {
            // sklearn returns (0, zero_division, 0) when no class has support; zero_division = 0
            this.weighted = new Averages(0, 0, 0);
        } else {
            this.weighted = new Averages(NpMath.average(precision, trueSum),
                    NpMath.average(recall, trueSum), NpMath.average(f1, trueSum));
        }
    }

    /**
     * @param yTrue      true class indices in {@code [0, labelNames.size())}
     * @param yPred      predicted class indices, same length
     * @param labelNames the class names, index = class id
     */
    public static ClassificationReport of(int[] yTrue, int[] yPred, List<String> labelNames) {
        return new ClassificationReport(ConfusionMatrix.of(yTrue, yPred, labelNames));
    }

    /** From an existing confusion matrix (rows = true, columns = predicted). */
    public static ClassificationReport of(ConfusionMatrix confusion) {
        return new ClassificationReport(confusion);
    }

    /** sklearn {@code _prf_divide} with {@code zero_division=0}. */
    static double divide(long num, long den) {
        return den == 0 ? 0.0 : (double) num / (double) den;
    }

    /** sklearn 1.2 F1: {@code (1 + beta2) * p * r / denom}, denom = p + r, 0 where that is 0. */
    static double fScore(double p, double r) {
        double denom = 1.0 * p + r;
        if (denom == 0.0) {
            denom = 1.0;
        }
        return (1.0 + 1.0) * p * r / denom;
    }

    public List<String> labelNames() { return labelNames; }
    public int numClasses() { return labelNames.size(); }
    public ConfusionMatrix confusionMatrix() { return confusion; }
    /** Number of examples. */
    public long total() { return total; }
    /** Fraction of exactly right predictions ({@code accuracy_score}); NaN when there are no examples. */
    public double accuracy() { return accuracy; }
    /** Per-class precision (copy). */
    public double[] precision() { return precision.clone(); }
    /** Per-class recall (copy). */
    public double[] recall() { return recall.clone(); }
    /** Per-class F1 (copy). */
    public double[] f1() { return f1.clone(); }
    /** Per-class number of true examples (copy). */
    public long[] support() { return support.clone(); }
    public Averages micro() { return micro; }
    public Averages macro() { return macro; }
    public Averages weighted() { return weighted; }
    public double microF1() { return micro.f1(); }
    public double macroF1() { return macro.f1(); }
    public double weightedF1() { return weighted.f1(); }
    public double macroPrecision() { return macro.precision(); }
    public double macroRecall() { return macro.recall(); }

    /**
     * The headline numbers of a run's metrics, in this order: {@code accuracy}, {@code macro_f1}, {@code weighted_f1},
     * {@code macro_precision}, {@code macro_recall} (a fine-tuning run and the embedding baselines write the same keys).
     */
    public Map<String, Object> headline() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy());
        m.put("macro_f1", macroF1());
        m.put("weighted_f1", weightedF1());
        m.put("macro_precision", macroPrecision());
        m.put("macro_recall", macroRecall());
        return m;
    }

    /**
     * A JSON-friendly view in the shape of sklearn's {@code output_dict=True}: one entry per class
     * name ({@code precision, recall, f1-score, support}), then {@code accuracy}, {@code macro avg},
     * {@code weighted avg}, plus {@code micro avg}.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < labelNames.size(); i++) {
            m.put(labelNames.get(i), row(precision[i], recall[i], f1[i], support[i]));
        }
        m.put("accuracy", accuracy);
        m.put("macro avg", row(macro.precision(), macro.recall(), macro.f1(), total));
        m.put("weighted avg", row(weighted.precision(), weighted.recall(), weighted.f1(), total));
        m.put("micro avg", row(micro.precision(), micro.recall(), micro.f1(), total));
        return m;
    }

    private static Map<String, Object> row(double p, double r, double f, long s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision", p);
        m.put("recall", r);
        m.put("f1-score", f);
        m.put("support", s);
        return m;
    }

    /** {@link #format(int)} with 2 digits, like sklearn's default. */
    @Override
    public String toString() {
        return format(2);
    }

    /**
     * The text of sklearn's {@code classification_report(..., digits=digits)}, character for
     * character (the micro average is shown as the {@code accuracy} row, as sklearn does when the
     * labels cover every class present). Ends with a newline.
     */
    public String format(int digits) {
        if (digits < 0) {
            throw new IllegalArgumentException("digits must be >= 0: " + digits);
        }
        final String lastHeading = "weighted avg";
        int nameWidth = 0;
        for (String name : labelNames) {
            nameWidth = Math.max(nameWidth, name.codePointCount(0, name.length()));
        }
        int width = Math.max(Math.max(nameWidth, lastHeading.length()), digits);
        StringBuilder sb = new StringBuilder();
        // head_fmt = "{:>{width}s} " + " {:>9}" * len(headers)
        sb.append(NpMath.right("", width)).append(' ');
        for (String h : new String[] {"precision", "recall", "f1-score", "support"}) {
            sb.append(' ').append(NpMath.right(h, 9));
        }
        sb.append("\n\n");
        for (int i = 0; i < labelNames.size(); i++) {
            row(sb, labelNames.get(i), precision[i], recall[i], f1[i], support[i], width, digits);
        }
        sb.append('\n');
        // accuracy row: "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
        sb.append(NpMath.right("accuracy", width)).append(' ');
        sb.append(' ').append(NpMath.right("", 9));
        sb.append(' ').append(NpMath.right("", 9));
        sb.append(' ').append(NpMath.right(NpMath.fixed(micro.f1(), digits), 9));
        sb.append(' ').append(NpMath.right(Long.toString(total), 9)).append('\n');
        row(sb, "macro avg", macro.precision(), macro.recall(), macro.f1(), total, width, digits);
        row(sb, "weighted avg", weighted.precision(), weighted.recall(), weighted.f1(), total, width, digits);
        return sb.toString();
    }

    // row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    private static void row(StringBuilder sb, String name, double p, double r, double f, long s,
                            int width, int digits) {
        sb.append(NpMath.right(name, width)).append(' ');
        for (double v : new double[] {p, r, f}) {
            sb.append(' ').append(NpMath.right(NpMath.fixed(v, digits), 9));
        }
        sb.append(' ').append(NpMath.right(Long.toString(s), 9)).append('\n');
    }

    /** Class names paired with their F1, worst first (handy for logs). */
    public List<Map.Entry<String, Double>> classesByF1() {
        List<Map.Entry<String, Double>> out = new ArrayList<>();
        for (int i = 0; i < labelNames.size(); i++) {
            out.add(Map.entry(labelNames.get(i), f1[i]));
        }
        out.sort(Map.Entry.comparingByValue());
        return Collections.unmodifiableList(out);
    }
}
