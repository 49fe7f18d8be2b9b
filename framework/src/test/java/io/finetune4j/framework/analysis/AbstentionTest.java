package io.finetune4j.framework.analysis;

import io.finetune4j.framework.analysis.Abstention.Rule;
import io.finetune4j.framework.plot.PlotAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AbstentionTest {
    private static final double EPS = 1e-9;

    // margins 0.85 0.32 0.10 0.02 0.52 0.01 0.20 0.68; max probabilities 0.9 0.62 0.5 0.45 0.72 0.34 0.55 0.8
    static final double[][] P = {
            {0.9, 0.05, 0.05}, {0.62, 0.3, 0.08}, {0.5, 0.4, 0.1}, {0.45, 0.43, 0.12},
            {0.72, 0.2, 0.08}, {0.34, 0.33, 0.33}, {0.55, 0.35, 0.1}, {0.8, 0.12, 0.08}};
    static final boolean[] OK = {true, true, false, false, false, true, true, true};

    @Test
    void tableAtTheFixedThresholds() {
        Abstention a = new Abstention(P, OK);
        List<Abstention.Point> m = a.table(Rule.MARGIN, Abstention.TABLE_THRESHOLDS);
        double[][] expect = {{6, 0.75, 4.0 / 6}, {5, 0.625, 0.8}, {4, 0.5, 0.75}, {3, 0.375, 2.0 / 3}};
        for (int i = 0; i < 4; i++) {
            assertEquals((int) expect[i][0], m.get(i).kept(), "margin kept at " + m.get(i).threshold());
            assertEquals(expect[i][1], m.get(i).coverage(), EPS);
            assertEquals(expect[i][2], m.get(i).accuracy(), EPS);
        }
        List<Abstention.Point> p = a.table(Rule.MAX_PROBABILITY, Abstention.TABLE_THRESHOLDS);
        for (int i = 0; i < 3; i++) {
            assertEquals(1.0, p.get(i).coverage(), EPS);
            assertEquals(0.625, p.get(i).accuracy(), EPS);
        }
        assertEquals(0.75, p.get(3).coverage(), EPS);
        assertEquals(4.0 / 6, p.get(3).accuracy(), EPS);
        assertTrue(Double.isNaN(a.at(Rule.MARGIN, 0.99).accuracy()), "nothing kept: accuracy undefined");
    }

    @Test
    void choosesTheSmallestThresholdReachingTheTarget() {
        Abstention a = new Abstention(P, OK);
        Abstention.Choice c = a.choose(Rule.MARGIN, 0.8, a);
        assertTrue(c.reached());
        assertEquals(0.20, c.threshold(), 1e-9);
        assertEquals(0.625, c.evaluation().coverage(), EPS);
        assertEquals(0.8, c.evaluation().accuracy(), EPS);

        Abstention.Choice all = a.choose(Rule.MARGIN, 1.0, a);
        assertEquals(0.68, all.threshold(), 1e-9);
        assertEquals(0.25, all.evaluation().coverage(), EPS);
        assertEquals(1.0, all.evaluation().accuracy(), EPS);

        // applied to another set: its own coverage/accuracy at that threshold
        Abstention other = new Abstention(new double[][]{{0.5, 0.5}, {0.7, 0.3}, {0.9, 0.1}}, new boolean[]{true, false, true});
        Abstention.Choice onOther = a.choose(Rule.MARGIN, 0.8, other);
        assertEquals(2.0 / 3, onOther.evaluation().coverage(), EPS);
        assertEquals(0.5, onOther.evaluation().accuracy(), EPS);

        // unreachable: the best accuracy's threshold, flagged
        Abstention bad = new Abstention(new double[][]{{0.9, 0.1}, {0.6, 0.4}}, new boolean[]{false, true});
        Abstention.Choice none = bad.choose(Rule.MAX_PROBABILITY, 0.99, bad);
        assertFalse(none.reached());
        assertEquals(0.0, none.threshold(), EPS);                  // keeping both (0.5) beats keeping the wrong one (0)
        assertEquals(0.5, none.calibration().accuracy(), EPS);
    }

    @Test
    void halvesReproduceTheScoresAndTheReportAndCurveAreWritten(@TempDir Path tmp) throws Exception {
        Abstention a = new Abstention(P, OK);
        Abstention[] h = a.halves();
        assertEquals(4, h[0].size());
        assertEquals(4, h[1].size());
        assertEquals(a.at(Rule.MARGIN, 0.3).kept(), h[0].at(Rule.MARGIN, 0.3).kept() + h[1].at(Rule.MARGIN, 0.3).kept());
        assertEquals(a.at(Rule.MAX_PROBABILITY, 0.6).kept(),
                h[0].at(Rule.MAX_PROBABILITY, 0.6).kept() + h[1].at(Rule.MAX_PROBABILITY, 0.6).kept());
        String r = Abstention.report(a, a, "test", 0.8);
        // the row's cells, however the table aligns them
        assertTrue(r.replaceAll(" +", " ").contains("0.15 margin (top-1 - top-2) 5 0.6250 0.8000"), r);
        a.writeCurvePng(tmp.resolve("a.png"));
        assertTrue(Files.size(tmp.resolve("a.png")) > 1000);
        PlotAssertions.assertPngAndSvg(tmp.resolve("a.png"), 600, 400, "Abstention: accuracy vs coverage (8 examples)",
                "x axis: coverage", "y axis: accuracy");
    }
}
