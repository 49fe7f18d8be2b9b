package io.finetune4j.framework.experiment;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.finetune4j.cli.MainTest;

import static io.finetune4j.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Experiment files: validation with exact line numbers, and the plans of every file in experiments/ (no training). */
class ExperimentFileTest {
    private static final Path FILE = Path.of("bad.yaml");

    private static final String HEAD = """
            name: t
            dataset:
              path: mr_sentences_4k.jsonl
              train_limit: 32
            model:
              backbone: all-MiniLM-L6-v2
            """;

    static ExperimentFile.Loaded parse(String yaml) {
        return ExperimentFile.parse(FILE, yaml);
    }

    /** {@code yaml} is rejected with a message {@code bad.yaml:LINE:COL: ...} that contains {@code fragment}. */
    static void rejected(String yaml, int line, String fragment) {
        ExperimentException e = assertThrows(ExperimentException.class, () -> parse(yaml), yaml);
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith("bad.yaml:" + line + ":" + e.column() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
        assertTrue(e.column() >= 1, e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void aValidFileParses() {
        ExperimentFile.Loaded l = parse(HEAD + """
                training:
                  max_length: 16
                  learning_rate: 5e-5
                seeds: [1, 2]
                """);
        assertEquals("mr_sentences_4k.jsonl", l.experiment().dataset().path());
        assertEquals(5e-5, l.experiment().training().learningRate());
        assertEquals("accuracy", l.experiment().sortMetric());
    }

    @Test
    void unknownKey() {
        rejected(HEAD + "training:\n  max_length: 16\n  max_lenght: 32\n", 9, "unknown key 'max_lenght' in training");
        rejected("name: t\ndatset:\n  path: x\n", 2, "unknown key 'datset'");
    }

    @Test
    void wrongType() {
        rejected(HEAD + "training:\n  max_length: 16\n  batch_size: sixteen\n", 9, "expected an integer");
        rejected(HEAD + "training:\n  max_length: 16.5\n", 8, "training.max_length");
        rejected(HEAD + "seeds: 42\n", 7, "seeds");
        rejected(HEAD + "training:\n  bucket_by_length: maybe\n", 8, "bucket_by_length");
    }

    @Test
    void missingRequiredFields() {
        rejected("name: t\ndataset:\n  train_limit: 3\nmodel:\n  backbone: all-MiniLM-L6-v2\n", 2, "dataset.path");
        rejected("name: t\nmodel:\n  backbone: x\n", 1, "dataset");
    }

    @Test
    void badEnumValues() {
        rejected(HEAD + "training:\n  epochs: 1\n  schedule: cyclic\n", 9,
                "training.schedule: expected one of linear, cosine, constant, constant_with_warmup");
        rejected("name: t\ndataset:\n  path: a.jsonl\nmodel:\n  backbone: x\n  head:\n    pooling: avg\n", 7,
                "pooling");
        rejected(HEAD + "evaluation:\n  metric: f2\n", 8, "evaluation.metric");
        rejected(HEAD + "sweep:\n  method: bayes\n  parameters:\n    seed: [1, 2]\n", 8, "sweep.method");
    }

    @Test
    void badSweepPath() {
        rejected(HEAD + "sweep:\n  method: grid\n  parameters:\n    training.learning_rate: [1.0e-5]\n"
                + "    training.max_len: [16, 32]\n", 11, "cannot sweep 'training.max_len'");
        rejected(HEAD + "sweep:\n  parameters:\n    sweep.method: [grid]\n", 9, "cannot sweep");
    }

    @Test
    void emptyValueLists() {
        rejected(HEAD + "sweep:\n  method: grid\n  parameters:\n    training.learning_rate: []\n", 10, "empty list");
        rejected(HEAD + "seeds: []\n", 7, "seeds is an empty list");
    }

    @Test
    void rangeInAGrid() {
        rejected(HEAD + "sweep:\n  method: grid\n  parameters:\n    training.batch_size: [8, 16]\n"
                + "    training.learning_rate: {min: 1.0e-5, max: 1.0e-4, log: true}\n", 11, "needs sweep.method: random");
        rejected(HEAD + "sweep:\n  method: random\n  trials: 3\n  parameters:\n"
                + "    training.learning_rate: {min: 1.0e-4, max: 1.0e-5}\n", 11, "max must be greater than min");
        rejected(HEAD + "sweep:\n  method: random\n  parameters:\n    training.learning_rate: [1.0e-4]\n", 7,
                "needs sweep.trials");
    }

    @Test
    void tiedGroupsWithDifferentKeys() {
        rejected(HEAD + """
                sweep:
                  tied:
                    - - {training.max_length: 128, training.batch_size: 32}
                      - {training.max_length: 256, training.batch_size: 16}
                      - {training.max_length: 512, training.epochs: 8}
                """, 11, "must set the same keys");
        rejected(HEAD + """
                sweep:
                  parameters:
                    training.max_length: [16, 32]
                  tied:
                    - - {training.max_length: 128, training.batch_size: 32}
                """, 11, "training.max_length is swept twice (also at line 9)");
    }

    @Test
    void badSweepValuesAreLocatedAtTheValue() {
        rejected(HEAD + """
                sweep:
                  parameters:
                    training.batch_size:
                      - 16
                      - big
                """, 11, "expected an integer");
        rejected(HEAD + """
                sweep:
                  parameters:
                    training.schedule: [linear, constant]
                    dataset.fraction:
                      - 0.5
                      - 1.5
                """, 12, "dataset.fraction must be in (0, 1]");
    }

    @Test
    void yamlSyntaxAndDuplicates() {
        rejected(HEAD + "training:\n  max_length: 16\n  max_length: 32\n", 9, "Duplicate field 'max_length'");
        rejected(HEAD + "training:\n  max_length: [16\n  epochs: 1\n", 9, "not valid YAML");
        rejected("- a\n- b\n", 1, "expected a mapping");
        rejected(HEAD + "dataset:\n  path: other.jsonl\n", 7, "Duplicate field 'dataset'");
    }

    @Test
    void semanticChecks() {
        rejected(HEAD.replace("  train_limit: 32\n", "  train_limit: 0\n"), 4, "dataset.train_limit must be >= 1");
        rejected(HEAD + "training:\n  freeze: bottom\n", 8, "training.freeze");
        rejected(HEAD + "seeds: [1, 2, 1]\n", 7, "listed twice");
        rejected(HEAD + "seeds: [1]\nsweep:\n  parameters:\n    seed: [3, 4]\n", 7, "conflict");
        rejected("name: t\ndataset:\n  path: a.jsonl\n  split_field: split\n  split: {train: 0.8, test: 0.2}\n"
                + "model:\n  backbone: x\n", 5, "not several");
    }

    // ---- plans -------------------------------------------------------------------------------------------------

    /** The project's experiment files, copied into the test class path (framework/pom.xml declares them). */
    static Path experiments() {
        java.net.URL url = ExperimentFileTest.class.getResource("/experiments/quickstart.yaml");
        if (url == null) throw new IllegalStateException("experiments/ is not on the test class path (framework/pom.xml)");
        try {
            return Path.of(url.toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyExperimentFileParsesAndExpands() throws Exception {
        Map<String, Integer> expected = new TreeMap<>();
        expected.put("quickstart.yaml", 4);
        expected.put("imdb-maxlen-lr.yaml", 18); // 6 tied settings x 3 seeds
        expected.put("imdb-maxlen-lr-small.yaml", 6);
        expected.put("imdb-fraction.yaml", 12);
        expected.put("imdb-fraction-small.yaml", 4);
        expected.put("imdb-backbones.yaml", 8);
        expected.put("imdb-backbones-small.yaml", 2);
        expected.put("rotten-tomatoes-embeddings.yaml", 1); // 5 embedding methods in one trial
        expected.put("learning-curve.yaml", 5);
        expected.put("learning-curve-small.yaml", 3);
        expected.put("imdb-error-analysis.yaml", 1);
        expected.put("wordnet-two-stage.yaml", 1);
        Map<String, Integer> actual = new TreeMap<>();
        try (Stream<Path> s = Files.list(experiments())) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                ExperimentFile.Loaded l = ExperimentFile.load(f);
                List<Trial> trials = ExperimentPlan.trials(l);
                actual.put(f.getFileName().toString(), trials.size());
                Set<String> hashes = new HashSet<>();
                for (Trial t : trials) {
                    assertTrue(hashes.add(t.hash()), f + ": two trials share hash " + t.hash());
                    assertTrue(t.hash().matches("[0-9a-f]{12}"), t.hash());
                }
                int perSeed = trials.size() / l.experiment().seedList().size();
                if (f.getFileName().toString().startsWith("imdb-maxlen-lr")) assertEquals(6, perSeed, f.toString());
            }
        }
        assertEquals(expected, actual);
    }

    @Test
    void tiedPlanMovesTogetherAndSeedsMultiply() throws Exception {
        List<Trial> trials = ExperimentPlan.trials(ExperimentFile.load(experiments().resolve("imdb-maxlen-lr.yaml")));
        int[][] plan = {{128, 32}, {128, 32}, {256, 16}, {256, 16}, {512, 8}, {512, 8}};
        double[] lr = {2e-5, 1e-5, 1e-5, 7.5e-6, 7.5e-6, 5e-6};
        for (int c = 0; c < 6; c++) {
            for (int s = 0; s < 3; s++) {
                Trial t = trials.get(c * 3 + s);
                assertEquals(c * 3 + s, t.index());
                assertEquals(s + 1, t.seed());
                assertEquals(plan[c][0], t.run().training().maxLength());
                assertEquals(plan[c][1], t.run().training().perDeviceTrainBatchSize());
                assertEquals(lr[c], t.run().training().learningRate(), 1e-15);
                assertEquals(plan[c][0], t.params().get("training.max_length"));
                assertEquals(2024L, t.run().data().dataSeed());
            }
        }
        // a dataset name, resolved when the trial runs
        assertEquals("imdb", trials.get(0).run().data().path());
        assertEquals(experiments(), trials.get(0).folder());
        // the hash is taken of the canonical settings: Hugging Face's names, whatever the file wrote
        assertTrue(trials.get(0).config().toString().contains("per_device_train_batch_size=32"),
                trials.get(0).config().toString());
    }

    @Test
    void gridOrderFollowsTheFileAndHashesAreStable() throws Exception {
        ExperimentFile.Loaded l = ExperimentFile.load(experiments().resolve("quickstart.yaml"));
        List<Trial> a = ExperimentPlan.trials(l);
        assertEquals(List.of(5e-5, 5e-5, 2e-4, 2e-4), a.stream().map(t -> t.run().training().learningRate()).toList());
        assertEquals(List.of(32, 64, 32, 64), a.stream().map(t -> t.run().training().maxLength()).toList());
        List<Trial> b = ExperimentPlan.trials(ExperimentFile.load(experiments().resolve("quickstart.yaml")));
        assertEquals(a.stream().map(Trial::hash).toList(), b.stream().map(Trial::hash).toList());
        // the same config written differently (flow vs block style, key order, 5e-5 vs 5.0e-5) has the same hash
        ExperimentFile.Loaded c = parse(HEAD + "training: {max_length: 16, learning_rate: 5e-5}\n");
        ExperimentFile.Loaded d = parse(HEAD.replace("name: t\n", "") + "training:\n  learning_rate: 0.00005\n"
                + "  max_length: 16\nname: other\n");
        assertEquals(ExperimentPlan.trials(c).get(0).hash(), ExperimentPlan.trials(d).get(0).hash());
    }

    @Test
    void randomSearchIsSeededAndStaysInRange() {
        String yaml = HEAD + """
                seeds: [1, 2]
                sweep:
                  method: random
                  trials: 5
                  seed: 11
                  parameters:
                    training.learning_rate: {min: 1.0e-5, max: 1.0e-3, log: true}
                    training.batch_size: {min: 8, max: 32}
                    model.head.pooling: [cls, mean]
                """;
        List<Trial> a = ExperimentPlan.trials(parse(yaml));
        assertEquals(10, a.size());
        for (Trial t : a) {
            assertTrue(t.run().training().learningRate() >= 1e-5 && t.run().training().learningRate() <= 1e-3,
                    t.params().toString());
            int batch = t.run().training().perDeviceTrainBatchSize();
            assertTrue(batch >= 8 && batch <= 32, t.params().toString());
            assertTrue(List.of("cls", "mean").contains(t.run().model().head().pooling().name().toLowerCase()));
        }
        assertEquals(a.stream().map(Trial::hash).toList(), ExperimentPlan.trials(parse(yaml)).stream().map(Trial::hash).toList());
        List<Trial> other = ExperimentPlan.trials(parse(yaml.replace("seed: 11", "seed: 12")));
        assertNotEquals(a.stream().map(Trial::hash).toList(), other.stream().map(Trial::hash).toList());
    }

    @Test
    void dryRunListsTheTrials() {
        MainTest.Result r = run("run", "--dry-run", experiments().resolve("imdb-maxlen-lr.yaml").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("18 trials"), r.out());
        long lines = r.out().lines().filter(x -> x.matches("\\s+\\d+\\s+[0-9a-f]{12}\\s+.*")).count();
        assertEquals(18, lines, r.out());
        assertTrue(r.out().contains("training.max_length=512 training.batch_size=8 training.learning_rate=5.0E-6 seed=3"),
                r.out());

        MainTest.Result shard = run("run", "--dry-run", "--shard", "2/3",
                experiments().resolve("imdb-maxlen-lr.yaml").toString());
        assertEquals(6, shard.out().lines().filter(x -> x.matches("\\s+\\d+\\s+[0-9a-f]{12}\\s+.*")).count());

        MainTest.Result bad = run("run", "--dry-run", "no-such-file.yaml");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("finetune4j: error: no-such-file.yaml"), bad.err());
    }
}
