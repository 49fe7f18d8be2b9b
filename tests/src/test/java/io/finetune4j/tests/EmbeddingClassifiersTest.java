package io.finetune4j.tests;

import io.finetune4j.framework.data.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.baselines.EmbeddingMethods;
import io.finetune4j.framework.baselines.LogisticRegression;
import io.finetune4j.framework.baselines.SentenceEmbeddings;
import io.finetune4j.framework.baselines.SentenceEmbeddings.Pooling;
import io.finetune4j.framework.experiment.ExperimentException;
import io.finetune4j.framework.experiment.ExperimentFile;
import io.finetune4j.framework.experiment.ExperimentPlan;
import io.finetune4j.framework.experiment.Trial;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.finetune.RunData;
import io.finetune4j.models.pretrained.Backbone;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static io.finetune4j.tests.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Classifiers on fixed MiniLM embeddings (no fine-tuning) on a real slice of Rotten Tomatoes sentences, their parts,
 * and the {@code embeddings} section of experiment files (validation, plans, a tiny run that resumes).
 */
class EmbeddingClassifiersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Backbone minilm;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        minilm = Backbone.load("all-MiniLM-L6-v2");
    }

    @Test
    void logisticRegressionSeparatesAToySetDeterministically() {
        Random rng = new Random(3);
        int n = 150, d = 5;
        double[][] x = new double[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < d; j++) x[i][j] = rng.nextGaussian() * 0.3;
            x[i][y[i]] += 3;                                  // class k sits along axis k
        }
        LogisticRegression a = new LogisticRegression(1.0, true, 500).fit(x, y, 3);
        LogisticRegression b = new LogisticRegression(1.0, true, 500).fit(x, y, 3);
        assertArrayEquals(y, a.predict(x));
        assertTrue(a.converged(), "iterations " + a.iterations());
        double[][] pa = a.predictProba(x), pb = b.predictProba(x);
        for (int i = 0; i < n; i++) {
            assertArrayEquals(pa[i], pb[i], 0.0);             // bit for bit
            assertEquals(1.0, pa[i][0] + pa[i][1] + pa[i][2], 1e-12);
        }
        // unstandardised, no penalty: still separable, still 100 %
        assertArrayEquals(y, new LogisticRegression(0.0, false, 200).fit(x, y, 3).predict(x));
    }

    @Test
    void sentenceEmbeddingsAreUnitNormAndDoNotDependOnTheBatch() {
        SentenceEmbeddings e = new SentenceEmbeddings(minilm, 64, 8);
        String s = "a gripping, beautifully acted film";
        List<String> batch = List.of("short", s, "an entirely different and considerably longer sentence that pads "
                + "the batch well beyond the length of the others in it", "ok then");
        double[] alone = e.embed(List.of(s), Pooling.MEAN)[0];
        double[][] many = e.embed(batch, Pooling.MEAN);
        assertEquals(384, alone.length);
        for (double[] v : many) assertEquals(1.0, norm(v), 1e-9);
        assertArrayEquals(alone, many[1], 1e-5);
        Map<Pooling, double[][]> both = e.embedAll(batch, Set.of(Pooling.MEAN, Pooling.CLS));
        assertArrayEquals(many[1], both.get(Pooling.MEAN)[1], 1e-9);
        assertArrayEquals(e.embed(List.of(s), Pooling.CLS)[0], both.get(Pooling.CLS)[1], 1e-5);
        assertTrue(Math.abs(norm(both.get(Pooling.CLS)[1]) - 1) > 1e-3, "CLS is the raw hidden state");
    }

    @Test
    void logisticRegressionBeatsZeroShotBeatsTheDummyOnRottenTomatoes() {
        RunConfig.DataArgs d = Settings.defaults(RunConfig.DataArgs.class);
        d = Settings.with(d, "path", "mr");
        d = Settings.with(d, "split", new RunConfig.Ratios(0.75, 0, 0.25));
        d = Settings.with(d, "max_train_samples", 400);
        d = Settings.with(d, "max_test_samples", 200);
        d = Settings.with(d, "data_seed", 7L);
        RunData data = RunData.prepare(d, Path.of("").toAbsolutePath(), 42, note -> { });
        SentenceEmbeddings e = new SentenceEmbeddings(minilm, 64, 32);
        List<EmbeddingMethods.Outcome> r = EmbeddingMethods.run(e, data.train(), data.test(), EmbeddingMethods.METHODS,
                new EmbeddingMethods.Settings(Pooling.MEAN, 1.0, false,
                        Map.of("neg", "A negative review", "pos", "A positive review")));
        Map<String, Double> acc = new HashMap<>();
        for (EmbeddingMethods.Outcome x : r) acc.put(x.method(), x.report().accuracy());
        System.out.println("EmbeddingClassifiersTest accuracies (400 train / 200 test): " + acc);
        double lr = acc.get("logistic_regression"), zs = acc.get("zero_shot"), dummy = acc.get("dummy");
        assertTrue(lr > zs && zs > dummy, acc.toString());
        assertTrue(acc.get("centroid") > dummy, acc.toString());
        assertEquals(0.5, dummy, 0.01);
        assertTrue(lr > 0.65, acc.toString());
        assertEquals(200, ((Number) r.get(0).test().get("examples")).intValue());
    }

    @Test
    void embeddingsSectionIsValidatedWithLineNumbers() {
        String head = "name: t\ndataset:\n  path: a.jsonl\nmodel:\n  backbone: all-MiniLM-L6-v2\n";
        ExperimentException e = assertThrows(ExperimentException.class, () -> ExperimentFile.parse(Path.of("e.yaml"),
                head + "embeddings:\n  methods: [logistic_regression, svm]\n"));
        assertEquals(7, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith("e.yaml:7:"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown embeddings method 'svm'"), e.getMessage());
        e = assertThrows(ExperimentException.class, () -> ExperimentFile.parse(Path.of("e.yaml"),
                head + "embeddings:\n  methods: [dummy]\n  pooling: max\n"));
        assertEquals(8, e.line(), e.getMessage());
        e = assertThrows(ExperimentException.class, () -> ExperimentFile.parse(Path.of("e.yaml"),
                head + "embeddings:\n  methods: [dummy]\n  l2s: 1\n"));
        assertEquals(8, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'l2s'"), e.getMessage());
        e = assertThrows(ExperimentException.class, () -> ExperimentFile.parse(Path.of("e.yaml"),
                head + "embeddings:\n  pooling: mean\n"));
        assertEquals(6, e.line(), e.getMessage());
    }

    @Test
    void newExperimentFilesPlan() throws Exception {
        java.net.URL quickstart = getClass().getResource("/experiments/quickstart.yaml");
        Path dir = Path.of(quickstart.toURI()).getParent();   // the project's experiments/ (tests/pom.xml)
        List<Trial> rt = ExperimentPlan.trials(ExperimentFile.load(dir.resolve("rotten-tomatoes-embeddings.yaml")));
        assertEquals(1, rt.size());
        assertEquals(EmbeddingMethods.METHODS, rt.get(0).embeddingMethods());
        assertTrue(!rt.get(0).fineTunes());
        for (String f : List.of("learning-curve.yaml", "learning-curve-small.yaml")) {
            List<Trial> lc = ExperimentPlan.trials(ExperimentFile.load(dir.resolve(f)));
            List<Object> sizes = lc.stream().map(t -> t.params().get("dataset.train_limit")).toList();
            assertEquals(f.contains("small") ? List.of(100, 200, 400) : List.of(100, 500, 1000, 2000, 5000), sizes);
            for (Trial t : lc) {
                assertTrue(t.fineTunes(), f);
                assertEquals(List.of("logistic_regression"), t.embeddingMethods());
            }
        }
    }

    @Test
    void runnerWritesOneLinePerMethodAndResumes() throws Exception {
        Path yaml = tmp.resolve("emb.yaml");
        Files.writeString(yaml, """
                name: emb
                dataset:
                  path: %s
                  split: {train: 0.75, test: 0.25}
                  train_limit: 60
                  test_limit: 30
                  seed: 5
                model:
                  backbone: all-MiniLM-L6-v2
                embeddings:
                  methods: [logistic_regression, centroid, zero_shot, dummy]
                  max_length: 32
                  label_descriptions: {neg: "A negative review", pos: "A positive review"}
                sweep:
                  parameters:
                    embeddings.l2: [1.0, 10.0]
                """.formatted(Fixtures.mr()));
        Path out = tmp.resolve("out");
        CliTest.Result r = cli("run", yaml.toString(), "--output", out.toString(), "--progress", "none");
        assertEquals(0, r.code(), r.err() + r.out());
        List<JsonNode> lines = new ArrayList<>();
        for (String s : Files.readAllLines(out.resolve("results.jsonl"), StandardCharsets.UTF_8)) {
            lines.add(JSON.readTree(s));
        }
        assertEquals(8, lines.size(), r.out());
        Set<String> hashes = new TreeSet<>();
        for (JsonNode l : lines) {
            assertTrue(hashes.add(l.get("hash").asText()), "hashes differ by method and trial");
            assertEquals(l.get("method").asText(), l.get("params").get("method").asText());
            assertTrue(l.get("params").has("embeddings.l2"));
            assertEquals(30, l.get("test").get("examples").asInt());
            assertTrue(l.get("test").has("accuracy") && l.get("test").has("macro_f1"), l.toString());
            assertTrue(l.get("train_seconds").isNumber());
            assertTrue(Files.isRegularFile(out.resolve(l.get("output").asText()).resolve("report.txt")));
        }
        assertFalse(r.out().contains("fine-tuning"), r.out());
        String summary = Files.readString(out.resolve("summary.md"));
        assertTrue(summary.contains("| method") || summary.contains("method |"), summary);
        assertTrue(summary.contains("zero_shot"), summary);

        CliTest.Result again = cli("run", yaml.toString(), "--output", out.toString(), "--progress", "none");
        assertEquals(0, again.code(), again.err());
        assertEquals(2, again.out().lines().filter(x -> x.contains("done, skipped")).count(), again.out());
        assertEquals(8, Files.readAllLines(out.resolve("results.jsonl")).size());
    }

    private static void assertFalse(boolean b, String m) {
        assertTrue(!b, m);
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double d : v) s += d * d;
        return Math.sqrt(s);
    }
}
