package io.finetune4j.tests;

import io.finetune4j.framework.data.Fixtures;
import io.finetune4j.framework.data.DatasetReader;
import io.finetune4j.framework.data.DatasetStats;
import io.finetune4j.framework.data.TextDataset;
import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.pretrained.ModelCatalogue;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code finetune4j datasets stats} on the real Rotten Tomatoes sentences with MiniLM's tokenizer. */
class DatasetsStatsCliTest {

    @Test
    void statsOfMrSentencesWithMiniLm() {
        TestModels.minilmJar();
        CliTest.Result r = CliTest.cli("datasets", "stats", "mr_sentences_4k.jsonl", "--model", "all-MiniLM-L6-v2",
                "--max-length", "32");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("4000 rows, 2 classes"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("neg\\s+2000\\s+50\\.0%")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("pos\\s+2000\\s+50\\.0%")), out);

        // the length row equals DatasetStats on the same file with the same tokenizer
        TextDataset ds = DatasetReader.read(Fixtures.mr());
        Backbone minilm = ModelCatalogue.load("all-MiniLM-L6-v2");
        DatasetStats.LengthStats s = DatasetStats.lengths(ds, t -> minilm.tokenizer().encode(t).length(), 32);
        String row = out.lines().filter(l -> l.startsWith("all ")).reduce((a, b) -> b).orElseThrow();
        String[] cells = row.trim().split("\\s+");
        assertEquals("4000", cells[1], row);
        assertEquals(Integer.toString(s.min()), cells[2], row);
        assertEquals(String.format(Locale.ROOT, "%.1f", s.mean()), cells[3], row);
        assertEquals(Integer.toString(s.max()), cells[7], row);
        assertEquals(String.format(Locale.ROOT, "%.1f%%", 100 * s.fractionOver()), cells[8], row);
        assertTrue(s.mean() > 15 && s.mean() < 40, "Rotten Tomatoes sentences are short: " + s.mean());
    }
}
