package io.finetune4j.tests;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.data.Fixtures;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** Real texts for tests: short Rotten Tomatoes sentences (built in) mixed with long IMDB reviews (a fixture). */
public final class TestTexts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestTexts() {
    }

    /** {@code n} texts alternating short sentences and long reviews (varied lengths, with padding in batches). */
    public static List<String> varied(int n) throws IOException {
        List<String> shortOnes = Files.readAllLines(Fixtures.mr());
        List<String> longOnes = Files.readAllLines(Fixtures.file("imdb_test.jsonl"));
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i++) {
            List<String> src = i % 3 == 2 ? longOnes : shortOnes;
            out.add(JSON.readTree(src.get(i * 37 % src.size())).get("text").asText());
        }
        return out;
    }
}
