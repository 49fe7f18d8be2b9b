package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune4j.framework.experiment.Summary.Model;
import io.finetune4j.framework.experiment.Summary.Trial;
import io.finetune4j.framework.plot.BarChart;
import io.finetune4j.framework.plot.ChartFiles;
import io.finetune4j.framework.plot.XyChart;
import org.knowm.xchart.internal.chartpart.Chart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The plots of a {@link Summary} (PNG, an SVG beside each); {@link #write} returns the PNG file names it wrote. */
final class SummaryPlots {

    private SummaryPlots() {
    }

    static List<String> write(Path dir, Model m) throws IOException {
        List<String> files = new ArrayList<>();
        String metricLabel = "test " + m.metric;
        for (String p : m.params) {
            String shortName = m.shortNames.get(p);
            String file = "metric_vs_" + shortName.replaceAll("[^A-Za-z0-9_.-]", "_") + ".png";
            Chart<?, ?> plot = m.isNumeric(p) ? numeric(m, p, metricLabel) : categorical(m, p, metricLabel);
            ChartFiles.write(plot, dir.resolve(file));
            files.add(file);
        }
        String fraction = null;
        for (String p : m.params) if (Summary.lastSegment(p).equals("fraction") && m.isNumeric(p)) fraction = p;
        if (fraction != null) {
            Chart<?, ?> time = byModel(m, fraction, Trial::trainSeconds,
                    "train seconds vs " + m.shortNames.get(fraction), m.shortNames.get(fraction), "train seconds");
            Chart<?, ?> metric = byModel(m, fraction, Trial::metric, metricLabel + " vs " + m.shortNames.get(fraction),
                    m.shortNames.get(fraction), metricLabel);
            ChartFiles.write(List.of(time, metric), dir.resolve("time_vs_fraction.png"));
            files.add("time_vs_fraction.png");
        }
        if (m.models.size() > 1) {
            String y = m.trials.stream().anyMatch(t -> !Double.isNaN(t.test("accuracy"))) ? "accuracy" : m.metric;
            XyChart plot = new XyChart("test " + y + " vs train time, per backbone", "train seconds", "test " + y);
            for (String model : m.models) {
                List<Trial> ts = m.trials.stream().filter(t -> t.model().equals(model)).toList();
                plot.add(model, ts.stream().mapToDouble(Trial::trainSeconds).toArray(),
                        ts.stream().mapToDouble(t -> t.test(y)).toArray(), XyChart.Style.POINTS);
            }
            ChartFiles.write(plot.chart(), dir.resolve("accuracy_vs_time.png"));
            files.add("accuracy_vs_time.png");
        }
        return files;
    }

    /** Dots per trial (seed) and a line through the means, one colour per combination of the other params. */
    private static Chart<?, ?> numeric(Model m, String param, String metricLabel) {
        String name = m.shortNames.get(param);
        boolean log = Summary.lastSegment(param).contains("learning_rate") || Summary.lastSegment(param).equals("lr")
                || wideRange(m, param);
        XyChart plot = new XyChart(metricLabel + " vs " + name + " (dots: seeds, line: mean)",
                name + (log ? " (log scale)" : ""), metricLabel).logX(log).dataTicks(true);
        List<String> others = new ArrayList<>(m.params);
        others.remove(param);
        Map<String, List<Trial>> groups = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        for (Trial t : m.trials) {
            String k = Summary.key(t.params(), others);
            groups.computeIfAbsent(k, x -> new ArrayList<>()).add(t);
            List<String> parts = new ArrayList<>();
            for (String o : others) parts.add(m.shortNames.get(o) + "=" + Summary.value(t.params().get(o)));
            labels.putIfAbsent(k, parts.isEmpty() ? "mean" : String.join(", ", parts));
        }
        if (groups.size() > Summary.MAX_SERIES) {
            groups = Map.of("", m.trials);
            labels = Map.of("", "mean over all other params");
        }
        // sorted legend order, so colours follow e.g. max_length=32, 64, 128 in a stable way
        Map<String, List<Trial>> ordered = new TreeMap<>((a, b) -> compareKeys(a, b));
        ordered.putAll(groups);
        for (Map.Entry<String, List<Trial>> g : ordered.entrySet()) {
            List<Trial> ts = g.getValue();
            double[] x = ts.stream().mapToDouble(t -> t.params().get(param).asDouble()).toArray();
            double[] y = ts.stream().mapToDouble(Trial::metric).toArray();
            double[][] means = meansByX(x, y);
            int c = plot.add(labels.get(g.getKey()), means[0], means[1], XyChart.Style.LINE_AND_POINTS);
            plot.add(null, x, y, XyChart.Style.POINTS, c);
        }
        return plot.chart();
    }

    /** Orders group keys by their numeric values where they are numbers. */
    private static int compareKeys(String a, String b) {
        String[] pa = a.split("\u0001"), pb = b.split("\u0001");
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            String va = pa[i].substring(pa[i].indexOf('=') + 1), vb = pb[i].substring(pb[i].indexOf('=') + 1);
            int c;
            try {
                c = Double.compare(Double.parseDouble(va), Double.parseDouble(vb));
            } catch (NumberFormatException e) {
                c = va.compareTo(vb);
            }
            if (c != 0) return c;
        }
        return Integer.compare(pa.length, pb.length);
    }

    private static boolean wideRange(Model m, String param) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Trial t : m.trials) {
            JsonNode v = t.params().get(param);
            if (v == null || !v.isNumber()) continue;
            double d = v.asDouble();
            if (d <= 0) return false;
            lo = Math.min(lo, d);
            hi = Math.max(hi, d);
        }
        return hi / lo >= 100;
    }

    /** Bars: mean per category (± std), the trials as dots. */
    private static Chart<?, ?> categorical(Model m, String param, String metricLabel) {
        String name = m.shortNames.get(param);
        BarChart plot = new BarChart(metricLabel + " by " + name + " (bar: mean ± std, dots: trials)", name,
                metricLabel);
        Map<String, List<Double>> by = new LinkedHashMap<>();
        for (Trial t : m.trials) {
            by.computeIfAbsent(Summary.value(t.params().get(param)), k -> new ArrayList<>()).add(t.metric());
        }
        for (Map.Entry<String, List<Double>> e : by.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).toArray();
            double sd = Summary.std(v);
            plot.bar(e.getKey(), Summary.mean(v), sd, v);
        }
        return plot.chart();
    }

    /** y vs the param, one series per backbone (or a single one): dots per trial, line through the means. */
    private static Chart<?, ?> byModel(Model m, String param, java.util.function.ToDoubleFunction<Trial> yOf,
                                       String title, String xLabel, String yLabel) {
        XyChart plot = new XyChart(title, xLabel, yLabel).dataTicks(true);
        List<String> models = m.models.size() > 1 ? new ArrayList<>(m.models) : List.of("");
        for (String model : models) {
            List<Trial> ts = m.trials.stream().filter(t -> model.isEmpty() || t.model().equals(model)).toList();
            double[] x = ts.stream().mapToDouble(t -> t.params().get(param) == null ? Double.NaN
                    : t.params().get(param).asDouble()).toArray();
            double[] y = ts.stream().mapToDouble(yOf).toArray();
            double[][] means = meansByX(x, y);
            int c = plot.add(model.isEmpty() ? "mean" : model, means[0], means[1], XyChart.Style.LINE_AND_POINTS);
            plot.add(null, x, y, XyChart.Style.POINTS, c);
        }
        return plot.chart();
    }

    /** Distinct x (sorted) and the mean of the finite y at each. */
    static double[][] meansByX(double[] x, double[] y) {
        TreeMap<Double, double[]> acc = new TreeMap<>();
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
            double[] a = acc.computeIfAbsent(x[i], k -> new double[2]);
            a[0] += y[i];
            a[1]++;
        }
        double[][] out = new double[2][acc.size()];
        int i = 0;
        for (Map.Entry<Double, double[]> e : acc.entrySet()) {
            out[0][i] = e.getKey();
            out[1][i++] = e.getValue()[0] / e.getValue()[1];
        }
        return out;
    }
}
