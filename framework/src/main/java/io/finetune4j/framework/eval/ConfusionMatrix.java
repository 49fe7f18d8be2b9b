package io.finetune4j.framework.eval;

import io.finetune4j.framework.io.TextTable;
import io.finetune4j.framework.plot.ChartFiles;
import io.finetune4j.framework.plot.Heatmap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Confusion matrix of a single-label classifier: rows = true class, columns = predicted class
 * (sklearn's {@code confusion_matrix(y_true, y_pred, labels=range(K))}).
 */
public final class ConfusionMatrix {

    private final List<String> labelNames;
    private final long[][] counts;

    private ConfusionMatrix(List<String> labelNames, long[][] counts) {
        this.labelNames = List.copyOf(labelNames);
        this.counts = counts;
    }

    /**
     * @param yTrue      true class indices in {@code [0, labelNames.size())}
     * @param yPred      predicted class indices, same length
     * @param labelNames the class names, index = class id
     */
    public static ConfusionMatrix of(int[] yTrue, int[] yPred, List<String> labelNames) {
        Objects.requireNonNull(yTrue, "yTrue");
        Objects.requireNonNull(yPred, "yPred");
        Objects.requireNonNull(labelNames, "labelNames");
        if (yTrue.length != yPred.length) {
            throw new IllegalArgumentException(
                    "yTrue has " + yTrue.length + " entries, yPred " + yPred.length);
        }
        int k = labelNames.size();
        if (k == 0) {
            throw new IllegalArgumentException("no class names");
        }
        long[][] c = new long[k][k];
        for (int i = 0; i < yTrue.length; i++) {
            int t = yTrue[i];
            int p = yPred[i];
            if (t < 0 || t >= k || p < 0 || p >= k) {
                throw new IllegalArgumentException("example " + i + ": label out of range [0," + k
                        + "): true=" + t + " pred=" + p);
            }
            c[t][p]++;
        }
        return new ConfusionMatrix(labelNames, c);
    }

    /** From counts (rows = true, columns = predicted); the array is copied. */
    public static ConfusionMatrix ofCounts(long[][] counts, List<String> labelNames) {
        int k = labelNames.size();
        if (counts.length != k) {
            throw new IllegalArgumentException("counts has " + counts.length + " rows for " + k + " classes");
        }
        long[][] c = new long[k][];
        for (int i = 0; i < k; i++) {
            if (counts[i].length != k) {
                throw new IllegalArgumentException("row " + i + " has " + counts[i].length + " columns");
            }
            c[i] = counts[i].clone();
        }
        return new ConfusionMatrix(labelNames, c);
    }

    public List<String> labelNames() { return labelNames; }
    public int numClasses() { return labelNames.size(); }

    /** Count of examples of true class {@code t} predicted as {@code p}. */
    public long count(int t, int p) { return counts[t][p]; }

    /** A copy of the counts, rows = true, columns = predicted. */
    public long[][] counts() {
        long[][] out = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            out[i] = counts[i].clone();
        }
        return out;
    }

    long[][] countsView() { return counts; }

    /**
     * Rows divided by their sums (sklearn's {@code normalize='true'}: each row is the recall
     * distribution of a true class); a row with no examples is all 0.
     */
    public double[][] normalised() {
        int k = counts.length;
        double[][] out = new double[k][k];
        for (int t = 0; t < k; t++) {
            long sum = 0;
            for (long v : counts[t]) {
                sum += v;
            }
            for (int p = 0; p < k; p++) {
                out[t][p] = sum == 0 ? 0.0 : (double) counts[t][p] / (double) sum;
            }
        }
        return out;
    }

    /**
     * A plain-text table: one header row with the predicted class names, one row per true class;
     * counts, or row-normalised values with 2 decimals.
     */
    public String formatTable(boolean normalised) {
        int k = counts.length;
        double[][] norm = normalised ? normalised() : null;
        List<String> header = new ArrayList<>(List.of("true \\ pred"));
        header.addAll(labelNames);
        TextTable t = TextTable.numbers(header);
        for (int r = 0; r < k; r++) {
            List<String> row = new ArrayList<>(List.of(labelNames.get(r)));
            for (int p = 0; p < k; p++) row.add(normalised ? NpMath.fixed(norm[r][p], 2) : Long.toString(counts[r][p]));
            t.row(row);
        }
        return t.plain();
    }

    @Override
    public String toString() {
        return formatTable(false);
    }

    // ------------------------------------------------------------------ heatmap

    /**
     * Writes a heatmap of the matrix as a PNG, and an SVG beside it, atomically ({@link Heatmap}): true classes
     * down the left, predicted classes along the bottom, the value in each cell, a colour scale on the right.
     *
     * @param normalised colour and print row-normalised values (recall per true class) instead of counts
     * @param title      drawn above the matrix; may be null
     */
    public void writePng(Path file, boolean normalised, String title) throws IOException {
        ChartFiles.write(Heatmap.confusion(labelNames, counts, normalised ? normalised() : null, title), file);
    }
}
