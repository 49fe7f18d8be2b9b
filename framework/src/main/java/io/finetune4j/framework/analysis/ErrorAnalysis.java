package io.finetune4j.framework.analysis;

import io.finetune4j.framework.io.TextTable;
import io.finetune4j.framework.io.Ordered;
import io.finetune4j.framework.eval.PredictionRecord;
import io.finetune4j.framework.plot.BarChart;
import io.finetune4j.framework.plot.ChartFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Error analysis of a run's test predictions ({@code predictions.jsonl}): the highest- and lowest-loss examples,
 * high-confidence errors, false positives / negatives per class, and the error rate by text length (whitespace
 * words). An example is an error when its predicted label set differs from its true one (single-label: the
 * predicted class is wrong). Records without a true label are ignored.
 */
public final class ErrorAnalysis {

    /** Per class: true positives, false positives (predicted, not true) and false negatives (true, not predicted). */
    public record ClassErrors(String label, int tp, int fp, int fn) {
    }

    /** A length bin {@code [lo, hi]} in words ({@code hi = Integer.MAX_VALUE}: open-ended). */
    public record LengthBin(int lo, int hi, int examples, int errors) {
        public double errorRate() {
            return examples == 0 ? Double.NaN : (double) errors / examples;
        }

        public String name() {
            if (hi == Integer.MAX_VALUE) return lo + "+";
            return lo == hi ? String.valueOf(lo) : lo + "-" + hi;
        }
    }

    private final List<PredictionRecord> records;
    private final List<String> labels;

    public ErrorAnalysis(List<PredictionRecord> all) {
        this.records = all.stream().filter(r -> r.trueLabels() != null).toList();
        Set<String> l = new LinkedHashSet<>();
        for (PredictionRecord r : all) l.addAll(r.probabilities().keySet());
        for (PredictionRecord r : records) l.addAll(r.trueLabels());
        this.labels = List.copyOf(l);
    }

    public List<PredictionRecord> records() {
        return records;
    }

    public List<String> labels() {
        return labels;
    }

    public static boolean isError(PredictionRecord r) {
        return !new LinkedHashSet<>(r.trueLabels()).equals(new LinkedHashSet<>(r.predictedLabels()));
    }

