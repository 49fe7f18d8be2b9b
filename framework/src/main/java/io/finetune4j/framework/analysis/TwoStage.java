package io.finetune4j.framework.analysis;

import io.finetune4j.framework.io.Files2;
import io.finetune4j.framework.io.TextTable;
import io.finetune4j.framework.io.Ordered;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.finetune4j.framework.data.Example;
import io.finetune4j.framework.data.ReadOptions;
import io.finetune4j.framework.data.TextDataset;
import io.finetune4j.framework.eval.ClassificationReport;
import io.finetune4j.framework.eval.PredictionRecord;
import io.finetune4j.framework.eval.PredictionsWriter;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.config.RunConfig.DataArgs;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.finetune.FineTuneRun;
import io.finetune4j.framework.finetune.RunData;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Two-stage (hierarchical) classification around the most-confused class pair {@code (a, b)}:
 * <ol>
 *   <li>a single model on all classes (the baseline; its validation confusion matrix picks the pair when it is
 *   {@code auto});</li>
 *   <li>stage 1: the same model trained on merged labels, {@code a} and {@code b} becoming one label {@code a+b};</li>
 *   <li>stage 2: a specialist trained on the examples of {@code a} and {@code b} only.</li>
 * </ol>
 * Combined prediction: stage 1's label, except that the examples stage 1 sends to {@code a+b} (and only those) go to
 * stage 2, whose label replaces it. The three trainings are ordinary {@link FineTuneRun}s on the same data split, in
 * {@code DIR} (single), {@code DIR/stage1} and {@code DIR/stage2}; the merged data files are in
 * {@code DIR/two_stage_data}. Writes {@code DIR/two_stage_report.txt} and {@code DIR/two_stage.json}.
 *
 * <p>Over 300 lines on purpose: one analysis start to end (the three runs, the combination, its report), read in
 * the order it happens.
 */
public final class TwoStage {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The merged pair. */
    public record Pair(String a, String b) {
        public String merged() {
            return a + "+" + b;
        }

        public boolean contains(String label) {
            return a.equals(label) || b.equals(label);
        }
    }

    /** What a two-stage run produced. */
    public record Outcome(Pair pair, FineTuneRun.Result singleRun, ClassificationReport single,
                          ClassificationReport combined, String report, Map<String, Object> json) {
    }

    private TwoStage() {
    }

    // ---- the pure parts (unit-tested) -----------------------------------------------------------------------------

    /**
     * The most-confused pair of a confusion matrix (rows: true, columns: predicted): the largest
     * {@code C[i][j] + C[j][i]} over {@code i < j}. With {@code normalise}, each direction is divided by the support of
     * its true class ({@code C[i][j]/n_i + C[j][i]/n_j}, classes without support count 0), so that large classes do
     * not win by size alone. Ties: the first pair in row order. The pair is named in label order.
     */
    public static Pair mostConfused(long[][] c, List<String> labels, boolean normalise) {
        int k = labels.size();
        if (k < 2 || c.length != k) throw new IllegalArgumentException("a confusion matrix of " + k + " labels needs "
                + k + " rows, has " + c.length);
        double[] support = new double[k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) support[i] += c[i][j];
        double best = -1;
        int bi = 0, bj = 1;
        for (int i = 0; i < k; i++) {
            for (int j = i + 1; j < k; j++) {
                double v = normalise
                        ? (support[i] > 0 ? c[i][j] / support[i] : 0) + (support[j] > 0 ? c[j][i] / support[j] : 0)
                        : c[i][j] + c[j][i];
                if (v > best) {
                    best = v;
                    bi = i;
                    bj = j;
                }
            }
        }
        return new Pair(labels.get(bi), labels.get(bj));
    }

    /** {@code label} with the pair merged. */
    public static String merge(String label, Pair pair) {
        return pair.contains(label) ? pair.merged() : label;
    }

    /**
     * The combined predictions: stage 1's label, and for the examples stage 1 labelled {@code merged} the label
     * {@code stage2} returns for them. {@code stage2} gets the indices of those examples only (in order) and returns
     * one label per index.
     */
    public static String[] combine(String[] stage1, String merged, Function<int[], String[]> stage2) {
        List<Integer> routed = new ArrayList<>();
        for (int i = 0; i < stage1.length; i++) if (merged.equals(stage1[i])) routed.add(i);
        int[] idx = routed.stream().mapToInt(Integer::intValue).toArray();
        String[] out = stage1.clone();
        if (idx.length == 0) return out;
        String[] s2 = stage2.apply(idx);
        if (s2.length != idx.length) throw new IllegalStateException("stage 2 returned " + s2.length + " labels for "
                + idx.length + " examples");
        for (int k = 0; k < idx.length; k++) out[idx[k]] = s2[k];
        return out;
    }

