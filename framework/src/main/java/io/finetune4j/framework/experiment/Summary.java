package io.finetune4j.framework.experiment;

import io.finetune4j.framework.io.TextTable;

import static io.finetune4j.framework.io.Files2.writeAtomically;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Summarises an experiment's {@code results.jsonl} lines (one JSON object per finished trial, see the runner) into
 * {@code summary.md} and PNG plots (an SVG beside each) in one folder:
 * <ul>
 *   <li>{@code summary.md}: every trial sorted by {@code test.<metric>} descending (swept params by their short
 *   name, seed, the metric, accuracy, macro F1 — or micro F1 and micro ROC-AUC for multi-label data — train
 *   seconds, samples/s), then the same params averaged over seeds (mean ± sample std, mean train time, n);</li>
 *   <li>{@code metric_vs_<param>.png} per swept param: numeric params as dots per seed plus a mean line (log x for
 *   learning rates), one series per combination of the other params; categorical params (backbone) as bars of the
 *   mean with ± std and the seeds as dots;</li>
 *   <li>{@code time_vs_fraction.png} when {@code dataset.fraction} is swept: train seconds and the metric vs the
 *   fraction, side by side;</li>
 *   <li>{@code accuracy_vs_time.png} when more than one backbone ({@code model}) appears: one series per backbone.</li>
 * </ul>
 * Every file is written atomically (temp file + move).
 */
public final class Summary {

    /** At most this many series (combinations of the other params) in a metric-vs-param plot before they merge. */
    static final int MAX_SERIES = 6;

    private Summary() {
    }