    public static int words(String text) {
        if (text == null) return 0;
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    public int errorCount() {
        return (int) records.stream().filter(ErrorAnalysis::isError).count();
    }

    /** The {@code n} examples with the highest loss (records without a loss are skipped). */
    public List<PredictionRecord> highestLoss(int n) {
        return records.stream().filter(r -> r.loss() != null)
                .sorted(Comparator.comparingDouble((PredictionRecord r) -> -r.loss()).thenComparingLong(PredictionRecord::index))
                .limit(n).toList();
    }

    /** The {@code n} examples with the lowest loss. */
    public List<PredictionRecord> lowestLoss(int n) {
        return records.stream().filter(r -> r.loss() != null)
                .sorted(Comparator.comparingDouble(PredictionRecord::loss).thenComparingLong(PredictionRecord::index))
                .limit(n).toList();
    }

    /** All errors with {@code confidence >= threshold}, most confident first. */
    public List<PredictionRecord> confidentErrors(double threshold) {
        return records.stream().filter(r -> isError(r) && r.confidence() >= threshold)
                .sorted(Comparator.comparingDouble((PredictionRecord r) -> -r.confidence())
                        .thenComparingLong(PredictionRecord::index))
                .toList();
    }

    /** TP / FP / FN per class, in label order. */
    public List<ClassErrors> perClass() {
        List<ClassErrors> out = new ArrayList<>();
        for (String l : labels) {
            int tp = 0, fp = 0, fn = 0;
            for (PredictionRecord r : records) {
                boolean t = r.trueLabels().contains(l), p = r.predictedLabels().contains(l);
                if (t && p) tp++;
                else if (p) fp++;
                else if (t) fn++;
            }
            out.add(new ClassErrors(l, tp, fp, fn));
        }
        return out;
    }

    /** False positives of {@code label}: predicted {@code label} but it is not true. */
    public List<PredictionRecord> falsePositives(String label) {
        return records.stream().filter(r -> r.predictedLabels().contains(label) && !r.trueLabels().contains(label))
                .sorted(Comparator.comparingDouble((PredictionRecord r) -> -r.confidence())).toList();
    }

    /** False negatives of {@code label}: true but not predicted. */
    public List<PredictionRecord> falseNegatives(String label) {
        return records.stream().filter(r -> r.trueLabels().contains(label) && !r.predictedLabels().contains(label))
                .sorted(Comparator.comparingDouble((PredictionRecord r) -> -r.confidence())).toList();
    }

    /**
     * Error rate per word-count bin. {@code upperEdges} (increasing) close the bins {@code [0, e1]},
     * {@code [e1+1, e2]}, ..., and a last open bin {@code [ek+1, ∞)}; empty bins are kept (rate NaN).
     */
    public List<LengthBin> byLength(int... upperEdges) {
        List<LengthBin> out = new ArrayList<>();
        int lo = 0;
        for (int k = 0; k <= upperEdges.length; k++) {
            int hi = k < upperEdges.length ? upperEdges[k] : Integer.MAX_VALUE;
            if (k > 0 && upperEdges[k - 1] >= hi) throw new IllegalArgumentException("length edges must increase: "
                    + Arrays.toString(upperEdges));
            int n = 0, e = 0;
            for (PredictionRecord r : records) {
                int w = words(r.text());
                if (w >= lo && w <= hi) {
                    n++;
                    if (isError(r)) e++;
                }
            }
            out.add(new LengthBin(lo, hi, n, e));
            if (hi == Integer.MAX_VALUE) break;
            lo = hi + 1;
        }
        return out;
    }

    /**
     * Edges for about {@code bins} equally filled bins: the word-count quintiles (for 5) of the records, distinct
     * and increasing, the largest count excluded (it falls in the open bin).
     */
    public int[] quantileEdges(int bins) {
        int[] w = records.stream().mapToInt(r -> words(r.text())).sorted().toArray();
        if (w.length == 0) return new int[0];
        List<Integer> edges = new ArrayList<>();
        for (int k = 1; k < bins; k++) {
            int e = w[Math.min(w.length - 1, (int) Math.ceil((double) k * w.length / bins) - 1)];
            if (e < w[w.length - 1] && (edges.isEmpty() || e > edges.get(edges.size() - 1))) edges.add(e);
        }
        return edges.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A bar per bin: the error rate, labelled with the words range and count (the PNG, and an SVG beside it). */
    public static void writeLengthPng(Path file, List<LengthBin> bins, String title) throws IOException {
        BarChart plot = new BarChart(title, "words (examples)", "error rate");
        for (LengthBin b : bins) {
            plot.bar(b.name() + " (" + b.examples() + ")", Double.isNaN(b.errorRate()) ? 0 : b.errorRate(),
                    Double.NaN, new double[0]);
        }
        ChartFiles.write(plot.chart(), file);
    }

    // ---- the report -------------------------------------------------------------------------------------------

    /** {@code errors.md}: everything above, {@code top} examples per list, errors at {@code confidence} or more. */
    public String markdown(int top, double confidence, int[] lengthEdges, String edgeCases) {
        StringBuilder sb = new StringBuilder("# Error analysis\n\n");
        int errors = errorCount();
        sb.append(String.format(Locale.ROOT, "%d test examples, %d errors (error rate %.4f).%n%n", records.size(),
                errors, records.isEmpty() ? Double.NaN : (double) errors / records.size()));

        sb.append("## Highest loss (top ").append(top).append(")\n\n");
        table(sb, highestLoss(top));
        sb.append("## Lowest loss (top ").append(top).append(")\n\n");
        table(sb, lowestLoss(top));

        List<PredictionRecord> ce = confidentErrors(confidence);
        sb.append(String.format(Locale.ROOT, "## High-confidence errors (confidence >= %.2f): %d%n%n", confidence,
                ce.size()));
        table(sb, ce.subList(0, Math.min(top, ce.size())));

        sb.append("## False positives and false negatives per class\n\n");
        TextTable classes = TextTable.numbers(List.of("class", "TP", "FP", "FN"));
        for (ClassErrors c : perClass()) {
            classes.row(c.label(), Integer.toString(c.tp()), Integer.toString(c.fp()), Integer.toString(c.fn()));
        }
        sb.append(classes.markdown()).append('\n');
        if (labels.size() == 2) {
            String pos = labels.get(1);
            sb.append("Binary task, positive class `").append(pos).append("`: ")
                    .append(falsePositives(pos).size()).append(" false positives, ")
                    .append(falseNegatives(pos).size()).append(" false negatives.\n\n");
            sb.append("### False positives (predicted ").append(pos).append(", most confident first)\n\n");
            List<PredictionRecord> fp = falsePositives(pos);
            table(sb, fp.subList(0, Math.min(top, fp.size())));
            sb.append("### False negatives (true ").append(pos).append(", most confident first)\n\n");
            List<PredictionRecord> fn = falseNegatives(pos);
            table(sb, fn.subList(0, Math.min(top, fn.size())));
        }

        sb.append("## Error rate by length (whitespace words)\n\n");
        TextTable lengths = TextTable.numbers(List.of("words", "examples", "errors", "error rate"));
        for (LengthBin b : byLength(lengthEdges)) {
            lengths.row(b.name(), Integer.toString(b.examples()), Integer.toString(b.errors()),
                    Abstention.fmt(b.errorRate()));
        }
        sb.append(lengths.markdown());
        sb.append("\n![error rate by length](error_rate_by_length.png)\n\n");
        if (edgeCases != null) sb.append(edgeCases);
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<PredictionRecord> rs) {
        if (rs.isEmpty()) {
            sb.append("(none)\n\n");
            return;
        }
        TextTable t = new TextTable(List.of("#", "true", "predicted", "confidence", "loss", "text"),
                true, false, false, true, true, false);
        for (PredictionRecord r : rs) {
            t.row(Long.toString(r.index()), String.join(",", r.trueLabels()), String.join(",", r.predictedLabels()),
                    String.format(Locale.ROOT, "%.4f", r.confidence()),
                    r.loss() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.loss()), shorten(r.text(), 160));
        }
        sb.append(t.markdown()).append('\n');
    }

    static String shorten(String s, int max) {
        if (s == null) return "";
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() <= max ? t : t.substring(0, max - 1) + "…";
    }

    /** A JSON-ready summary. */
    public Map<String, Object> toMap(double confidence, int[] lengthEdges) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", records.size());
        m.put("errors", errorCount());
        m.put("confidence_threshold", confidence);
        m.put("confident_errors", confidentErrors(confidence).size());
        Map<String, Object> pc = new LinkedHashMap<>();
        for (ClassErrors c : perClass()) pc.put(c.label(), Ordered.map("tp", c.tp(), "fp", c.fp(), "fn", c.fn()));
        m.put("per_class", pc);
        List<Map<String, Object>> bins = new ArrayList<>();
        for (LengthBin b : byLength(lengthEdges)) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("words", b.name());
            bm.put("examples", b.examples());
            bm.put("errors", b.errors());
            bm.put("error_rate", Double.isNaN(b.errorRate()) ? null : b.errorRate());
            bins.add(bm);
        }
        m.put("by_length", bins);
        return m;
    }
}
