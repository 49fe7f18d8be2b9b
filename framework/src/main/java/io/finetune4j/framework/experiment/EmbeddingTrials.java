package io.finetune4j.framework.experiment;

import io.finetune4j.framework.io.Files2;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.finetune4j.framework.baselines.EmbeddingMethods;
import io.finetune4j.framework.baselines.SentenceEmbeddings;
import io.finetune4j.framework.finetune.FineTuneRun;
import io.finetune4j.framework.finetune.RunData;
import io.finetune4j.models.pretrained.Backbone;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The embedding side of a trial ({@code embeddings} in the file): every method is a result line of its own, with
 * {@code params.method} (so summaries and plots separate them) and a hash of the trial's config plus the method
 * (so each method resumes on its own). Outputs: {@code trials/<index>-<hash>/<method>/report.txt} and
 * {@code metrics.json}.
 */
final class EmbeddingTrials {
    /** {@code params.method} of the fine-tuning line when {@code embeddings.compare} is set. */
    static final String FINE_TUNE = "fine_tune";
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The last backbone loaded (trials of one experiment usually share it). */
    private static Backbone cached;
    private static String cachedName;

    private EmbeddingTrials() {
    }

    /** The result line's hash of {@code method} in {@code t}. */
    static String hash(Trial t, String method) {
        Map<String, Object> c = new LinkedHashMap<>(t.config());
        c.put("method", method);
        return ExperimentPlan.hash(c);
    }

    /** {@code t}'s embedding methods without a line in {@code done}. */
    static List<String> pending(Trial t, Set<String> done) {
        List<String> out = new ArrayList<>();
        for (String m : t.embeddingMethods()) if (!done.contains(hash(t, m))) out.add(m);
        return out;
    }

    /** {@code t.params()} plus {@code method}. */
    static Map<String, Object> params(Trial t, String method) {
        Map<String, Object> p = new LinkedHashMap<>(t.params());
        p.put("method", method);
        return p;
    }

    interface Sink {
        void accept(Map<String, Object> line) throws IOException;
    }

    /** Runs {@code methods} of {@code t} on the trial's data split; each line goes to {@code sink} as it is made. */
    static void run(Trial t, List<String> methods, Path trialDir, PrintWriter out, Sink sink) throws IOException {
        ExperimentFile.Embeddings e = t.embeddings();
        RunData data = RunData.prepare(t.run().data(), t.folder(), t.seed(), note -> {
            if (!t.fineTunes()) out.println("finetune4j: " + note);
        });
        long t0 = System.nanoTime();
        Backbone backbone = backbone(FineTuneRun.backbone(t.run().model().backbone(), t.folder()));
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        SentenceEmbeddings emb = new SentenceEmbeddings(backbone, e.maxLengthOrDefault(), e.batchSizeOrDefault());
        EmbeddingMethods.Settings s = new EmbeddingMethods.Settings(
                SentenceEmbeddings.Pooling.parse(e.poolingOrDefault()), e.l2OrDefault(), e.standardizeOrDefault(),
                e.labelDescriptionsOrEmpty());
        out.println("finetune4j: embedding " + data.train().size() + " training and " + data.test().size()
                + " test texts with " + backbone.name() + " (" + e.poolingOrDefault() + " pooling, max length "
                + e.maxLengthOrDefault() + "): " + String.join(", ", methods));
        out.flush();
        List<EmbeddingMethods.Outcome> outcomes = EmbeddingMethods.run(emb, data.train(), data.test(), methods, s);
        for (EmbeddingMethods.Outcome r : outcomes) {
            Path dir = trialDir.resolve(r.method());
            Files.createDirectories(dir);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("trial", t.index());
            line.put("hash", hash(t, r.method()));
            line.put("method", r.method());
            line.put("params", params(t, r.method()));
            line.put("seed", t.seed());
            line.put("model", backbone.name());
            Map<String, Object> config = new LinkedHashMap<>(t.config());
            config.put("method", r.method());
            line.put("config", config);
            line.put("train_seconds", r.trainSeconds());
            line.put("embed_seconds", r.embedSeconds());
            line.put("fit_seconds", r.fitSeconds());
            line.put("test_embed_seconds", r.testEmbedSeconds());
            line.put("model_load_seconds", loadSeconds);
            line.put("train_samples_per_second", r.trainSeconds() > 0 ? data.train().size() / r.trainSeconds() : null);
            line.put("train_examples", data.train().size());
            line.put("test", r.test());
            line.put("output", t.dirName() + "/" + r.method());
            line.put("finished_at", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                    .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            String report = r.report().format(4) + "\nConfusion matrix (rows: true, columns: predicted)\n"
                    + r.report().confusionMatrix().formatTable(false);
            Files2.writeAtomically(dir.resolve("report.txt"), report);
            Files2.writeAtomically(dir.resolve("metrics.json"), PRETTY.writeValueAsString(line));
            out.println(String.format(Locale.ROOT, "finetune4j:   %-19s accuracy %.4f  macro F1 %.4f  (%.1f s)",
                    r.method(), r.report().accuracy(), r.report().macroF1(), r.trainSeconds()));
            out.flush();
            sink.accept(line);
        }
    }

    private static synchronized Backbone backbone(String model) {
        if (!model.equals(cachedName)) {
            cached = null;
            cached = Backbone.load(model);
            cachedName = model;
        }
        return cached;
    }
}
