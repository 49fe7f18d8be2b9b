package io.finetune4j.framework.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionsWriterTest {

    private static final List<String> NAMES = List.of("anger", "joy", "sadness");

    @Test
    void writesOneJsonObjectPerLineAndReadsItBack(@TempDir Path dir) throws IOException {
        PredictionRecord a = PredictionRecord.singleLabel(0, "I am \"so\" happy\n", 1,
                new double[] {0.1, 0.7, 0.2}, 0.35667494393873245, NAMES);
        PredictionRecord b = PredictionRecord.singleLabel(1, null, -1, new double[] {0.5, 0.2, 0.3}, Double.NaN, NAMES);
        PredictionRecord c = PredictionRecord.multiLabel(2, "ü ∑ 😀", new int[] {1, 0, 1},
                new double[] {0.8, 0.6, 0.3}, new double[] {0.5, 0.7, 0.25}, 0.4, NAMES);
        Path file = dir.resolve("out/predictions.jsonl");
        PredictionsWriter.writeJsonl(file, List.of(a, b, c));

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(3, lines.size());
        assertEquals("{\"index\":0,\"text\":\"I am \\\"so\\\" happy\\n\",\"true\":[\"joy\"],\"predicted\":[\"joy\"],"
                + "\"confidence\":0.7,\"loss\":0.35667494393873245,"
                + "\"probabilities\":{\"anger\":0.1,\"joy\":0.7,\"sadness\":0.2}}", lines.get(0));
        assertEquals("{\"index\":1,\"text\":null,\"true\":null,\"predicted\":[\"anger\"],\"confidence\":0.5,"
                + "\"loss\":null,\"probabilities\":{\"anger\":0.5,\"joy\":0.2,\"sadness\":0.3}}", lines.get(1));

        List<PredictionRecord> back = PredictionsWriter.readJsonl(file);
        assertEquals(List.of(a, b, c), back);
        assertEquals(List.of("anger", "sadness"), back.get(2).trueLabels());
        assertEquals(List.of("anger", "sadness"), back.get(2).predictedLabels());
        assertEquals(0.8, back.get(2).confidence());
        assertNull(back.get(1).loss());
        assertEquals(NAMES, List.copyOf(back.get(0).probabilities().keySet()));
    }

    @Test
    void replacesAnExistingFileAndLeavesNoTemporaryFiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("predictions.jsonl");
        Files.writeString(file, "old content that is longer than the new one ...........\n");
        PredictionsWriter.writeJsonl(file, List.of(
                PredictionRecord.singleLabel(7, "x", 0, new double[] {0.9, 0.05, 0.05}, 0.1, NAMES)));
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith("{\"index\":7,"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
        PredictionsWriter.writeJsonl(file, List.of());
        assertEquals(0, Files.size(file));
    }
}
