package io.finetune4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code run FILE --spark local[2]} on a tiny grid of real data (MiniLM, 48 training and 32 test sentences of Rotten
 * Tomatoes, 24 tokens; 2 learning rates x 2 seeds): every trial's {@code test} block is byte for byte the sequential
 * runner's, the rerun resumes (nothing runs), and a trial with bad data is recorded as failed while the rest finish.
 *
 * <p>Thread counts change float results (the last digits of the loss), so the comparison is made at equal threads:
 * Spark runs two trials at once with one native thread each, and the sequential reference runs in a JVM of its own
 * with {@code OMP_NUM_THREADS=1}.
 */
class SparkGridTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The 200 real sentences shipped with this module's tests, as a file (Rotten Tomatoes, 100 pos / 100 neg). */
    static Path data(Path dir) throws Exception {
        Path f = dir.resolve("mr_sentences_200.jsonl");
        try (InputStream in = SparkGridTest.class.getResourceAsStream("/mr_sentences_200.jsonl")) {
            Files.copy(in, f);
        }
        return f;
    }

    static String yaml(String name, String dataset, String sweep) {
        return """
                name: %s
                dataset:
                  path: %s
                  split: {train: 0.7, test: 0.3}
                  train_limit: 48
                  test_limit: 32
                  seed: 5
                model:
                  backbone: all-MiniLM-L6-v2
                  head: {pooling: cls}
                training:
                  max_length: 24
                  batch_size: 16
                  epochs: 1
                %s
                """.formatted(name, dataset, sweep);
    }

    record Result(int code, String out, String err) {
    }

    /** The command line in this JVM (the Spark driver runs here), its output captured. */
    static Result cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The command line in a JVM of its own with {@code threads} native threads (the sequential reference). */
    static Result cliProcess(Path workDir, int threads, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dorg.bytedeco.javacpp.maxbytes=4g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=7g",
                "-Dfile.encoding=UTF-8", "-Dfinetune4j.cache=" + System.getProperty("finetune4j.cache"),
                "-Dfinetune4j.datasets=" + System.getProperty("finetune4j.datasets"),
                "-Dmaven.repo.local=" + System.getProperty("maven.repo.local"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        Path out = workDir.resolve("reference.out"), err = workDir.resolve("reference.err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(6, TimeUnit.MINUTES), "the sequential reference run took over 6 minutes");
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static List<JsonNode> results(Path dir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String s : Files.readAllLines(dir.resolve("results.jsonl"), StandardCharsets.UTF_8)) {
            if (!s.isBlank()) out.add(JSON.readTree(s));
        }
        return out;
    }

    /** hash -> the line's {@code test} object as JSON text. */
    static Map<String, String> testBlocks(List<JsonNode> lines) throws Exception {
        Map<String, String> m = new TreeMap<>();
        for (JsonNode l : lines) m.put(l.get("hash").asText(), JSON.writeValueAsString(l.get("test")));
        return m;
    }

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void localGridEqualsSequentialResumesAndRecordsFailures() throws Exception {
        Path data = data(tmp);
        // The same sentences with one label missing (row 8): reading it is a user error of that trial only.
        Path bad = tmp.resolve("bad.jsonl");
        List<String> rows = new ArrayList<>(Files.readAllLines(data, StandardCharsets.UTF_8));
        rows.set(7, "{\"text\": " + JSON.writeValueAsString(JSON.readTree(rows.get(7)).get("text").asText()) + "}");
        Files.write(bad, rows, StandardCharsets.UTF_8);
        Path file = tmp.resolve("grid.yaml");
        // 4 trials: 0 and 2 on the good data (learning rates 5e-5, 2e-4), 1 and 3 on the bad data.
        Files.writeString(file, yaml("grid", data.toString(), """
                seeds: [1]
                sweep:
                  method: grid
                  parameters:
                    training.learning_rate: [5.0e-5, 2.0e-4]
                    dataset.path: [%s, %s]
                """.formatted(data, bad)));

        // ---- Spark: two trials at once, one thread each --------------------------------------------------------------
        Path sp = tmp.resolve("spark");
        long t0 = System.nanoTime();
        Result r = cli("run", file.toString(), "--output", sp.toString(), "--progress", "none", "--spark", "local[2]");
        double sparkSeconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, r.code(), r.err() + r.out());                 // two trials failed: exit 2, one line
        List<String> errors = r.err().lines().filter(x -> x.startsWith("finetune4j: error: ")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).contains("2 of 4 trials failed"), r.err());
        assertTrue(r.out().contains("at most 2 at once, 1 thread each"), r.out());
        List<JsonNode> lines = results(sp);
        assertEquals(4, lines.size(), r.out());
        assertEquals(4, lines.stream().map(l -> l.get("hash").asText()).distinct().count(), "a hash twice: " + lines);
        List<JsonNode> ok = new ArrayList<>(), failed = new ArrayList<>();
        for (JsonNode l : lines) (l.has("status") ? failed : ok).add(l);
        assertEquals(List.of(0, 2), ok.stream().map(l -> l.get("trial").asInt()).sorted().toList());
        assertEquals(List.of(1, 3), failed.stream().map(l -> l.get("trial").asInt()).sorted().toList());
        for (JsonNode l : ok) {
            assertEquals(32, l.get("test").get("examples").asInt());
            assertTrue(Files.isRegularFile(sp.resolve(l.get("output").asText()).resolve("metrics.json")));
            assertTrue(Files.isRegularFile(sp.resolve("logs").resolve("trial-" + l.get("trial").asInt() + "-"
                    + l.get("hash").asText() + ".log")));
        }
        for (JsonNode l : failed) {
            assertEquals("failed", l.get("status").asText());
            String e = l.get("error").asText();
            assertTrue(e.contains("bad.jsonl") && !e.contains("\n"), l.toString());
            assertFalse(l.has("test"), l.toString());
        }
        String summary = Files.readString(sp.resolve("summary.md"));
        assertTrue(summary.contains("## Failed trials") && summary.contains(failed.get(0).get("hash").asText()),
                summary);

        // ---- the sequential runner on the good trials (0 and 2 = shard 1/2), one thread, in a JVM of its own: the
        // same test blocks, byte for byte -------------------------------------------------------------------------------
        Path seq = tmp.resolve("sequential");
        t0 = System.nanoTime();
        Result ref = cliProcess(tmp, 1, "run", file.toString(), "--output", seq.toString(), "--progress", "none",
                "--shard", "1/2");
        double sequentialSeconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, ref.code(), ref.err() + ref.out());
        assertEquals(testBlocks(results(seq)), testBlocks(ok));
        System.out.printf("SparkGridTest: local[2] %.1f s (2 trials + 2 failing), sequential (1 thread, own JVM, "
                + "2 trials) %.1f s%n", sparkSeconds, sequentialSeconds);

        // ---- the same command again: the finished trials are skipped, the failed ones run (and fail) again; still one
        // line per hash ---------------------------------------------------------------------------------------------
        Result again = cli("run", file.toString(), "--output", sp.toString(), "--progress", "none", "--spark",
                "local[2]");
        assertEquals(2, again.code(), again.err());
        assertEquals(2, again.out().lines().filter(x -> x.contains("done, skipped")).count(), again.out());
        assertTrue(again.out().contains("2 trials, at most 2 at once"), again.out());
        List<JsonNode> after = results(sp);
        assertEquals(4, after.size(), after.toString());
        assertEquals(testBlocks(lines), testBlocks(after));
        assertEquals(2, after.stream().filter(l -> l.has("status")).count());

        // ---- once nothing is left to run, a rerun starts no Spark at all ---------------------------------------------
        Result only = cli("run", file.toString(), "--output", sp.toString(), "--progress", "none", "--spark",
                "local[2]", "--shard", "1/2");
        assertEquals(0, only.code(), only.err());
        assertEquals(2, only.out().lines().filter(x -> x.contains("done, skipped")).count(), only.out());
        assertFalse(only.out().contains("spark local"), only.out());
    }
}
