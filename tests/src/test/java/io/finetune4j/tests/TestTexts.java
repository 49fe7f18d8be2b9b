package io.finetune4j.tests;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real sentences from ../shared/data for tests: short Rotten Tomatoes sentences mixed with long IMDB reviews. */
public final class TestTexts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestTexts() {
    }

    /** The shared data folder: walks up from the working directory to the first {@code shared/data}. */
    public static Path dataDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("shared").resolve("data");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("no shared/data folder above " + Path.of("").toAbsolutePath());
    }

    /** {@code n} texts alternating short sentences and long reviews (varied lengths, with padding in batches). */
    public static List<String> varied(int n) throws IOException {
        List<String> shortOnes = Files.readAllLines(dataDir().resolve("mr_sentences_4k.jsonl"));
        List<String> longOnes = Files.readAllLines(dataDir().resolve("imdb_1k_test.jsonl"));
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i++) {
            List<String> src = i % 3 == 2 ? longOnes : shortOnes;
            out.add(JSON.readTree(src.get(i * 37 % src.size())).get("text").asText());
        }
        return out;
    }
}
