package io.finetune4j.tests;

import io.finetune4j.framework.data.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.finetune4j.tests.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code finetune4j analyze RUN_DIR} on a tiny real training run (MiniLM, 48 training / 32 test reviews, 32 tokens). */
class AnalyzeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void analyzesAFinishedRunWithEdgeCases() throws Exception {
        Path run = tmp.resolve("run");
        CliTest.Result t = cli("train", "--train-data", Fixtures.file("imdb_train.jsonl").toString(),
                "--test-data", Fixtures.file("imdb_test.jsonl").toString(), "--train-limit", "48",
                "--test-limit", "32", "--max-length", "32", "--batch-size", "16", "--epochs", "1",
                "--progress", "none", "--output", run.toString());
        assertEquals(0, t.code(), t.err());

        Path cases = tmp.resolve("edge.jsonl");
        Files.writeString(cases, """
                {"text": "Not bad at all, I enjoyed it.", "label": "pos", "tag": "negation"}
                {"text": "Oh great, another two hours of my life gone.", "label": "neg", "tag": "sarcasm"}
                {"text": "A wonderful film.", "label": "pos"}
                """);
        CliTest.Result r = cli("analyze", run.toString(), "--edge-cases", cases.toString(), "--top", "3",
                "--confidence", "0.6");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("finetune4j: edge cases: "), r.out());
        for (String f : List.of("abstention.txt", "abstention.png", "abstention.svg", "errors.md",
                "error_rate_by_length.png", "error_rate_by_length.svg", "analysis.json")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing");
        }
        String md = Files.readString(run.resolve("errors.md"));
        for (String s : List.of("## Highest loss (top 3)", "## High-confidence errors (confidence >= 0.60)",
                "Binary task, positive class `pos`", "## Error rate by length", "## Edge cases", "| negation |",
                "| sarcasm |", "| untagged |")) {
            assertTrue(md.replaceAll(" +", " ").contains(s), "errors.md lacks " + s + ":\n" + md);   // columns padded
        }
        JsonNode a = JSON.readTree(run.resolve("analysis.json").toFile());
        assertEquals(3, a.path("edge_cases").path("all").path("total").asInt(), a.toString());
        assertEquals(32, a.path("errors").path("examples").asInt());
        assertTrue(Files.readString(run.resolve("abstention.txt")).contains("margin (top-1 - top-2)"));

        // a label the model does not know is the user's error: one line, exit 2
        Files.writeString(cases, "{\"text\": \"meh\", \"label\": \"neutral\"}\n");
        CliTest.Result bad = cli("analyze", run.toString(), "--edge-cases", cases.toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("'neutral' is not one of the model's labels"), bad.err());
        CliTest.Result none = cli("analyze", tmp.resolve("nothing").toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no predictions.jsonl"), none.err());
    }
}
