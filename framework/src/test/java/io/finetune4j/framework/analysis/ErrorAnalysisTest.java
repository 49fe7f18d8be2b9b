package io.finetune4j.framework.analysis;

import io.finetune4j.framework.eval.PredictionRecord;
import io.finetune4j.framework.eval.PredictionsWriter;
import io.finetune4j.framework.plot.PlotAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorAnalysisTest {
    static final List<String> LABELS = List.of("neg", "pos");

    /** Six hand-made binary predictions: 1, 2, 4, 6, 8 and 10 words; errors at 1, 2, 4, 5. */
    static List<PredictionRecord> handMade() {
        String[] text = {"good", "bad film", "not bad at all", "a b c d e f", "one two three four five six seven eight",
                "x y z w v u t s r q"};
        int[] truth = {1, 0, 1, 0, 1, 0};
        double[][] p = {{0.2, 0.8}, {0.3, 0.7}, {0.95, 0.05}, {0.9, 0.1}, {0.6, 0.4}, {0.1, 0.9}};
        List<PredictionRecord> out = new ArrayList<>();
        for (int i = 0; i < text.length; i++) {
            out.add(PredictionRecord.singleLabel(i, text[i], truth[i], p[i], -Math.log(p[i][truth[i]]), LABELS));
        }
        return out;
    }

    @Test
    void lossesConfidentErrorsFalsePositivesAndLengthBins(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("predictions.jsonl");
        PredictionsWriter.writeJsonl(f, handMade());
        ErrorAnalysis ea = new ErrorAnalysis(PredictionsWriter.readJsonl(f));
        assertEquals(4, ea.errorCount());
        assertEquals(List.of(2L, 5L), ea.highestLoss(2).stream().map(PredictionRecord::index).toList());
        assertEquals(List.of(3L, 0L), ea.lowestLoss(2).stream().map(PredictionRecord::index).toList());
        assertEquals(List.of(2L, 5L), ea.confidentErrors(0.9).stream().map(PredictionRecord::index).toList());
        assertEquals(List.of(2L, 5L, 1L), ea.confidentErrors(0.7).stream().map(PredictionRecord::index).toList());

        List<ErrorAnalysis.ClassErrors> pc = ea.perClass();
        assertEquals(new ErrorAnalysis.ClassErrors("neg", 1, 2, 2), pc.get(0));
        assertEquals(new ErrorAnalysis.ClassErrors("pos", 1, 2, 2), pc.get(1));
        assertEquals(List.of(5L, 1L), ea.falsePositives("pos").stream().map(PredictionRecord::index).toList());
        assertEquals(List.of(2L, 4L), ea.falseNegatives("pos").stream().map(PredictionRecord::index).toList());

        List<ErrorAnalysis.LengthBin> bins = ea.byLength(2, 6);
        assertEquals(List.of(new ErrorAnalysis.LengthBin(0, 2, 2, 1), new ErrorAnalysis.LengthBin(3, 6, 2, 1),
                new ErrorAnalysis.LengthBin(7, Integer.MAX_VALUE, 2, 2)), bins);
        assertEquals("7+", bins.get(2).name());
        assertEquals(1.0, bins.get(2).errorRate());
        assertArrayEquals(new int[]{2, 6}, ea.quantileEdges(3));

        String md = ea.markdown(3, 0.9, new int[]{2, 6}, null);
        String cells = md.replaceAll(" +", " ");   // the rows' cells, however the tables pad them
        assertTrue(cells.contains("| neg | 1 | 2 | 2 |"), md);
        assertTrue(md.contains("2 false positives, 2 false negatives"), md);
        assertTrue(cells.contains("| 7+ | 2 | 2 | 1.0000 |"), md);
        assertTrue(md.contains("## High-confidence errors (confidence >= 0.90): 2"), md);
        ErrorAnalysis.writeLengthPng(tmp.resolve("len.png"), bins, "t");
        assertTrue(Files.size(tmp.resolve("len.png")) > 1000);
        PlotAssertions.assertPngAndSvg(tmp.resolve("len.png"), 600, 400, "t", "x axis: words (examples)",
                "y axis: error rate");
    }

    @Test
    void runAnalysisWritesAllFilesFromARunFolder(@TempDir Path tmp) throws Exception {
        PredictionsWriter.writeJsonl(tmp.resolve("predictions.jsonl"), handMade());
        var sw = new java.io.StringWriter();
        var res = RunAnalysis.analyze(tmp, RunAnalysis.Settings.defaults(), new java.io.PrintWriter(sw));
        for (String f : List.of("abstention.txt", "abstention.png", "abstention.svg", "errors.md",
                "error_rate_by_length.png", "error_rate_by_length.svg",
                "analysis.json")) {
            assertTrue(Files.isRegularFile(tmp.resolve(f)), f);
        }
        assertTrue(Files.readString(tmp.resolve("abstention.txt")).contains("even-indexed half"));
        assertTrue(res.containsKey("abstention") && res.containsKey("errors"), res.toString());
        assertTrue(sw.toString().contains("finetune4j: errors: 4 of 6"), sw.toString());
    }
}
