package io.finetune4j.framework.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The readers on real rows of every dataset (the committed fixtures; {@link Fixtures} gives their counts). */
class RealDataFixturesTest {

    @Test
    void builtInRottenTomatoes() {
        TextDataset mr = DatasetReader.read(Fixtures.mr());
        assertEquals(4_000, mr.size());
        assertArrayEquals(new int[]{2000, 2000}, mr.labelCounts());
        assertEquals("en", mr.get(0).get("lang"));
    }

    @Test
    void imdb() {
        TextDataset train = DatasetReader.read(Fixtures.file("imdb_train.jsonl"));
        TextDataset test = DatasetReader.read(Fixtures.file("imdb_test.jsonl"));
        assertEquals(List.of("neg", "pos"), train.labelNames());
        assertArrayEquals(new int[]{200, 200}, train.labelCounts());
        assertArrayEquals(new int[]{100, 100}, test.labelCounts());
        assertArrayEquals(new double[]{1.0, 1.0}, Splits.classWeights(train), 1e-12);
    }

    @Test
    void wordnetSupersenses() {
        TextDataset ds = DatasetReader.read(Fixtures.file("wordnet.jsonl.gz"));
        assertEquals(3_993, ds.size());
        assertEquals(40, ds.numLabels());
        int[] counts = ds.labelCounts();
        assertEquals(483, Arrays.stream(counts).max().orElseThrow());
        assertEquals(2, Arrays.stream(counts).min().orElseThrow());
        assertTrue(ds.labelNames().contains("noun.food") && ds.labelNames().contains("verb.motion"));
        // other fields are kept as strings (a list as JSON text)
        assertTrue(ds.get(0).extra().containsKey("synset"));
        assertTrue(ds.get(0).get("lemmas").startsWith("["));
        double[] w = Splits.classWeights(ds);     // balanced: n / (k * count)
        for (int c = 0; c < 40; c++) assertEquals(3_993.0 / (40.0 * counts[c]), w[c], 1e-9);
    }

    @Test
    void reutersMultiLabel() {
        TextDataset ds = DatasetReader.read(Fixtures.file("reuters.jsonl"), ReadOptions.defaults().withMultiLabel(true));
        assertTrue(ds.multiLabel());
        assertEquals(295, ds.size());
        assertEquals(Map.of("corn", 69, "grain", 160), ds.labelCountsByName());
        assertEquals(134, ds.unlabelledCount());
        assertTrue(ds.get(0).text().contains("\n"), "JSON \\n escapes kept");
        Splits.Split s = Splits.byField(ds, "split", "train", null, "test");
        assertEquals(201, s.train().size());
        assertEquals(94, s.test().size());
        assertEquals(0, s.validation().size());
        // stratifying on the label set keeps the rare "corn only" example in one part and no row is lost
        Splits.Split st = Splits.stratified(ds, 0.8, 0.1, 0.1, 7);
        assertEquals(295, st.train().size() + st.validation().size() + st.test().size());
        assertEquals(160, st.train().labelCounts()[1] + st.validation().labelCounts()[1] + st.test().labelCounts()[1]);
    }

    @Test
    void fineFoodsSplitField() {
        TextDataset ds = DatasetReader.read(Fixtures.file("fine_foods.jsonl"));
        assertEquals(List.of("great", "other"), ds.labelNames());
        assertArrayEquals(new int[]{324, 176}, ds.labelCounts());
        Splits.Split s = Splits.byField(ds, "split", "train", null, "test");
        assertEquals(400, s.train().size());
        assertEquals(100, s.test().size());
        assertEquals(List.of("test", "train"), List.copyOf(Splits.groupBy(ds, "split").keySet()));
        assertEquals("B000J0LSBG", ds.get(0).get("product"));
    }

    @Test
    void uciSources() {
        TextDataset uci = DatasetReader.read(Fixtures.file("uci.jsonl"));
        assertArrayEquals(new int[]{161, 139}, uci.labelCounts());
        assertEquals(3, Splits.groupBy(uci, "source").size());
        assertEquals(100, uci.filter("source", "amazon").size());
    }
}
