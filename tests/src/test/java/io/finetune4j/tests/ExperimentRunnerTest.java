package io.finetune4j.tests;

import io.finetune4j.framework.data.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.finetune4j.tests.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code finetune4j run} end to end on a tiny slice of real data (MiniLM, 32 training and 16 test sentences, 16
 * tokens): a 2 learning rates × 2 seeds grid, resume, an interrupted run finished later, and reproducibility.
 */
class ExperimentRunnerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path experiment() throws Exception {
        Path f = tmp.resolve("tiny.yaml");
        Files.writeString(f, """
                name: tiny
                dataset:
                  path: %s
                  split: {train: 0.75, test: 0.25}
                  train_limit: 32
                  test_limit: 16
                  seed: 5
                model:
                  backbone: all-MiniLM-L6-v2
                  head: {pooling: cls}
                training:
                  max_length: 16
                  batch_size: 16
                  epochs: 1
                seeds: [1, 2]
                sweep:
                  method: grid
                  parameters:
                    training.learning_rate: [5.0e-5, 2.0e-4]
                """.formatted(Fixtures.mr()));
        return f;
    }

    private static List<JsonNode> results(Path dir) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String s : Files.readAllLines(dir.resolve("results.jsonl"), StandardCharsets.UTF_8)) {
            out.add(JSON.readTree(s));
        }
        return out;
    }

    @Test
    void gridRunsResumesFinishesInterruptedRunsAndReproduces() throws Exception {
        Path yaml = experiment();
        Path a = tmp.resolve("a");

        // ---- a full run: 4 trials, 4 lines -------------------------------------------------------------------
        CliTest.Result r = cli("run", yaml.toString(), "--output", a.toString(), "--progress", "none");
        assertEquals(0, r.code(), r.err() + r.out());
        List<JsonNode> lines = results(a);
        assertEquals(4, lines.size(), r.out());
        for (JsonNode l : lines) {
            for (String k : List.of("trial", "hash", "params", "seed", "model", "config", "train_seconds",
                    "train_samples_per_second", "train_tokens_per_second", "epoch_seconds", "best_epoch",
                    "validation_curve", "test", "output", "finished_at")) {
                assertTrue(l.has(k), "result line lacks " + k + ": " + l);
            }
            for (String k : List.of("accuracy", "macro_f1", "weighted_f1")) assertTrue(l.get("test").has(k), k);
            assertEquals(16, l.get("test").get("examples").asInt());
            assertEquals(1, l.get("params").size());
            assertTrue(l.get("params").has("training.learning_rate"));
            assertEquals("all-MiniLM-L6-v2", l.get("model").asText());
            assertTrue(Files.isRegularFile(a.resolve(l.get("output").asText()).resolve("metrics.json")));
            assertEquals("trials/" + l.get("trial").asInt() + "-" + l.get("hash").asText(), l.get("output").asText());
        }
        assertEquals(Set.of(0, 1, 2, 3), Set.of(lines.stream().map(l -> l.get("trial").asInt()).toArray()));
        assertEquals(List.of(1L, 2L, 1L, 2L), lines.stream().map(l -> l.get("seed").asLong()).toList());
        assertTrue(Files.isRegularFile(a.resolve("experiment.yaml")));
        assertEquals(4, JSON.readTree(a.resolve("plan.json").toFile()).size());
        String summary = Files.readString(a.resolve("summary.md"));
        assertTrue(summary.contains("training.learning_rate"), summary);
        assertTrue(r.out().contains("| trial |"), r.out());

        // ---- the same command again: nothing to train ------------------------------------------------------------
        long t0 = System.nanoTime();
        CliTest.Result again = cli("run", yaml.toString(), "--output", a.toString(), "--progress", "none");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, again.code(), again.err());
        assertEquals(4, results(a).size());
        assertEquals(4, again.out().lines().filter(x -> x.contains("done, skipped")).count(), again.out());
        assertFalse(again.out().contains("fine-tuning"), again.out());
        assertTrue(seconds < 10, "a resumed run with nothing to do took " + seconds + " s");

        // ---- killed after trial 2: trials 0 and 1 ran, trial 2 left a half-written folder; then the full command
        Path b = tmp.resolve("b");
        assertEquals(0, cli("run", yaml.toString(), "--output", b.toString(), "--only", "0", "--progress", "none").code());
        assertEquals(0, cli("run", yaml.toString(), "--output", b.toString(), "--only", "1", "--progress", "none").code());
        assertEquals(2, results(b).size());
        String hash2 = lines.stream().filter(l -> l.get("trial").asInt() == 2).findFirst().orElseThrow()
                .get("hash").asText();
        Path half = b.resolve("trials/2-" + hash2);
        Files.createDirectories(half.resolve(".model.tmp"));
        Files.writeString(half.resolve("junk.txt"), "interrupted");
        CliTest.Result rest = cli("run", yaml.toString(), "--output", b.toString(), "--progress", "none");
        assertEquals(0, rest.code(), rest.err());
        assertTrue(rest.out().contains("restarting an interrupted run"), rest.out());
        assertEquals(2, rest.out().lines().filter(x -> x.contains("done, skipped")).count(), rest.out());
        List<JsonNode> bl = results(b);
        assertEquals(4, bl.size());
        Set<String> hashes = new HashSet<>();
        for (JsonNode l : bl) assertTrue(hashes.add(l.get("hash").asText()), "duplicate line " + l);
        assertFalse(Files.exists(half.resolve("junk.txt")));

        // ---- same seed + same config = the same numbers, in either folder ------------------------------------
        Map<String, JsonNode> byHash = new HashMap<>();
        for (JsonNode l : lines) byHash.put(l.get("hash").asText(), l);
        for (JsonNode l : bl) {
            JsonNode other = byHash.get(l.get("hash").asText());
            assertEquals(other.get("test"), l.get("test"), "trial " + l.get("trial"));
            assertEquals(other.get("validation_curve").get(0).get("train_loss"),
                    l.get("validation_curve").get(0).get("train_loss"));
        }
        // different seeds do differ
        assertFalse(lines.get(0).get("validation_curve").get(0).get("train_loss")
                .equals(lines.get(1).get("validation_curve").get(0).get("train_loss")));
    }

    @Test
    void missingDataOrBackboneFailsBeforeAnyTrainingWithTheLine() throws Exception {
        Path yaml = experiment();
        String text = Files.readString(yaml);
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, text.replace("backbone: all-MiniLM-L6-v2", "backbone: no-such-model"));
        CliTest.Result r = cli("run", bad.toString(), "--output", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("finetune4j: error: " + bad + ":9:3: trial 0: backbone 'no-such-model'"), r.err());
        assertFalse(Files.exists(tmp.resolve("x").resolve("results.jsonl")));

        Files.writeString(bad, text.replaceAll("path: .*", "path: nowhere.jsonl"));
        r = cli("run", bad.toString(), "--output", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("finetune4j: error: " + bad + ":3:3: trial 0: "), r.err());
        assertTrue(r.err().contains("no such file"), r.err());
    }
}