    // ---- the run -------------------------------------------------------------------------------------------------

    /**
     * Runs the three trainings of {@code base} (its output: the single model's folder) and the combination.
     * {@code pair}: two label names, or null for the most-confused pair of the single model's validation confusion
     * matrix (its test matrix when there is no validation set, with a note).
     */
    public static Outcome run(RunConfig base, Path dataBase, List<String> pair, boolean normalise, int top,
                              PrintWriter out) throws IOException {
        Path dir = base.output().outputDir();
        out.println("finetune4j: two-stage: [1/3] the single model on all classes");
        FineTuneRun.Result single = FineTuneRun.run(base, dataBase, out);
        List<String> labels = configLabels(single.metrics());
        String pairNote;
        Pair p;
        if (pair != null) {
            for (String l : pair) {
                if (!labels.contains(l)) throw new IllegalArgumentException("two_stage.pair: '" + l
                        + "' is not a label of the data " + labels);
            }
            p = new Pair(pair.get(0), pair.get(1));
            pairNote = "given in the experiment";
        } else {
            Object val = single.metrics().get("validation");
            Map<?, ?> m = val instanceof Map<?, ?> vm ? vm : (Map<?, ?>) single.metrics().get("test");
            p = mostConfused((long[][]) m.get("confusion_matrix"), labels, normalise);
            pairNote = "most confused on the " + (val != null ? "validation" : "TEST (no validation set: optimistic)")
                    + " confusion matrix, " + (normalise ? "normalised by class support" : "raw counts");
        }
        out.println("finetune4j: two-stage: pair " + p.a() + " / " + p.b() + " (" + pairNote + ")");

        RunData data = RunData.prepare(base.data(), dataBase, base.training().seed(), note -> { });
        Path dataDir = dir.resolve("two_stage_data");
        List<String> mergedLabels = new ArrayList<>();
        for (String l : labels) if (!mergedLabels.contains(merge(l, p))) mergedLabels.add(merge(l, p));
        boolean pairs = data.train().size() > 0 && data.train().get(0).textPair() != null;

        out.println("finetune4j: two-stage: [2/3] stage 1 on merged labels (" + p.merged() + ")");
        RunConfig s1 = stage(base, dir.resolve("stage1"), mergedLabels, pairs,
                writeData(dataDir.resolve("stage1_train.jsonl"), data.train(), p, false),
                writeData(dataDir.resolve("stage1_test.jsonl"), data.test(), p, false),
                data.validation() == null ? null
                        : writeData(dataDir.resolve("stage1_validation.jsonl"), data.validation(), p, false));
        FineTuneRun.Result r1 = FineTuneRun.run(s1, dataBase, out);

        out.println("finetune4j: two-stage: [3/3] stage 2 on " + p.a() + " vs " + p.b());
        if (count(data.train(), p) == 0 || count(data.test(), p) == 0) {
            throw new IllegalArgumentException("two-stage: the pair " + p + " has no training or no test examples");
        }
        RunConfig s2 = stage(base, dir.resolve("stage2"), List.of(p.a(), p.b()), pairs,
                writeData(dataDir.resolve("stage2_train.jsonl"), data.train(), p, true),
                writeData(dataDir.resolve("stage2_test.jsonl"), data.test(), p, true),
                data.validation() == null || count(data.validation(), p) == 0 ? null
                        : writeData(dataDir.resolve("stage2_validation.jsonl"), data.validation(), p, true));
        FineTuneRun.Result r2 = FineTuneRun.run(s2, dataBase, out);

        // ---- combine -----------------------------------------------------------------------------------------------
        List<PredictionRecord> singlePred = PredictionsWriter.readJsonl(dir.resolve("predictions.jsonl"));
        List<PredictionRecord> stage1Pred = PredictionsWriter.readJsonl(r1.outputDir().resolve("predictions.jsonl"));
        String[] s1Labels = stage1Pred.stream().map(r -> r.predictedLabels().get(0)).toArray(String[]::new);
        TextClassifier specialist = TextClassifier.load(r2.outputDir().resolve("model"));
        List<Example> tex = data.test().examples();
        String[] combined = combine(s1Labels, p.merged(), idx -> {
            List<String> texts = new ArrayList<>(), tp = pairs ? new ArrayList<>() : null;
            for (int i : idx) {
                texts.add(tex.get(i).text());
                if (tp != null) tp.add(tex.get(i).textPair());
            }
            double[][] probs = specialist.predict(texts, tp, base.training().maxLength(),
                    base.training().evalBatchSize());
            String[] o = new String[idx.length];
            for (int k = 0; k < o.length; k++) o[k] = specialist.head().labels().get(probs[k][0] >= probs[k][1] ? 0 : 1);
            return o;
        });
        int routed = 0;
        for (String l : s1Labels) if (l.equals(p.merged())) routed++;

        int n = tex.size();
        int[] yTrue = new int[n], ySingle = new int[n], yComb = new int[n];
        for (int i = 0; i < n; i++) {
            yTrue[i] = labels.indexOf(data.test().labelNames().get(tex.get(i).label()));
            ySingle[i] = labels.indexOf(singlePred.get(i).predictedLabels().get(0));
            yComb[i] = labels.indexOf(combined[i]);
        }
        ClassificationReport before = ClassificationReport.of(yTrue, ySingle, labels);
        ClassificationReport after = ClassificationReport.of(yTrue, yComb, labels);

        StringWriter sw = new StringWriter();
        PrintWriter w = new PrintWriter(sw);
        w.printf(Locale.ROOT, "Two-stage classification: merged pair %s + %s -> '%s' (%s)%n", p.a(), p.b(), p.merged(),
                pairNote);
        w.printf(Locale.ROOT, "Test examples %d; stage 1 sent %d to '%s' (true %s or %s: %d), which stage 2 relabelled.%n%n",
                n, routed, p.merged(), p.a(), p.b(), count(data.test(), p));
        w.println("== Single model (all classes) ==");
        w.println(before.format(4));
        w.println("== Stage 1 (merged labels) ==");
        w.println(r1.report());
        w.println("== Stage 2 (" + p.a() + " vs " + p.b() + ", on the true " + p.a() + "/" + p.b()
                + " test examples) ==");
        w.println(r2.report());
        w.println("== Combined (stage 1, then stage 2 on what stage 1 sent to " + p.merged() + ") ==");
        w.println(after.format(4));
        w.println("== Per-class F1: single -> two-stage ==");
        TextTable perClassF1 = new TextTable(List.of("class", "single", "two-stage", "change", "support", ""),
                false, true, true, true, true, false);
        double[] f0 = before.f1(), f1 = after.f1();
        long[] sup = before.support();
        for (int j = 0; j < labels.size(); j++) {
            perClassF1.row(labels.get(j), String.format(Locale.ROOT, "%.4f", f0[j]),
                    String.format(Locale.ROOT, "%.4f", f1[j]), String.format(Locale.ROOT, "%+.4f", f1[j] - f0[j]),
                    Long.toString(sup[j]), p.contains(labels.get(j)) ? "<- pair" : "");
        }
        w.print(perClassF1.plain());
        w.printf(Locale.ROOT, "%nmacro F1 %.4f -> %.4f (%+.4f); accuracy %.4f -> %.4f (%+.4f)%n", before.macroF1(),
                after.macroF1(), after.macroF1() - before.macroF1(), before.accuracy(), after.accuracy(),
                after.accuracy() - before.accuracy());
        List<Integer> lost = new ArrayList<>(), won = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (ySingle[i] == yTrue[i] && yComb[i] != yTrue[i]) lost.add(i);
            if (ySingle[i] != yTrue[i] && yComb[i] == yTrue[i]) won.add(i);
        }
        w.printf(Locale.ROOT, "%nSingle right, two-stage wrong: %d%n", lost.size());
        flips(w, lost, top, tex, labels, yTrue, ySingle, yComb);
        w.printf(Locale.ROOT, "%nSingle wrong, two-stage right: %d%n", won.size());
        flips(w, won, top, tex, labels, yTrue, ySingle, yComb);
        w.flush();
        String report = sw.toString();

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pair", List.of(p.a(), p.b()));
        json.put("merged_label", p.merged());
        json.put("pair_source", pairNote);
        json.put("test_examples", n);
        json.put("routed_to_stage2", routed);
        json.put("single", Ordered.map("accuracy", before.accuracy(), "macro_f1", before.macroF1()));
        json.put("combined", Ordered.map("accuracy", after.accuracy(), "macro_f1", after.macroF1()));
        json.put("macro_f1_change", after.macroF1() - before.macroF1());
        json.put("stage1_test", r1.metrics().get("test"));
        json.put("stage2_test", r2.metrics().get("test"));
        Map<String, Object> perClass = new LinkedHashMap<>();
        for (int j = 0; j < labels.size(); j++) perClass.put(labels.get(j), Ordered.map("single_f1", f0[j], "two_stage_f1",
                f1[j], "support", sup[j]));
        json.put("per_class_f1", perClass);
        json.put("single_right_two_stage_wrong", lost);
        json.put("single_wrong_two_stage_right", won);
        Files2.writeAtomically(dir.resolve("two_stage_report.txt"), report);
        Files2.writeAtomically(dir.resolve("two_stage.json"), PRETTY.writeValueAsString(json));
        out.println();
        out.print(report);
        out.println("finetune4j: two-stage -> " + dir.resolve("two_stage_report.txt"));
        out.flush();
        return new Outcome(p, single, before, after, report, json);
    }

    private static void flips(PrintWriter w, List<Integer> idx, int top, List<Example> tex, List<String> labels,
                              int[] yTrue, int[] ySingle, int[] yComb) {
        for (int k = 0; k < Math.min(top, idx.size()); k++) {
            int i = idx.get(k);
            w.printf(Locale.ROOT, "  #%d true %s, single %s, two-stage %s: %s%n", i, labels.get(yTrue[i]),
                    labels.get(ySingle[i]), labels.get(yComb[i]), ErrorAnalysis.shorten(tex.get(i).text(), 120));
        }
        if (idx.size() > top) w.printf(Locale.ROOT, "  ... %d more (two_stage.json lists all indices)%n", idx.size() - top);
    }

    @SuppressWarnings("unchecked")
    private static List<String> configLabels(Map<String, Object> metrics) {
        Map<String, Object> resolved = (Map<String, Object>) metrics.get("resolved");
        if ("multi_label_classification".equals(resolved.get("problem_type"))) {
            throw new IllegalArgumentException("two-stage classification is for single-label data");
        }
        return new ArrayList<>((List<String>) resolved.get("labels"));
    }

    private static int count(TextDataset ds, Pair p) {
        int c = 0;
        for (Example e : ds.examples()) if (p.contains(ds.labelNames().get(e.label()))) c++;
        return c;
    }

    /** Writes {@code ds} as JSONL with merged labels, or (onlyPair) only the pair's examples with their own labels. */
    private static Path writeData(Path file, TextDataset ds, Pair p, boolean onlyPair) throws IOException {
        Files.createDirectories(file.getParent());
        StringBuilder sb = new StringBuilder();
        for (Example e : ds.examples()) {
            String l = ds.labelNames().get(e.label());
            if (onlyPair && !p.contains(l)) continue;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("text", e.text());
            if (e.textPair() != null) row.put("text_pair", e.textPair());
            row.put("label", onlyPair ? l : merge(l, p));
            sb.append(JSON.writeValueAsString(row)).append('\n');
        }
        Files2.writeAtomically(file, sb.toString());
        return file;
    }

    /** A copy of {@code base} that reads the written files as they are (no split, samples or fraction). */
    private static RunConfig stage(RunConfig base, Path output, List<String> labels, boolean pairs, Path train,
                                   Path test, Path validation) {
        DataArgs d = Settings.defaults(DataArgs.class);
        d = Settings.with(d, "path", train.toString());
        d = Settings.with(d, "test_path", test.toString());
        d = Settings.with(d, "validation_path", validation == null ? null : validation.toString());
        d = Settings.with(d, "format", ReadOptions.Format.JSONL);
        d = Settings.with(d, "text_pair_field", pairs ? "text_pair" : null);
        d = Settings.with(d, "label_field", "label");
        d = Settings.with(d, "labels", labels);
        d = Settings.with(d, "data_seed", base.data().dataSeed());
        RunConfig.TrainingArgs t = base.training();
        if (t.classWeights().contains(",")) t = Settings.with(t, "class_weights", "none");   // per-class lists no longer fit
        return base.withData(d).withTraining(t).withOutput(Settings.with(base.output(), "output_dir", output));
    }
}
