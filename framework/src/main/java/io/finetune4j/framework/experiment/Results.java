package io.finetune4j.framework.experiment;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Reading {@code results.jsonl} files and merging the shards of one grid run. */
public final class Results {
    public static final String FILE = "results.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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
     * with a {@code hash} and a {@code test} object.
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
                if (!node.path("test").isObject()) {
                    throw new DatasetException(file + ":" + n + ": no \"test\" object with the metrics");
                }
                out.add(new Line(node, file, n));
            }
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file", e);
        }
        return out;
    }

    /**
     * All lines of all shards, one per {@code hash} (the first seen is kept). A hash seen again with different
     * test metrics or best epoch gets a warning naming both places (timings always differ between runs and are not
     * compared).
     */
    public static List<JsonNode> merge(List<List<Line>> shards, Consumer<String> warn) {
        Map<String, Line> byHash = new LinkedHashMap<>();
        for (List<Line> shard : shards) {
            for (Line l : shard) {
                String hash = l.json().get("hash").asText();
                Line first = byHash.putIfAbsent(hash, l);
                if (first != null && (!first.json().path("test").equals(l.json().path("test"))
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
}
