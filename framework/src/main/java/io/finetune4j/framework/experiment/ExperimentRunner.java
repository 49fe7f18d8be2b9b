package io.finetune4j.framework.experiment;

import static io.finetune4j.framework.io.Files2.deleteTree;
import static io.finetune4j.framework.io.Files2.writeAtomically;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.finetune4j.framework.data.DatasetCatalogue;
import io.finetune4j.framework.data.DatasetException;
import io.finetune4j.framework.analysis.RunAnalysis;
import io.finetune4j.framework.analysis.TwoStage;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.finetune.FineTuneRun;
import io.finetune4j.models.pretrained.ModelCatalogue;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Runs an experiment's trials into {@code <out>/trials/<index>-<hash>/}, appending one JSON line per finished trial
 * to {@code <out>/results.jsonl} (the whole file is rewritten into a temporary file and moved into place, so a kill
 * never leaves half a line). Trials whose hash already has a line are skipped (resume); a trial folder without a
 * line is an interrupted run and is started again. The trials run in this process one after another, or wherever
 * {@link Options#executor()} runs them (Spark: the {@code finetune4j-spark} module); a trial such an executor
 * records as failed is not finished and runs again next time.
 */
public final class ExperimentRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What to run. {@code only}: a trial index or null; {@code shard}/{@code shards}: 1-based shard of n (n = 1: all);
     * {@code executor}: where the trials run (null: {@link TrialExecutor#SEQUENTIAL}, in this process).
     */
    public record Options(Path output, boolean dryRun, Integer only, int shard, int shards,
                          RunConfig.Progress progress, TrialExecutor executor) {
        public Options {
            if (shards < 1 || shard < 1 || shard > shards) {
                throw new IllegalArgumentException("--shard must be i/n with 1 <= i <= n, not " + shard + "/" + shards);
            }
            progress = progress == null ? RunConfig.Progress.AUTO : progress;
            executor = executor == null ? TrialExecutor.SEQUENTIAL : executor;
        }

        /** The trials in this process, one after another. */
        public Options(Path output, boolean dryRun, Integer only, int shard, int shards, RunConfig.Progress progress) {
            this(output, dryRun, only, shard, shards, progress, null);
        }
    }

    /** What a call did ({@code failed}: trials an executor recorded as failed). */
    public record Outcome(Path output, List<Trial> plan, List<Trial> selected, int ran, int skipped, int failed,
                          String table) {
    }

    private ExperimentRunner() {
    }

    /** Loads, validates, plans and runs {@code file}. */
    public static Outcome run(Path file, Options opts, PrintWriter out) throws IOException {
        ExperimentFile.Loaded loaded = ExperimentFile.load(file);
        ExperimentFile ef = loaded.experiment();
        List<Trial> plan = ExperimentPlan.trials(loaded);
        List<Trial> selected = new ArrayList<>();
        for (Trial t : plan) {
            if (opts.only() != null && t.index() != opts.only()) continue;
            if (t.index() % opts.shards() != opts.shard() - 1) continue;
            selected.add(t);
        }
        if (opts.only() != null && selected.isEmpty()) {
            throw new IllegalArgumentException("--only " + opts.only() + ": the plan has trials 0.." + (plan.size() - 1)
                    + (opts.shards() > 1 ? " (and the shard must include it)" : ""));
        }
        String name = ef.name() != null ? ef.name() : stem(file);
        Path dir = opts.output() != null ? opts.output() : Path.of("runs", name);

        if (opts.dryRun()) {
            out.println("finetune4j: " + name + ": " + plan.size() + (plan.size() == 1 ? " trial" : " trials")
                    + (selected.size() != plan.size() ? ", " + selected.size() + " selected" : "") + " -> " + dir);
            for (Trial t : selected) {
                out.println(String.format("  %3d  %s  %s", t.index(), t.hash(), describe(t))
                        + (t.embeddings() == null ? "" : "  methods: " + (t.fineTunes() ? EmbeddingTrials.FINE_TUNE
                        + ", " : "") + String.join(", ", t.embeddingMethods())));
            }
            out.flush();
            return new Outcome(dir, plan, selected, 0, 0, 0, "");
        }

        preflight(loaded, selected, out);
        Files.createDirectories(dir.resolve("trials"));
        writeAtomically(dir.resolve("experiment.yaml"), loaded.text());
        List<Map<String, Object>> planJson = new ArrayList<>();
        for (Trial t : plan) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("trial", t.index());
            m.put("hash", t.hash());
            m.put("params", t.params());
            m.put("seed", t.seed());
            m.put("output", t.dirName());
            m.put("config", t.config());
            planJson.add(m);
        }
        writeAtomically(dir.resolve("plan.json"), PRETTY.writeValueAsString(planJson));

        Set<String> done = Results.doneHashes(dir);
        String metric = ef.sortMetric();
        int skipped = 0;
        out.println("finetune4j: " + name + ": " + plan.size() + (plan.size() == 1 ? " trial" : " trials")
                + (selected.size() != plan.size() ? ", running " + selected.size() : "") + " -> " + dir);
        List<Trial> pending = new ArrayList<>();
        for (Trial t : selected) {
            if (isDone(t, done)) {
                out.println("finetune4j: " + head(t, plan.size()) + ": done, skipped");
                skipped++;
            } else {
                pending.add(t);
            }
        }
        out.flush();
        Set<Integer> ranTrials = ConcurrentHashMap.newKeySet(), failedTrials = ConcurrentHashMap.newKeySet();
        Path absDir = dir.toAbsolutePath();                     // executors may run on other machines
        TrialExecutor.ResultSink sink = new TrialExecutor.ResultSink() {
            @Override
            public boolean line(Trial t, Map<String, Object> line) throws IOException {
                if (Results.FAILED.equals(line.get("status"))) failedTrials.add(t.index());
                return Results.append(absDir, line);
            }

            @Override
            public synchronized void finished(Trial t) throws IOException {
                ranTrials.add(t.index());
                Summary.write(absDir, Results.readAll(absDir), metric);
            }
        };
        if (!pending.isEmpty()) {
            opts.executor().run(new TrialExecutor.Work(loaded, absDir, List.copyOf(pending), plan.size(),
                    Set.copyOf(done), opts.progress(), out, sink));
        }
        int ran = ranTrials.size(), failed = failedTrials.size();
        String table = Summary.write(dir, Results.readAll(dir), metric);
        out.println();
        out.println("finetune4j: " + name + ": ran " + ran + ", skipped " + skipped
                + (failed > 0 ? ", failed " + failed + " (see summary.md; run again to retry them)" : "")
                + " (sorted by " + metric + ")");
        out.print(table);
        out.flush();
        return new Outcome(dir, plan, selected, ran, skipped, failed, table);
    }

    /** Whether {@code t} has nothing left to run: its fine-tuning and its embedding methods have lines. */
    public static boolean isDone(Trial t, Set<String> done) {
        return !(t.fineTunes() && !done.contains(t.hash())) && EmbeddingTrials.pending(t, done).isEmpty();
    }

    /** {@code trial K (K+1 of N) [hash] swept values}: how messages name a trial. */
    public static String head(Trial t, int planSize) {
        return String.format("trial %d (%d of %d) [%s] %s", t.index(), t.index() + 1, planSize, t.hash(), describe(t));
    }

    /**
     * Runs {@code t} in this process into {@code dir/trials/<index>-<hash>/}: its fine-tuning (unless {@code done}
     * has its hash; a folder left by an interrupted run is deleted first) and its pending embedding methods. Each
     * result line goes to {@code lines} as soon as it exists. What the sequential executor does for each trial, and
     * what a Spark task's child process does for its one trial.
     */
    public static void runInProcess(ExperimentFile.Loaded loaded, Trial t, Path dir, Set<String> done,
                                    RunConfig.Progress progress, String head, PrintWriter out,
                                    TrialExecutor.LineConsumer lines) throws IOException {
        boolean fineTune = t.fineTunes() && !done.contains(t.hash());
        List<String> methods = EmbeddingTrials.pending(t, done);   // embedding classifiers (none usually)
        Path tdir = dir.resolve(t.dirName());
        if (fineTune && Files.exists(tdir)) {
            out.println("finetune4j: " + head + ": restarting an interrupted run");
            deleteTree(tdir);
        } else {
            out.println("finetune4j: " + head);
        }
        out.flush();
        if (fineTune) {
            RunConfig run = t.run().withOutput(new RunConfig.OutputArgs(tdir, true, progress));
            FineTuneRun.Result r = runTrial(loaded.experiment().analysis(), run, t.folder(), out);
            Map<String, Object> line = Results.fineTuneLine(t, r);
            if (t.embeddings() != null) {                              // compare: true
                line.put("params", EmbeddingTrials.params(t, EmbeddingTrials.FINE_TUNE));
                line.put("method", EmbeddingTrials.FINE_TUNE);
            }
            lines.accept(line);
        }
        if (!methods.isEmpty()) EmbeddingTrials.run(t, methods, tdir, out, lines::accept);
    }

    /** One trial: a single run, or the three runs of a two-stage analysis; then the per-trial analyses. */
    static FineTuneRun.Result runTrial(AnalysisSection a, RunConfig run, Path folder, PrintWriter out)
            throws IOException {
        if (a == null) return FineTuneRun.run(run, folder, out);
        FineTuneRun.Result r;
        if (a.twoStage() != null) {
            AnalysisSection.TwoStage ts = a.twoStage();
            TwoStage.Outcome two = TwoStage.run(run, folder, ts.pairList(), Boolean.TRUE.equals(ts.normalise()),
                    ts.top() == null ? 10 : ts.top(), out);
            Map<String, Object> metrics = new LinkedHashMap<>(two.singleRun().metrics());
            Map<String, Object> summary = new LinkedHashMap<>();
            for (String k : List.of("pair", "routed_to_stage2", "single", "combined", "macro_f1_change")) {
                summary.put(k, two.json().get(k));
            }
            metrics.put("two_stage", summary);
            r = new FineTuneRun.Result(two.singleRun().outputDir(), metrics, two.singleRun().timing(),
                    two.singleRun().report());
        } else {
            r = FineTuneRun.run(run, folder, out);
        }
        if (a.perTrial()) RunAnalysis.analyze(r.outputDir(), a.settings(folder), out);
        return r;
    }

    /**
     * Data and backbones must be there before the first trial starts: datasets named in the file that are not in
     * the cache yet are fetched (or unpacked) now, and each trial's settings are checked together.
     */
    static void preflight(ExperimentFile.Loaded l, List<Trial> trials, PrintWriter out) {
        Set<String> ready = new HashSet<>();
        for (Trial t : trials) {
            RunConfig.DataArgs d = t.run().data();
            String[][] data = {{d.path(), "path"}, {d.testPath(), "test_path"}, {d.validationPath(), "validation_path"}};
            for (String[] x : data) {
                if (x[0] == null || !ready.add(x[0])) continue;
                try {
                    DatasetCatalogue.materialize(x[0], t.folder(), line -> {
                        out.println("finetune4j: " + line);
                        out.flush();
                    });
                } catch (DatasetException e) {
                    throw l.error(sweptOr(l, t, "dataset." + x[1], "/dataset/" + x[1]), "trial " + t.index() + ": "
                            + e.getMessage());
                }
            }
            String backbone = FineTuneRun.backbone(t.run().model().backbone(), t.folder());
            if (ModelCatalogue.find(backbone).isEmpty() && !Files.isDirectory(Path.of(backbone))) {
                throw l.error(sweptOr(l, t, "model.backbone", "/model/backbone"), "trial " + t.index()
                        + ": backbone '" + t.run().model().backbone() + "' is neither a catalogue name ("
                        + ModelCatalogue.ENTRIES.stream().map(ModelCatalogue.Entry::name).collect(Collectors.joining(", "))
                        + ") nor a checkpoint folder (" + backbone + ")");
            }
            try {
                Settings.checkRelations(t.run(), "");
            } catch (IllegalArgumentException e) {
                throw l.error(t.params().isEmpty() ? "/training" : "/sweep", "trial " + t.index() + " " + describe(t)
                        + ": " + e.getMessage());
            }
        }
    }

    private static String sweptOr(ExperimentFile.Loaded l, Trial t, String path, String pointer) {
        if (t.params().containsKey(path)) {
            String p = "/sweep/parameters/" + YamlTree.escape(path);
            return YamlTree.locate(l.locations(), p) != null && l.tree().at(p).isArray() ? p : "/sweep";
        }
        return pointer;
    }

    /** The trial's swept values and seed, e.g. {@code training.learning_rate=5.0E-5 seed=42}. */
    public static String describe(Trial t) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : t.params().entrySet()) {
            if (e.getKey().equals("seed")) continue;
            sb.append(e.getKey()).append('=').append(e.getValue()).append(' ');
        }
        return sb.append("seed=").append(t.seed()).toString();
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
