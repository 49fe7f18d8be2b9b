package io.finetune4j.framework.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetStatsTest {
    static final ToIntFunction<String> WORDS = s -> s.isBlank() ? 0 : s.trim().split("\\s+").length;

    @Test
    void lengthStatsOfKnownLengths() {
        List<Example> ex = new ArrayList<>();
        for (int n = 1; n <= 10; n++) {
            ex.add(Example.single("w ".repeat(n).trim(), n % 2, n));
        }
        TextDataset ds = new TextDataset(ex, List.of("a", "b"), false, "toy");
        DatasetStats.LengthStats s = DatasetStats.lengths(ds, WORDS, 8);
        assertEquals(new DatasetStats.LengthStats(10, 1, 5.5, 5.5, 9, 10, 10, 8, 0.2), s);
    }

    @Test
    void tablesForFineFoods() {
        TextDataset ds = DatasetReader.read(Fixtures.file("fine_foods.jsonl"));
        Map<String, TextDataset> splits = new LinkedHashMap<>(Splits.groupBy(ds, "split"));
        String report = DatasetStats.report(splits, WORDS, 128);
        System.out.println(report);
        assertTrue(report.contains("great"));
        String[] lines = report.split("\n");
        assertTrue(lines[0].matches("label\\s+test\\s+train"), lines[0]);
        assertTrue(report.contains("total"));
        assertTrue(report.contains("> 128"));
        DatasetStats.LengthStats s = DatasetStats.lengths(ds, WORDS, 128);
        assertEquals(78.672, s.mean(), 1e-9, "the fixture's mean whitespace-word count (python: 78.672)");
    }

    @Test
    void multiLabelTableHasNoLabelRow() {
        TextDataset ds = DatasetReader.read(Fixtures.file("reuters.jsonl"),
                ReadOptions.defaults().withMultiLabel(true));
        String t = DatasetStats.classTable(Splits.groupBy(ds, "split"));
        System.out.println(t);
        assertTrue(t.contains("(no label)"));
    }
}