    /**
     * Writes {@code summary.md} and the plots into {@code outputDir} and returns the first (per-trial) Markdown table.
     *
     * @param resultLines the results.jsonl objects (already merged and de-duplicated)
     * @param sortMetric  a key of each line's {@code test} object, e.g. {@code accuracy} or {@code macro_f1}
     * @throws IllegalArgumentException no lines, or no line has {@code test.<sortMetric>}
     */
    public static String write(Path outputDir, List<JsonNode> resultLines, String sortMetric) {
        if (resultLines == null || resultLines.isEmpty()) throw new IllegalArgumentException("no results to summarise");
        if (sortMetric == null || sortMetric.isBlank()) throw new IllegalArgumentException("no metric to sort by");
        List<JsonNode> finished = new ArrayList<>(), failed = new ArrayList<>();
        for (JsonNode l : resultLines) (Results.isFailed(l) ? failed : finished).add(l);
        TextTable failures = failed.isEmpty() ? null : failedTable(failed);
        if (finished.isEmpty()) {                     // every trial so far failed: list them, nothing to plot
            try {
                Files.createDirectories(outputDir);
                writeAtomically(outputDir.resolve("summary.md"), "# Experiment summary\n\nNo trial has finished.\n"
                        + "\n## Failed trials\n\n" + FAILED_NOTE + failures.markdown());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return "Failed trials:\n\n" + failures.markdown();
        }
        Model m = new Model(finished, sortMetric);
        TextTable trials = m.trialTable();
        TextTable means = m.seedTable();
        try {
            Files.createDirectories(outputDir);
            List<String> plots = SummaryPlots.write(outputDir, m);
            StringBuilder md = new StringBuilder();
            md.append("# Experiment summary\n\n");
            md.append(m.trials.size()).append(m.trials.size() == 1 ? " trial" : " trials")
                    .append(", sorted by test ").append(sortMetric).append(" (descending)")
                    .append(m.multiLabel ? "; multi-label data" : "").append(".");
            if (!m.params.isEmpty()) md.append(" Swept: ").append(String.join(", ", m.params)).append('.');
            md.append("\n\n").append(trials.markdown());
            md.append("\n## Mean over seeds\n\n")
                    .append("Trials with the same swept params, averaged over their seeds: mean ± sample standard "
                            + "deviation (n − 1; none for a single seed).\n\n")
                    .append(means.markdown());
            if (failures != null) md.append("\n## Failed trials\n\n").append(FAILED_NOTE).append(failures.markdown());
            if (!plots.isEmpty()) {
                md.append("\n## Plots\n\n");
                for (String p : plots) md.append("![").append(p).append("](").append(p).append(")\n\n");
            }
            writeAtomically(outputDir.resolve("summary.md"), md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return trials.markdown() + (failures == null ? "" : "\nFailed trials:\n\n" + failures.markdown());
    }

    private static final String FAILED_NOTE = "Not in the tables or plots above; running the experiment again "
            + "retries them.\n\n";

    /** The failed trials: index, hash, swept params, seed and the one-line error. */
    private static TextTable failedTable(List<JsonNode> failed) {
        TextTable t = new TextTable(List.of("trial", "hash", "params", "seed", "error"), true, false, false, true, false);
        for (JsonNode l : failed) {
            List<String> ps = new ArrayList<>();
            l.path("params").fields().forEachRemaining(e -> ps.add(e.getKey() + "=" + value(e.getValue())));
            t.row(l.path("trial").asText(""), l.path("hash").asText(""), String.join(" ", ps),
                    l.path("seed").asText(""), l.path("error").asText(""));
        }
        return t;
    }


    // ------------------------------------------------------------------ the data

    /** One results.jsonl line, with what the summary needs pulled out. */
    record Trial(JsonNode raw, String trial, Map<String, JsonNode> params, String seed, String model, double metric,
                 JsonNode test, double trainSeconds, double samplesPerSecond) {
        double test(String key) {
            JsonNode v = test.get(key);
            return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
        }
    }

    /** Trials with the same non-seed params, averaged. */
    record Group(Map<String, JsonNode> params, List<Trial> trials, double mean, double std, double meanSeconds) {
    }

    /** The parsed lines and the decisions (params, short names, multi-label) shared by tables and plots. */
    static final class Model {
        final String metric;
        final List<Trial> trials = new ArrayList<>();
        /** Swept params (full names) in first-seen order, seed-like params left out. */
        final List<String> params = new ArrayList<>();
        final Map<String, String> shortNames = new LinkedHashMap<>();
        final boolean multiLabel;
        final Set<String> models = new LinkedHashSet<>();

        Model(List<JsonNode> lines, String metric) {
            this.metric = metric;
            Set<String> all = new LinkedHashSet<>();
            for (JsonNode l : lines) {
                JsonNode p = l.path("params");
                p.fieldNames().forEachRemaining(all::add);
            }
            for (String p : all) if (!lastSegment(p).equals("seed")) params.add(p);
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (String p : params) counts.merge(lastSegment(p), 1, Integer::sum);
            for (String p : params) shortNames.put(p, counts.get(lastSegment(p)) > 1 ? p : lastSegment(p));

            boolean ml = false;
            boolean any = false;
            Set<String> available = new LinkedHashSet<>();
            for (JsonNode l : lines) {
                JsonNode test = l.path("test");
                test.fieldNames().forEachRemaining(available::add);
                ml |= test.has("hamming_loss") || test.has("roc_auc_micro");
                Map<String, JsonNode> ps = new LinkedHashMap<>();
                for (String p : params) ps.put(p, l.path("params").get(p));
                String seed = l.hasNonNull("seed") ? l.get("seed").asText() : seedParam(l);
                String model = l.hasNonNull("model") ? l.get("model").asText() : "";
                if (!model.isEmpty()) models.add(model);
                JsonNode mv = test.get(metric);
                double v = mv != null && mv.isNumber() ? mv.asDouble() : Double.NaN;
                any |= !Double.isNaN(v);
                trials.add(new Trial(l, l.path("trial").asText(""), ps, seed, model, v, test,
                        num(l, "train_seconds"), num(l, "train_samples_per_second")));
            }
            if (!any) {
                throw new IllegalArgumentException("no trial has test metric '" + metric + "'; the results have: "
                        + (available.isEmpty() ? "(none)" : String.join(", ", available)));
            }
            this.multiLabel = ml;
            trials.sort(Comparator.comparingDouble((Trial t) -> Double.isNaN(t.metric()) ? Double.NEGATIVE_INFINITY
                    : t.metric()).reversed().thenComparing(Summary::compareTrialIds));
        }

        private String seedParam(JsonNode l) {
            for (var it = l.path("params").fields(); it.hasNext(); ) {
                var e = it.next();
                if (lastSegment(e.getKey()).equals("seed")) return e.getValue().asText();
            }
            return "";
        }

        /** The extra metric columns: accuracy and macro F1, or micro F1 and micro ROC-AUC (multi-label). */
        List<String> extraMetrics() {
            List<String> extra = new ArrayList<>(multiLabel ? List.of("micro_f1", "roc_auc_micro")
                    : List.of("accuracy", "macro_f1"));
            extra.remove(metric);
            return extra;
        }

        TextTable trialTable() {
            List<String> header = new ArrayList<>(List.of("trial"));
            for (String p : params) header.add(shortNames.get(p));
            header.add("seed");
            header.add(metric);
            header.addAll(extraMetrics());
            header.add("train_seconds");
            header.add("samples/s");
            boolean[] right = new boolean[header.size()];
            for (int i = 0; i < right.length; i++) right[i] = i == 0 || i > params.size() || isNumeric(params.get(i - 1));
            TextTable t = new TextTable(header, right);
            for (Trial tr : trials) {
                List<String> row = new ArrayList<>(List.of(tr.trial()));
                for (String p : params) row.add(value(tr.params().get(p)));
                row.add(tr.seed());
                row.add(metricCell(tr.metric()));
                for (String e : extraMetrics()) row.add(metricCell(tr.test(e)));
                row.add(fixed(tr.trainSeconds(), 1));
                row.add(fixed(tr.samplesPerSecond(), 1));
                t.row(row);
            }
            return t;
        }

        /** Groups of trials with equal params, best mean first. */
        List<Group> groups() {
            Map<String, List<Trial>> by = new LinkedHashMap<>();
            for (Trial t : trials) by.computeIfAbsent(key(t.params(), params), k -> new ArrayList<>()).add(t);
            List<Group> out = new ArrayList<>();
            for (List<Trial> ts : by.values()) {
                double[] v = ts.stream().mapToDouble(Trial::metric).filter(d -> !Double.isNaN(d)).toArray();
                double[] s = ts.stream().mapToDouble(Trial::trainSeconds).filter(d -> !Double.isNaN(d)).toArray();
                out.add(new Group(ts.get(0).params(), ts, mean(v), std(v), mean(s)));
            }
            out.sort(Comparator.comparingDouble((Group g) -> Double.isNaN(g.mean()) ? Double.NEGATIVE_INFINITY
                    : g.mean()).reversed());
            return out;
        }

        TextTable seedTable() {
            List<String> header = new ArrayList<>();
            for (String p : params) header.add(shortNames.get(p));
            header.add(metric + " (mean ± std)");
            header.add("train_seconds (mean)");
            header.add("n seeds");
            boolean[] right = new boolean[header.size()];
            for (int i = 0; i < right.length; i++) right[i] = i >= params.size() || isNumeric(params.get(i));
            TextTable t = new TextTable(header, right);
            for (Group g : groups()) {
                List<String> row = new ArrayList<>();
                for (String p : params) row.add(value(g.params().get(p)));
                row.add(metricCell(g.mean()) + (Double.isNaN(g.std()) ? "" : " ± " + metricCell(g.std())));
                row.add(fixed(g.meanSeconds(), 1));
                row.add(Integer.toString(g.trials().size()));
                t.row(row);
            }
            return t;
        }

        boolean isNumeric(String param) {
            boolean seen = false;
            for (Trial t : trials) {
                JsonNode v = t.params().get(param);
                if (v == null || v.isNull()) continue;
                if (!v.isNumber()) return false;
                seen = true;
            }
            return seen;
        }
    }

    // ------------------------------------------------------------------ small helpers

    static String key(Map<String, JsonNode> values, List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            if (n == null) continue;
            sb.append(n).append('=').append(values.get(n)).append('\u0001');
        }
        return sb.toString();
    }

    /** Trial ids numerically when both are numbers, else as text. */
    static int compareTrialIds(Trial a, Trial b) {
        try {
            return Long.compare(Long.parseLong(a.trial()), Long.parseLong(b.trial()));
        } catch (NumberFormatException e) {
            return a.trial().compareTo(b.trial());
        }
    }

    static String lastSegment(String p) {
        int i = p.lastIndexOf('.');
        return i < 0 ? p : p.substring(i + 1);
    }

    /** A param value as a cell: numbers compact ({@code 5e-05}, {@code 64}, {@code 0.5}), text as it is. */
    static String value(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return "–";
        if (v.isNumber()) return Numbers.compact(v.asDouble());
        if (v.isValueNode()) return v.asText();
        return v.toString();
    }

    static String metricCell(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static double num(JsonNode l, String field) {
        JsonNode v = l.get(field);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    static double mean(double[] v) {
        if (v.length == 0) return Double.NaN;
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }

    /** Sample standard deviation (n − 1); NaN for fewer than two values. */
    static double std(double[] v) {
        if (v.length < 2) return Double.NaN;
        double m = mean(v), s = 0;
        for (double d : v) s += (d - m) * (d - m);
        return Math.sqrt(s / (v.length - 1));
    }
}
