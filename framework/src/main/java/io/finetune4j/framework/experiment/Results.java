package io.finetune4j.framework.experiment;

import static io.finetune4j.framework.io.Files2.writeAtomically;
import io.finetune4j.framework.finetune.FineTuneRun;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.time.OffsetDateTime;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileLock;
import java.nio.channels.FileChannel;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.data.DatasetException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code results.jsonl}: a line per finished trial, appended atomically; read back, and merged across shards. A trial
 * that an executor recorded as failed has a line with {@code "status": "failed"} and its one-line {@code error}
 * instead of metrics; it is not finished, and runs again next time.
 */
public final class Results {
    public static final String FILE = "results.jsonl";
    /** {@code "status"} of a failed trial's line (a user error on the machine that ran it: bad data, a NaN loss). */
    public static final String FAILED = "failed";
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectMapper LENIENT = new ObjectMapper();

    private Results() {
    }

    /** A line and where it came from. */
    public record Line(JsonNode json, Path file, int line) {
        public String where() {
            return file + ":" + line;
        }
    }

    /**
     * The lines of {@code DIR/results.jsonl} (or of the file itself); blank lines skipped. Each must be a JSON object
     * with a {@code hash} and a {@code test} object, or be a failed trial's line.
     *
     * @throws DatasetException "FILE:LINE: ..." for the first malformed line, or a missing file
     */
    public static List<Line> read(Path dirOrFile) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE) : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file + ": no such file (expected the " + FILE + " of an experiment run)");
        }
        List<Line> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int n = 0;
            for (String s; (s = r.readLine()) != null; ) {
                n++;
                if (s.isBlank()) continue;
                JsonNode node;
                try {
                    node = JSON.readTree(s);
                } catch (JsonProcessingException e) {
                    throw new DatasetException(file + ":" + n + ": not valid JSON: " + e.getOriginalMessage());
                }
                if (node == null || !node.isObject()) {
                    throw new DatasetException(file + ":" + n + ": not a JSON object");
                }
                if (!node.hasNonNull("hash")) throw new DatasetException(file + ":" + n + ": no \"hash\"");
                if (!node.path("test").isObject() && !isFailed(node)) {
                    throw new DatasetException(file + ":" + n + ": no \"test\" object with the metrics");
                }
                out.add(new Line(node, file, n));
            }
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file", e);
        }
        return out;
    }

    /** Whether {@code line} is a failed trial's ({@code "status": "failed"}): no metrics. */
    public static boolean isFailed(JsonNode line) {
        return FAILED.equals(line.path("status").asText());
    }

    /**
     * All lines of all shards, one per {@code hash} (the first seen is kept, but a finished trial's line wins over a
     * failed one). A hash seen again with different
     * test metrics or best epoch gets a warning naming both places (timings always differ between runs and are not
     * compared).
     */
    public static List<JsonNode> merge(List<List<Line>> shards, Consumer<String> warn) {
        Map<String, Line> byHash = new LinkedHashMap<>();
        for (List<Line> shard : shards) {
            for (Line l : shard) {
                String hash = l.json().get("hash").asText();
                Line first = byHash.putIfAbsent(hash, l);
                if (first == null || isFailed(l.json())) continue;
                if (isFailed(first.json())) {              // failed in one place, finished in another: the result
                    byHash.put(hash, l);
                    continue;
                }
                if ((!first.json().path("test").equals(l.json().path("test"))
                        || !first.json().path("best_epoch").equals(l.json().path("best_epoch")))) {
                    warn.accept("trial " + hash + " appears twice with different results: " + first.where() + " "
                            + first.json().path("test") + " vs " + l.where() + " " + l.json().path("test")
                            + " (keeping the first)");
                }
            }
        }
        List<JsonNode> out = new ArrayList<>();
        for (Line l : byHash.values()) out.add(l.json());
        return out;
    }

    /** The line of a finished fine-tuning trial: its settings, timings and metrics (numbers only). */
    static Map<String, Object> fineTuneLine(Trial t, FineTuneRun.Result r) {
        Map<String, Object> m = r.metrics();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("trial", t.index());
        line.put("hash", t.hash());
        line.put("params", t.params());
        line.put("seed", t.seed());
        line.put("model", m.get("model"));
        line.put("config", t.config());
        Map<String, Object> timing = r.timing();
        line.put("train_seconds", timing.get("train_seconds"));
        line.put("train_samples_per_second", timing.get("train_samples_per_second"));
        line.put("train_tokens_per_second", timing.get("train_tokens_per_second"));
        List<Object> epochSeconds = new ArrayList<>();
        if (timing.get("epochs") instanceof List<?> epochs) {
            for (Object o : epochs) if (o instanceof Map<?, ?> e) epochSeconds.add(e.get("seconds"));
        }
        List<Object> curve = new ArrayList<>();
        if (m.get("epochs") instanceof List<?> epochs) {
            for (Object o : epochs) {
                if (!(o instanceof Map<?, ?> e)) continue;
                Map<String, Object> c = new LinkedHashMap<>();
                for (String k : List.of("epoch", "train_loss", "val_loss", "val_accuracy", "val_macro_f1")) {
                    c.put(k, e.get(k));
                }
                curve.add(c);
            }
        }
        line.put("epoch_seconds", epochSeconds);
        line.put("best_epoch", m.get("best_epoch"));
        line.put("validation_curve", curve);
        Map<String, Object> test = new LinkedHashMap<>();
        if (m.get("test") instanceof Map<?, ?> tm) {
            for (Map.Entry<?, ?> e : tm.entrySet()) {
                if (e.getValue() instanceof Number || e.getValue() == null) test.put(e.getKey().toString(), e.getValue());
            }
        }
        line.put("test", test);
        if (m.get("two_stage") != null) line.put("two_stage", m.get("two_stage"));
        if (m.get("validation") instanceof Map<?, ?> vm) {
            Map<String, Object> val = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : vm.entrySet()) {
                if (e.getValue() instanceof Number) val.put(e.getKey().toString(), e.getValue());
            }
            line.put("validation", val);
        }
        line.put("output", t.dirName());
        line.put("finished_at", now());
        return line;
    }

    /**
     * The trial lines of {@code dir/results.jsonl}, failed ones included (a line that does not parse is ignored with
     * no harm: it cannot be half-written).
     */
    public static List<JsonNode> readAll(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(f)) return out;
        for (String s : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (s.isBlank()) continue;
            try {
                out.add(LENIENT.readTree(s));
            } catch (IOException e) {
                // not ours: skip
            }
        }
        return out;
    }

    /** The hashes with a finished (not failed) line: what resume skips. */
    static Set<String> doneHashes(Path dir) throws IOException {
        Set<String> done = new HashSet<>();
        for (JsonNode r : readAll(dir)) if (!isFailed(r)) done.add(r.path("hash").asText());
        return done;
    }

    /**
     * The line of a trial that failed with {@code error} (one line: e.g. a dataset missing on the machine that ran it,
     * or a NaN loss): its identity, {@code "status": "failed"} and the message; no metrics.
     */
    public static Map<String, Object> failedLine(Trial t, String error) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("trial", t.index());
        line.put("hash", t.hash());
        line.put("params", t.params());
        line.put("seed", t.seed());
        line.put("config", t.config());
        line.put("status", FAILED);
        line.put("error", error);
        line.put("output", t.dirName());
        line.put("finished_at", now());
        return line;
    }

    /**
     * Appends one line: under a lock (shards and concurrent trials share the file), the whole file is rewritten and
     * moved into place. A hash is never recorded twice: a line whose hash already has a finished line is dropped
     * (returns false; a retried Spark task), and a new line replaces an earlier failed line of its hash.
     */
    public static boolean append(Path dir, Map<String, Object> line) throws IOException {
        Path f = dir.resolve(FILE);
        String hash = String.valueOf(line.get("hash"));
        // FileChannel.lock keeps other processes (shards) out, but it is held per JVM and throws
        // OverlappingFileLockException to a second thread of the same JVM: threads queue on APPEND first.
        synchronized (APPEND) {
            try (FileChannel ch = FileChannel.open(dir.resolve(".results.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                StringBuilder keep = new StringBuilder();
                String old = Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
                for (String s : old.split("\n")) {
                    if (s.isBlank()) continue;
                    JsonNode r = parseOrNull(s);
                    if (r != null && hash.equals(r.path("hash").asText())) {
                        if (!isFailed(r)) return false;          // recorded already
                        continue;                                // an earlier failure: the new line replaces it
                    }
                    keep.append(s).append('\n');
                }
                writeAtomically(f, keep + LENIENT.writeValueAsString(line) + "\n");
                return true;
            }
        }
    }

    private static final Object APPEND = new Object();

    private static JsonNode parseOrNull(String s) {
        try {
            return LENIENT.readTree(s);
        } catch (IOException e) {
            return null;                                         // not ours: kept as it is
        }
    }

    private static String now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
