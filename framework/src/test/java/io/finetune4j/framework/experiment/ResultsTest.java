package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.framework.data.DatasetException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ResultsTest {

    public static void writeLines(Path dir, List<JsonNode> lines) throws Exception {
        Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder();
        for (JsonNode l : lines) sb.append(l).append('\n');
        Files.writeString(dir.resolve("results.jsonl"), sb.toString());
    }

    @Test
    void mergeDedupesByHashAndWarnsOnDifferentNumbers(@TempDir Path tmp) throws Exception {
        List<JsonNode> grid = SummaryTest.grid();
        writeLines(tmp.resolve("a"), grid.subList(0, 5));
        List<JsonNode> b = new ArrayList<>(grid.subList(4, 8));
        b.add(grid.get(0).deepCopy());
        ((ObjectNode) b.get(b.size() - 1).get("test")).put("accuracy", 0.5);
        writeLines(tmp.resolve("b"), b);
        List<String> warnings = new ArrayList<>();
        List<JsonNode> merged = Results.merge(List.of(Results.read(tmp.resolve("a")), Results.read(tmp.resolve("b"))),
                warnings::add);
        assertEquals(8, merged.size());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("h00000000000") && warnings.get(0).contains("results.jsonl:1"),
                warnings.get(0));
    }

    @Test
    void malformedLineNamesFileAndLine(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("results.jsonl"), SummaryTest.grid().get(0) + "\n\n{\"trial\": 1, \"hash\": \n");
        DatasetException e = assertThrows(DatasetException.class, () -> Results.read(tmp));
        assertTrue(e.getMessage().startsWith(tmp.resolve("results.jsonl") + ":3: "), e.getMessage());
        Files.writeString(tmp.resolve("results.jsonl"), "{\"trial\": 1, \"test\": {}}\n");
        e = assertThrows(DatasetException.class, () -> Results.read(tmp));
        assertTrue(e.getMessage().endsWith(":1: no \"hash\""), e.getMessage());
    }

    /** A finished line is never recorded twice (a retried Spark task); a failed line is replaced by the result. */
    @Test
    void appendKeepsOneLinePerHashAndAResultReplacesAFailure(@TempDir Path tmp) throws Exception {
        List<JsonNode> grid = SummaryTest.grid();
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put("trial", 0);
        failed.put("hash", grid.get(0).get("hash").asText());
        failed.put("status", Results.FAILED);
        failed.put("error", "data.jsonl: no such file");
        assertTrue(Results.append(tmp, failed));
        assertTrue(Results.append(tmp, json(grid.get(1))));
        assertEquals(Set.of(grid.get(1).get("hash").asText()), Results.doneHashes(tmp), "a failed trial is not done");
        assertEquals(2, Results.read(tmp).size(), "a failed line reads back");

        assertTrue(Results.append(tmp, json(grid.get(0))));
        assertFalse(Results.append(tmp, json(grid.get(0))), "a second result of the same hash is dropped");
        assertFalse(Results.append(tmp, failed), "a failure after the result is dropped");
        List<JsonNode> lines = Results.readAll(tmp);
        assertEquals(2, lines.size());
        assertEquals(grid.get(1), lines.get(0));
        assertEquals(grid.get(0), lines.get(1));
    }

    @Test
    void mergeKeepsTheFinishedLineOverAFailedOne(@TempDir Path tmp) throws Exception {
        JsonNode done = SummaryTest.grid().get(0);
        ObjectNode failed = JSON.createObjectNode().put("trial", 0).put("hash", done.get("hash").asText())
                .put("status", "failed").put("error", "NaN loss");
        writeLines(tmp.resolve("a"), List.of(failed));
        writeLines(tmp.resolve("b"), List.of(done));
        List<String> warnings = new ArrayList<>();
        assertEquals(List.of(done), Results.merge(List.of(Results.read(tmp.resolve("a")), Results.read(tmp.resolve("b"))),
                warnings::add));
        assertEquals(List.of(done), Results.merge(List.of(Results.read(tmp.resolve("b")), Results.read(tmp.resolve("a"))),
                warnings::add));
        assertEquals(List.of(), warnings);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(JsonNode n) {
        return JSON.convertValue(n, LinkedHashMap.class);
    }
}
