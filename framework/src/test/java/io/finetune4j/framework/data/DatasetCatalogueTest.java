package io.finetune4j.framework.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a data argument becomes a file: paths, names, aliases, the built-in dataset and subsets. */
class DatasetCatalogueTest {
    @TempDir
    Path tmp;
    private String old;

    @BeforeEach
    void cacheInTmp() {
        old = System.getProperty("finetune4j.datasets");
        System.setProperty("finetune4j.datasets", tmp.resolve("cache").toString());
    }

    @AfterEach
    void restore() {
        if (old == null) System.clearProperty("finetune4j.datasets");
        else System.setProperty("finetune4j.datasets", old);
    }

    @Test
    void pathsBeforeNames() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("experiments"));
        Path beside = Files.writeString(base.resolve("mr"), "{\"text\":\"a\",\"label\":\"pos\"}\n");
        assertEquals(beside, DatasetCatalogue.locate("mr", base), "a file beside the experiment file wins");
        assertEquals(beside, DatasetCatalogue.locate(beside.toString(), tmp), "absolute paths as they are");
        Path cached = DatasetCatalogue.cachedFile(DatasetCatalogue.find("mr").orElseThrow());
        assertEquals(cached, DatasetCatalogue.locate("mr", tmp));
        assertEquals(cached, DatasetCatalogue.locate("mr_sentences_4k.jsonl", tmp), "the old file name is an alias");
        assertFalse(Files.exists(cached), "locate fetches nothing");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetCatalogue.locate("nothing.jsonl", tmp));
        assertTrue(e.getMessage().startsWith("nothing.jsonl: no such file (" + tmp.resolve("nothing.jsonl")),
                e.getMessage());
        assertTrue(e.getMessage().contains("not a dataset name (known: imdb, imdb_2k_train, imdb_1k_test, mr, uci,"),
                e.getMessage());
    }

    @Test
    void builtInDatasetIsUnpackedOnce() throws Exception {
        List<String> log = new ArrayList<>();
        Path mr = DatasetCatalogue.materialize("mr", tmp, log::add);
        assertEquals(DatasetCatalogue.cachedFile(DatasetCatalogue.find("mr").orElseThrow()), mr);
        List<String> lines = Files.readAllLines(mr, StandardCharsets.UTF_8);
        assertEquals(4_000, lines.size());
        assertTrue(lines.get(0).startsWith("{\"text\": \"the rock is destined to be the 21st century's new"), lines.get(0));
        assertEquals(1, log.size(), String.valueOf(log));
        assertTrue(log.get(0).contains("built-in"), log.get(0));
        Files.writeString(mr, "{\"text\":\"x\",\"label\":\"pos\"}\n");        // a cached file is used as it is
        assertEquals(mr, DatasetCatalogue.materialize("mr", tmp, log::add));
        assertEquals(1, log.size());
        assertEquals(1, Files.readAllLines(mr).size());
    }

    @Test
    void subsetTakesItsRowsFromTheParent() throws Exception {
        // A stand-in for the fetched imdb: 50,000 numbered lines (the real one is 25 MB through npm).
        Path parent = DatasetCatalogue.cachedFile(DatasetCatalogue.find("imdb").orElseThrow());
        Files.createDirectories(parent.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(parent))) {
            for (int i = 0; i < 50_000; i++) out.write(("{\"row\": " + i + "}\n").getBytes(StandardCharsets.UTF_8));
        }
        List<String> log = new ArrayList<>();
        Path subset = DatasetCatalogue.materialize("imdb_2k_train.jsonl", tmp, log::add);
        assertEquals(parent.resolveSibling("imdb_2k_train.jsonl"), subset);
        List<String> lines = Files.readAllLines(subset);
        int[] rows = DatasetCatalogue.rowNumbers(DatasetCatalogue.find("imdb_2k_train").orElseThrow());
        assertEquals(2_000, lines.size());
        for (int i = 0; i < rows.length; i++) assertEquals("{\"row\": " + rows[i] + "}", lines.get(i));
        assertEquals(20433, rows[0], "the first review of imdb_2k_train is line 20,433 of imdb");
        int[] test = DatasetCatalogue.rowNumbers(DatasetCatalogue.find("imdb_1k_test").orElseThrow());
        assertEquals(1_000, test.length);
        for (int r : test) for (int t : rows) assertTrue(r != t, "train and test share no review");
    }
}
