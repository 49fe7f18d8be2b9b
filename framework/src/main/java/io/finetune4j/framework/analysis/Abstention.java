package io.finetune4j.framework.analysis;

import io.finetune4j.framework.io.TextTable;
import io.finetune4j.framework.eval.PredictionRecord;
import io.finetune4j.framework.plot.ChartFiles;
import io.finetune4j.framework.plot.XyChart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Confidence-based abstention for a single-label classifier: the model answers only when a confidence score reaches
 * a threshold and abstains otherwise. Two scores ({@link Rule}): the <b>margin</b> between the two largest class
 * probabilities, and the <b>maximum probability</b>. An example is kept when {@code score >= threshold}; coverage is
 * the kept share, accuracy the share of kept examples predicted right (NaN when none is kept).
 */
public final class Abstention {

    /** The thresholds of the printed table. */
    public static final double[] TABLE_THRESHOLDS = {0.05, 0.15, 0.30, 0.50};

    /** A confidence score of one example's probabilities. */
    public enum Rule {
        MARGIN("margin (top-1 - top-2)"), MAX_PROBABILITY("max probability");

        public final String description;

        Rule(String description) {
            this.description = description;
        }

        public double score(double[] p) {
            double a = Double.NEGATIVE_INFINITY, b = Double.NEGATIVE_INFINITY;
            for (double x : p) {
                if (x > a) {
                    b = a;
                    a = x;
                } else if (x > b) {
                    b = x;
                }
            }
            if (this == MAX_PROBABILITY) return a;
            return p.length < 2 ? a : a - b;
        }
    }

    /** Coverage and accuracy of one rule at one threshold. */
    public record Point(double threshold, int kept, int total, double coverage, double accuracy) {
    }

    /** The threshold chosen on one set (calibration) and what it gives on another (evaluation). */
    public record Choice(Rule rule, double target, boolean reached, double threshold, Point calibration,
                         Point evaluation) {
    }

    private final double[] margin;
    private final double[] maxProb;
    private final boolean[] correct;

    /** {@code probs[i]}: class probabilities of example i; {@code correct[i]}: whether its arg-max is right. */
    public Abstention(double[][] probs, boolean[] correct) {
        if (probs.length != correct.length) throw new IllegalArgumentException("probabilities and labels differ in length");
        this.correct = correct.clone();
        margin = new double[probs.length];
        maxProb = new double[probs.length];
        for (int i = 0; i < probs.length; i++) {
            margin[i] = Rule.MARGIN.score(probs[i]);
            maxProb[i] = Rule.MAX_PROBABILITY.score(probs[i]);
        }
    }

    /** From single-label prediction records with a true label (others are skipped). */
    public static Abstention of(List<PredictionRecord> records) {
        List<double[]> p = new ArrayList<>();
        List<Boolean> ok = new ArrayList<>();
        for (PredictionRecord r : records) {
            if (r.trueLabels() == null || r.trueLabels().size() != 1 || r.predictedLabels().size() != 1) continue;
            p.add(r.probabilities().values().stream().mapToDouble(Double::doubleValue).toArray());
            ok.add(r.trueLabels().get(0).equals(r.predictedLabels().get(0)));
        }
        boolean[] c = new boolean[ok.size()];
        for (int i = 0; i < c.length; i++) c[i] = ok.get(i);
        return new Abstention(p.toArray(new double[0][]), c);
    }

    public int size() {
        return correct.length;
    }

    double[] scores(Rule rule) {
        return rule == Rule.MARGIN ? margin : maxProb;
    }

    /** Coverage and accuracy of {@code rule} at {@code threshold} (kept: score >= threshold). */
    public Point at(Rule rule, double threshold) {
        double[] s = scores(rule);
        int kept = 0, right = 0;
        for (int i = 0; i < s.length; i++) {
            if (s[i] >= threshold) {
                kept++;
                if (correct[i]) right++;
            }
        }
        int n = s.length;
        return new Point(threshold, kept, n, n == 0 ? Double.NaN : (double) kept / n,
                kept == 0 ? Double.NaN : (double) right / kept);
    }

    /** One point per threshold. */
    public List<Point> table(Rule rule, double... thresholds) {
        List<Point> out = new ArrayList<>();
        for (double t : thresholds) out.add(at(rule, t));
        return out;
    }

    /** The curve: one point per distinct score (and 0), by increasing threshold (decreasing coverage). */
    public List<Point> curve(Rule rule) {
        TreeSet<Double> ts = new TreeSet<>();
        ts.add(0.0);
        for (double s : scores(rule)) ts.add(s);
        List<Point> out = new ArrayList<>();
        for (double t : ts) out.add(at(rule, t));
        return out;
    }

    /**
     * The smallest threshold whose accuracy on this set reaches {@code target} (candidates: 0 and every distinct
     * score, so the largest coverage that reaches it); not reached: the threshold of the best accuracy (ties: the
     * smaller threshold).
     */
    public Choice choose(Rule rule, double target, Abstention evaluation) {
        List<Point> c = curve(rule);
        Point pick = null, best = null;
        for (Point p : c) {
            if (Double.isNaN(p.accuracy())) continue;
            if (pick == null && p.accuracy() >= target) pick = p;
            if (best == null || p.accuracy() > best.accuracy()) best = p;
        }
        boolean reached = pick != null;
        Point chosen = reached ? pick : best;
        double t = chosen == null ? 0 : chosen.threshold();
        return new Choice(rule, target, reached, t, chosen == null ? at(rule, 0) : chosen,
                evaluation == null ? null : evaluation.at(rule, t));
    }

