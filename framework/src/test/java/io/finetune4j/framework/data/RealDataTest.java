package io.finetune4j.framework.data;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads every file of the workspace's shared/data and checks the counts its README gives; checks that the datasets
 * the product ships or derives (mr built in, the IMDB subsets by row numbers) are the same bytes. Opt-in:
 * {@code mvn verify -Pshared-data}.
 */
@Tag(SharedData.TAG)
class RealDataTest {

    @Test
    void builtInAndDerivedDatasetsEqualTheWorkspaceFiles(@TempDir Path cache) throws Exception {
        String old = System.getProperty("finetune4j.datasets");
        System.setProperty("finetune4j.datasets", cache.toString());
        try {
            Path mr = DatasetCatalogue.materialize(DatasetCatalogue.find("mr").orElseThrow(), s -> { });
            assertArrayEquals(Files.readAllBytes(SharedData.file("mr_sentences_4k.jsonl")), Files.readAllBytes(mr));
            // the subsets come from a fetched imdb: the workspace's copy of it stands in for the fetch
            Path imdb = DatasetCatalogue.cachedFile(DatasetCatalogue.find("imdb").orElseThrow());
            Files.createDirectories(imdb.getParent());
            Files.copy(SharedData.file("imdb_50k.jsonl.gz"), imdb);
            for (String name : List.of("imdb_2k_train", "imdb_1k_test")) {
                Path made = DatasetCatalogue.materialize(name, cache, s -> { });
                assertArrayEquals(Files.readAllBytes(SharedData.file(name + ".jsonl")), Files.readAllBytes(made), name);
            }
        } finally {
            if (old == null) System.clearProperty("finetune4j.datasets");
            else System.setProperty("finetune4j.datasets", old);
        }
    }

    @Test
    void imdb50k() {
        TextDataset ds = DatasetReader.read(SharedData.file("imdb_50k.jsonl.gz"));
        assertEquals(50_000, ds.size());
        assertEquals(List.of("neg", "pos"), ds.labelNames());
        assertArrayEquals(new int[]{25_000, 25_000}, ds.labelCounts());
        assertEquals(1, ds.get(0).row());
        assertEquals(50_000, ds.get(49_999).row());
        double[] w = Splits.classWeights(ds);
        assertArrayEquals(new double[]{1.0, 1.0}, w, 1e-12);
    }

    @Test
    void imdbSmallFiles() {
        TextDataset train = DatasetReader.read(SharedData.file("imdb_2k_train.jsonl"));
        TextDataset test = DatasetReader.read(SharedData.file("imdb_1k_test.jsonl"));
        assertArrayEquals(new int[]{1000, 1000}, train.labelCounts());
        assertArrayEquals(new int[]{500, 500}, test.labelCounts());
    }

    @Test
    void wordnetSupersenses() {
        TextDataset ds = DatasetReader.read(SharedData.file("wordnet_supersense.jsonl.gz"));
        assertEquals(95_831, ds.size());
        assertEquals(40, ds.numLabels());
        int[] counts = ds.labelCounts();
        assertEquals(11_587, Arrays.stream(counts).max().orElseThrow());
        assertEquals(42, Arrays.stream(counts).min().orElseThrow());
        assertTrue(ds.labelNames().contains("noun.food") && ds.labelNames().contains("verb.motion"));
        // other fields are kept as strings (a list as JSON text)
        assertTrue(ds.get(0).extra().containsKey("synset"));
        assertTrue(ds.get(0).get("lemmas").startsWith("["));
        // balanced weights: n / (k * count)
        double[] w = Splits.classWeights(ds);
        for (int c = 0; c < 40; c++) {
            assertEquals(95_831.0 / (40.0 * counts[c]), w[c], 1e-9);
        }
    }

    @Test
    void reutersMultiLabel() {
        TextDataset ds = DatasetReader.read(SharedData.file("reuters_corn_grain_multilabel.jsonl"),
                ReadOptions.defaults().withMultiLabel(true));
        assertTrue(ds.multiLabel());
        assertEquals(2_158, ds.size());
        assertEquals(Map.of("corn", 69, "grain", 160), ds.labelCountsByName());
        assertEquals(1_997, ds.unlabelledCount());
        assertTrue(ds.get(0).text().contains("\n"), "JSON \\n escapes kept");
        Splits.Split s = Splits.byField(ds, "split", "train", null, "test");
        assertEquals(2_158, s.train().size() + s.test().size());
        assertEquals(0, s.validation().size());
        // stratifying on the label set keeps the rare "corn only" example in one part and no row is lost
        Splits.Split st = Splits.stratified(ds, 0.8, 0.1, 0.1, 7);
        assertEquals(2_158, st.train().size() + st.validation().size() + st.test().size());
        assertEquals(160, st.train().labelCounts()[1] + st.validation().labelCounts()[1] + st.test().labelCounts()[1]);
    }

    @Test
    void fineFoodsSplitField() {
        TextDataset ds = DatasetReader.read(SharedData.file("fine_foods.jsonl"));
        assertEquals(5_000, ds.size());
        assertEquals(List.of("great", "other"), ds.labelNames());
        assertArrayEquals(new int[]{3258, 1742}, ds.labelCounts());
        Splits.Split s = Splits.byField(ds, "split", "train", null, "test");
        assertEquals(4_000, s.train().size());
        assertEquals(1_000, s.test().size());
        Map<String, TextDataset> groups = Splits.groupBy(ds, "split");
        assertEquals(List.of("test", "train"), List.copyOf(groups.keySet()));
        assertEquals("B000J0LSBG", ds.get(0).get("product"));
    }

    @Test
    void sentenceSets() {
        TextDataset mr = DatasetReader.read(SharedData.file("mr_sentences_4k.jsonl"));
        assertArrayEquals(new int[]{2000, 2000}, mr.labelCounts());
        TextDataset uci = DatasetReader.read(SharedData.file("uci_sentences.jsonl"));
        assertArrayEquals(new int[]{1500, 1500}, uci.labelCounts());
        assertEquals(3, Splits.groupBy(uci, "source").size());
        assertEquals(1000, uci.filter("source", "amazon").size());
    }
}
