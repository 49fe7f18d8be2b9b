package io.finetune4j.framework.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitsTest {
    static TextDataset imdb;
    static TextDataset wordnet;

    @BeforeAll
    static void read() {
        imdb = DatasetReader.read(Fixtures.file("imdb_train.jsonl"));        // 200 neg, 200 pos
        wordnet = DatasetReader.read(Fixtures.file("wordnet.jsonl.gz"));       // 3,993 rows, 40 classes
    }

    @Test
    void stratifiedKeepsProportionsWithinOneRowPerClass() {
        double[] ratios = {0.8, 0.1, 0.1};
        Splits.Split s = Splits.stratified(wordnet, ratios[0], ratios[1], ratios[2], 42);
        int[] all = wordnet.labelCounts();
        TextDataset[] parts = {s.train(), s.validation(), s.test()};
        for (int p = 0; p < 3; p++) {
            int[] c = parts[p].labelCounts();
            for (int k = 0; k < all.length; k++) {
                assertTrue(Math.abs(c[k] - all[k] * ratios[p]) <= 1.0,
                        "part " + p + " class " + wordnet.labelNames().get(k) + ": " + c[k] + " vs " + all[k] * ratios[p]);
            }
        }
        assertEquals(wordnet.size(), s.train().size() + s.validation().size() + s.test().size());
        // a partition: every row exactly once
        Set<Integer> rows = new HashSet<>();
        for (TextDataset d : parts) {
            d.examples().forEach(e -> assertTrue(rows.add(e.row())));
        }
        assertEquals(wordnet.size(), rows.size());
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        Splits.Split a = Splits.stratified(imdb, 0.7, 0.15, 0.15, 1);
        Splits.fraction(imdb, 0.5, 99);   // an unrelated seeded call in between changes nothing
        Splits.Split b = Splits.stratified(imdb, 0.7, 0.15, 0.15, 1);
        Splits.Split c = Splits.stratified(imdb, 0.7, 0.15, 0.15, 2);
        assertEquals(rows(a.train()), rows(b.train()));
        assertEquals(rows(a.test()), rows(b.test()));
        assertNotEquals(rows(a.train()), rows(c.train()));
        assertArrayEquals(new int[]{140, 140}, a.train().labelCounts());
        assertArrayEquals(new int[]{30, 30}, a.validation().labelCounts());
        assertArrayEquals(new int[]{30, 30}, a.test().labelCounts());
    }

    @Test
    void fractionQuarterOfImdb2k() {
        TextDataset q = Splits.fraction(imdb, 0.25, 5);
        assertEquals(100, q.size());
        assertArrayEquals(new int[]{50, 50}, q.labelCounts());
        assertEquals(rows(q), rows(Splits.fraction(imdb, 0.25, 5)));
        assertNotEquals(rows(q), rows(Splits.fraction(imdb, 0.25, 6)));
        assertSame(imdb, Splits.fraction(imdb, 1.0, 5));
        // at least one per class
        TextDataset tiny = Splits.fraction(wordnet, 0.001, 3);
        assertTrue(java.util.Arrays.stream(tiny.labelCounts()).allMatch(c -> c >= 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.fraction(imdb, 0, 1));
    }

    @Test
    void oversampleBalancesToMajority() {
        TextDataset fine = DatasetReader.read(Fixtures.file("fine_foods.jsonl"));   // great 324, other 176
        TextDataset o = Splits.oversample(fine, 11);
        assertArrayEquals(new int[]{324, 324}, o.labelCounts());
        assertEquals(fine.examples(), o.examples().subList(0, fine.size()));
        assertEquals(rows(o), rows(Splits.oversample(fine, 11)));
    }

    @Test
    void classWeightsBalanced() {
        // sklearn: compute_class_weight('balanced', classes=[0,1,2], y=[0,0,0,0,1,1,2]) = 7/(3*[4,2,1])
        List<Example> ex = new ArrayList<>();
        int[] y = {0, 0, 0, 0, 1, 1, 2};
        for (int i = 0; i < y.length; i++) {
            ex.add(Example.single("t" + i, y[i], i + 1));
        }
        TextDataset ds = new TextDataset(ex, List.of("a", "b", "c"), false, "toy");
        assertArrayEquals(new double[]{7 / 12.0, 7 / 6.0, 7 / 3.0}, Splits.classWeights(ds), 1e-12);
    }

    private static List<Integer> rows(TextDataset d) {
        return d.examples().stream().map(Example::row).toList();
    }
}