    /** The two halves of this set by position (even, odd): a calibration set when there is no validation set. */
    public Abstention[] halves() {
        int n = correct.length;
        double[][] pe = new double[(n + 1) / 2][], po = new double[n / 2][];
        boolean[] ce = new boolean[pe.length], co = new boolean[po.length];
        for (int i = 0; i < n; i++) {
            double[] p = {maxProb[i], maxProb[i] - margin[i]};     // enough to reproduce both scores
            if (i % 2 == 0) {
                pe[i / 2] = p;
                ce[i / 2] = correct[i];
            } else {
                po[i / 2] = p;
                co[i / 2] = correct[i];
            }
        }
        return new Abstention[]{new Abstention(pe, ce), new Abstention(po, co)};
    }

    // ---- output ---------------------------------------------------------------------------------------------------

    /**
     * The text report: the coverage/accuracy table of both rules on {@code test}, and per rule the threshold chosen
     * on {@code calibration} for {@code target} with its coverage/accuracy on {@code test}.
     */
    public static String report(Abstention test, Abstention calibration, String calibrationName, double target) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Confidence-based abstention on %d test examples (keep: score >= "
                + "threshold)%n%n", test.size()));
        TextTable table = new TextTable(List.of("threshold", "rule", "kept", "coverage", "accuracy"),
                false, false, true, true, true);
        for (double t : TABLE_THRESHOLDS) {
            for (Rule r : Rule.values()) {
                Point p = test.at(r, t);
                table.row(String.format(Locale.ROOT, "%.2f", t), r.description, Integer.toString(p.kept()),
                        String.format(Locale.ROOT, "%.4f", p.coverage()), fmt(p.accuracy()));
            }
        }
        sb.append(table.plain());
        Point all = test.at(Rule.MAX_PROBABILITY, Double.NEGATIVE_INFINITY);
        sb.append(String.format(Locale.ROOT, "%nNo abstention: accuracy %s on %d examples.%n", fmt(all.accuracy()),
                all.total()));
        sb.append(String.format(Locale.ROOT, "%nTarget accuracy %.4f: threshold chosen on %s (%d examples), "
                + "applied to the test set%n", target, calibrationName, calibration.size()));
        for (Rule r : Rule.values()) {
            Choice c = calibration.choose(r, target, test);
            sb.append(String.format(Locale.ROOT, "  %-24s threshold %.4f%s: calibration coverage %.4f accuracy %s"
                            + " | test coverage %.4f accuracy %s%n", r.description, c.threshold(),
                    c.reached() ? "" : " (target not reached: best accuracy)", c.calibration().coverage(),
                    fmt(c.calibration().accuracy()), c.evaluation().coverage(), fmt(c.evaluation().accuracy())));
        }
        return sb.toString();
    }

    /** The choices as a JSON-ready map. */
    public static Map<String, Object> toMap(Abstention test, Abstention calibration, String calibrationName,
                                            double target) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", test.size());
        m.put("calibration", calibrationName);
        m.put("target_accuracy", target);
        Map<String, Object> table = new LinkedHashMap<>();
        Map<String, Object> choices = new LinkedHashMap<>();
        for (Rule r : Rule.values()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Point p : test.table(r, TABLE_THRESHOLDS)) rows.add(point(p));
            table.put(r.name().toLowerCase(Locale.ROOT), rows);
            Choice c = calibration.choose(r, target, test);
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("threshold", c.threshold());
            cm.put("reached", c.reached());
            cm.put("calibration", point(c.calibration()));
            cm.put("test", point(c.evaluation()));
            choices.put(r.name().toLowerCase(Locale.ROOT), cm);
        }
        m.put("table", table);
        m.put("chosen", choices);
        return m;
    }

    private static Map<String, Object> point(Point p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threshold", p.threshold());
        m.put("kept", p.kept());
        m.put("coverage", p.coverage());
        m.put("accuracy", Double.isNaN(p.accuracy()) ? null : p.accuracy());
        return m;
    }

    /** Coverage (x) vs accuracy (y) of both rules: the PNG, and an SVG beside it. */
    public void writeCurvePng(Path file) throws IOException {
        XyChart plot = new XyChart("Abstention: accuracy vs coverage (" + size() + " examples)", "coverage", "accuracy");
        for (Rule r : Rule.values()) {
            List<Point> pts = curve(r).stream().filter(p -> !Double.isNaN(p.accuracy())).toList();
            double[] x = pts.stream().mapToDouble(Point::coverage).toArray();
            double[] y = pts.stream().mapToDouble(Point::accuracy).toArray();
            plot.add(r.description, x, y, pts.size() > 40 ? XyChart.Style.LINE : XyChart.Style.LINE_AND_POINTS);
        }
        ChartFiles.write(plot.chart(), file);
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    @Override
    public String toString() {
        return "Abstention" + Arrays.toString(correct);
    }
}
