package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.framework.plot.PlotAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** summary.md and the plots from hand-made results.jsonl lines. */
public class SummaryTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One results.jsonl line as the runner writes it. */
    public static ObjectNode line(int trial, String hash, double lr, int maxLen, Double fraction, String model, int seed,
                           double accuracy, double seconds) {
        ObjectNode n = JSON.createObjectNode();
        n.put("trial", trial);
        n.put("hash", hash);
        ObjectNode p = n.putObject("params");
        p.put("training.learning_rate", lr);
        p.put("training.max_length", maxLen);
        if (fraction != null) p.put("dataset.fraction", fraction);
        if (model != null) p.put("model.backbone", model);
        n.put("seed", seed);
        n.put("model", model == null ? "all-MiniLM-L6-v2" : model);
        n.putObject("config");
        n.put("train_seconds", seconds);
        n.put("train_samples_per_second", 600 / seconds);
        n.put("train_tokens_per_second", 60000 / seconds);
        n.putArray("epoch_seconds").add(seconds);
        n.put("best_epoch", 1);
        n.putArray("validation_curve");
        ObjectNode t = n.putObject("test");
        t.put("accuracy", accuracy);
        t.put("macro_f1", accuracy - 0.01);
        t.put("weighted_f1", accuracy - 0.005);
        n.put("output", "trials/" + trial + "-" + hash);
        n.put("finished_at", "2026-11-22T21:00:00Z");
        return n;
    }

    /** 2 learning rates × 2 max lengths × 2 seeds. */
    public static List<JsonNode> grid() {
        double[][] acc = {{0.70, 0.72}, {0.74, 0.78}, {0.80, 0.80}, {0.85, 0.81}};
        double[] lrs = {2e-5, 5e-5};
        int[] lens = {32, 64};
        List<JsonNode> out = new ArrayList<>();
        int trial = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                for (int s = 0; s < 2; s++) {
                    out.add(line(trial, String.format(Locale.ROOT, "h%011d", trial), lrs[i], lens[j], null, null,
                            s + 1, acc[i * 2 + j][s], 10.0 + lens[j] / 8.0 + s));
                    trial++;
                }
            }
        }
        return out;
    }

    static List<List<String>> rows(String table) {
        List<List<String>> rows = new ArrayList<>();
        List<String> lines = table.lines().filter(l -> l.startsWith("|")).toList();
        for (String l : lines.subList(2, lines.size())) {
            List<String> cells = new ArrayList<>();
            for (String c : l.substring(1, l.length() - 1).split("\\|")) cells.add(c.strip());
            rows.add(cells);
        }
        return rows;
    }

    static void assertPng(Path f) throws Exception {
        assertTrue(Files.isRegularFile(f), f + " missing");
        byte[] head = Files.readAllBytes(f);
        assertEquals((byte) 0x89, head[0]);
        assertEquals("PNG", new String(head, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        BufferedImage img = ImageIO.read(f.toFile());
        assertNotNull(img, f + " is not a readable PNG");
        assertTrue(img.getWidth() >= 600 && img.getHeight() >= 400, img.getWidth() + "x" + img.getHeight());
        PlotAssertions.assertSvgBeside(f);
    }

    @Test
    void gridSortedTableSeedMeansAndPlots(@TempDir Path dir) throws Exception {
        String table = Summary.write(dir, grid(), "accuracy");

        List<String> header = table.lines().findFirst().map(h -> List.of(h.substring(1, h.length() - 1)
                .split("\\|")).stream().map(String::strip).toList()).orElseThrow();
        assertEquals(List.of("trial", "learning_rate", "max_length", "seed", "accuracy", "macro_f1",
                "train_seconds", "samples/s"), header);
        List<List<String>> rows = rows(table);
        assertEquals(8, rows.size());
        List<String> accs = rows.stream().map(r -> r.get(4)).toList();
        assertEquals(List.of("0.8500", "0.8100", "0.8000", "0.8000", "0.7800", "0.7400", "0.7200", "0.7000"), accs);
        assertEquals(List.of("6", "5e-05", "64", "1", "0.8500", "0.8400", "18.0", "33.3"), rows.get(0));
        assertEquals(List.of("4", "5"), List.of(rows.get(2).get(0), rows.get(3).get(0)), "ties keep trial order");

        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.startsWith("# "), md);
        assertTrue(md.contains(table), "summary.md holds the returned table");
        String means = md.substring(md.indexOf("## Mean over seeds"));
        List<List<String>> m = rows(means.substring(0, means.contains("## Plots") ? means.indexOf("## Plots")
                : means.length()));
        assertEquals(4, m.size());
        assertEquals(List.of("5e-05", "64", "0.8300 ± 0.0283", "18.5", "2"), m.get(0));
        assertEquals(List.of("5e-05", "32", "0.8000 ± 0.0000", "14.5", "2"), m.get(1));
        assertEquals(List.of("2e-05", "64", "0.7600 ± 0.0283", "18.5", "2"), m.get(2));
        assertEquals(List.of("2e-05", "32", "0.7100 ± 0.0141", "14.5", "2"), m.get(3));

        assertPng(dir.resolve("metric_vs_learning_rate.png"));
        assertPng(dir.resolve("metric_vs_max_length.png"));
        assertFalse(Files.exists(dir.resolve("time_vs_fraction.png")), "fraction not swept");
        assertFalse(Files.exists(dir.resolve("accuracy_vs_time.png")), "one backbone only");
        assertTrue(md.contains("![metric_vs_learning_rate.png](metric_vs_learning_rate.png)"), md);
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
    }

    @Test
    void sortsByAnotherMetric(@TempDir Path dir) {
        String table = Summary.write(dir, grid(), "macro_f1");
        List<String> header = List.of(table.lines().findFirst().orElseThrow().split("\\|")).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        assertEquals(List.of("trial", "learning_rate", "max_length", "seed", "macro_f1", "accuracy",
                "train_seconds", "samples/s"), header);
        assertEquals("0.8400", rows(table).get(0).get(4));
    }

    @Test
    void backbonesAndFractionsGetTheirPlots(@TempDir Path dir) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        int t = 0;
        for (String model : List.of("all-MiniLM-L6-v2", "bge-small-en-v1.5")) {
            for (double f : new double[]{0.25, 0.5, 1.0}) {
                for (int seed = 1; seed <= 2; seed++) {
                    double acc = (model.startsWith("bge") ? 0.80 : 0.75) + 0.05 * f + 0.01 * seed;
                    double secs = (model.startsWith("bge") ? 40 : 20) * f + seed;
                    lines.add(line(t, "x" + t, 5e-5, 64, f, model, seed, acc, secs));
                    t++;
                }
            }
        }
        // learning_rate and max_length are constant here but present in params: still columns, still plotted
        String table = Summary.write(dir, lines, "accuracy");
        assertTrue(table.contains("| backbone"), table);
        assertTrue(rows(table).get(0).contains("bge-small-en-v1.5"), table);
        assertPng(dir.resolve("metric_vs_backbone.png"));
        assertPng(dir.resolve("metric_vs_fraction.png"));
        assertPng(dir.resolve("time_vs_fraction.png"));
        assertPng(dir.resolve("accuracy_vs_time.png"));
    }

    @Test
    void multiLabelColumnsAndUnknownMetric(@TempDir Path dir) {
        List<JsonNode> lines = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ObjectNode n = line(i, "m" + i, i == 0 ? 2e-5 : 5e-5, 64, null, null, 1, 0.9, 10);
            ObjectNode test = (ObjectNode) n.get("test");
            test.put("micro_f1", 0.6 + i * 0.1);
            test.put("roc_auc_micro", 0.95);
            test.put("hamming_loss", 0.05);
            lines.add(n);
        }
        String table = Summary.write(dir, lines, "micro_f1");
        assertTrue(table.lines().findFirst().orElseThrow().contains("| micro_f1 | roc_auc_micro |"), table);
        assertEquals("1", rows(table).get(0).get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Summary.write(dir, lines, "f2"));
        assertTrue(e.getMessage().contains("'f2'") && e.getMessage().contains("micro_f1"), e.getMessage());
    }

    @Test
    void compactNumbers() {
        assertEquals("5e-05", Numbers.compact(5e-5));
        assertEquals("2.5e-05", Numbers.compact(2.5e-5));
        assertEquals("64", Numbers.compact(64));
        assertEquals("0.25", Numbers.compact(0.25));
    }

    /** A failed trial's line (a Spark task's user error) is listed with its error, and kept out of tables and plots. */
    @Test
    void failedTrialsAreListedApartFromTheTables(@TempDir Path tmp) throws Exception {
        List<JsonNode> lines = new ArrayList<>(grid().subList(0, 3));
        ObjectNode failed = JSON.createObjectNode().put("trial", 7).put("hash", "hfailed00000");
        failed.putObject("params").put("training.learning_rate", 1e-4);
        failed.put("seed", 42).put("status", "failed").put("error", "trial 7: data|x.jsonl: no such file");
        lines.add(failed);
        String table = Summary.write(tmp, lines, "accuracy");
        String md = Files.readString(tmp.resolve("summary.md"));
        assertTrue(md.startsWith("# Experiment summary\n\n3 trials,"), md);
        String failures = md.substring(md.indexOf("## Failed trials"));
        assertTrue(failures.contains(" 7 | hfailed00000 |")
                && failures.contains("training.learning_rate=1e-04") && failures.contains("data\\|x.jsonl: no such file"),
                failures);
        assertEquals(1, md.split("hfailed00000", -1).length - 1, "only in the failed list");
        assertTrue(table.contains("Failed trials:"), table);

        Path onlyFailed = tmp.resolve("only-failed");
        Summary.write(onlyFailed, List.of(failed), "accuracy");
        md = Files.readString(onlyFailed.resolve("summary.md"));
        assertTrue(md.contains("No trial has finished.") && md.contains("hfailed00000"), md);
        assertFalse(Files.exists(onlyFailed.resolve("metric_vs_learning_rate.png")));
    }
}
