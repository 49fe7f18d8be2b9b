package io.finetune4j.framework.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A line/scatter chart: series drawn as points, lines or lines through points; a series can share its colour with
 * another (a mean line and its single values); a base-10 log x axis on request; the legend on the right.
 * {@link #chart()} builds the XChart chart, which {@link ChartFiles} writes.
 */
public final class XyChart {

    /** How a series is drawn. */
    public enum Style { POINTS, LINE, LINE_AND_POINTS }

    private record Series(String name, double[] x, double[] y, Style style, int colour) {
    }

    static final int PLOT_WIDTH = 640;
    static final int HEIGHT = 440;
    private static final int MAX_LEGEND_TEXT = 280;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logX;
    private boolean dataTicks;
    private int nextColour;

    public XyChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** A base-10 logarithmic x axis; points with x <= 0 are left out. */
    public XyChart logX(boolean on) {
        this.logX = on;
        return this;
    }

    /**
     * X ticks at the data's own x values when these are equally spaced (swept params); else, as by default, nice
     * 1-2-5 steps. (XChart itself takes equally spaced x values as ticks; this says whether to let it.)
     */
    public XyChart dataTicks(boolean on) {
        this.dataTicks = on;
        return this;
    }

    /** Adds a series in the next palette colour; returns that colour's index (to draw a companion series). */
    public int add(String name, double[] x, double[] y, Style style) {
        return add(name, x, y, style, nextColour++);
    }

    /** Adds a series in a given palette colour; a null name keeps it out of the legend. */
    public int add(String name, double[] x, double[] y, Style style, int colour) {
        if (x.length != y.length) throw new IllegalArgumentException("x and y differ in length");
        series.add(new Series(name, x.clone(), y.clone(), style, colour));
        nextColour = Math.max(nextColour, colour + 1);
        return colour;
    }

    /** The chart: 640 pixels of plot plus the legend's width, 440 high. */
    public XYChart chart() {
        List<String> legend = new ArrayList<>();
        for (Series s : series) if (s.name() != null) legend.add(s.name());
        XYChart chart = new XYChart(PLOT_WIDTH + legendWidth(legend), HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle(yLabel);
        XYStyler s = chart.getStyler();
        HouseStyle.apply(s);
        s.setLegendPosition(LegendPosition.OutsideE);
        s.setLegendVisible(!legend.isEmpty());
        s.setLegendSeriesLineLength(22);
        s.setMarkerSize(7);

        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        int added = 0;
        for (Series ser : series) {
            double[][] xy = finitePoints(ser, logX);
            if (xy[0].length == 0) continue;
            for (double v : xy[0]) {
                xMin = Math.min(xMin, v);
                xMax = Math.max(xMax, v);
            }
            for (double v : xy[1]) {
                yMin = Math.min(yMin, v);
                yMax = Math.max(yMax, v);
            }
            String key = ser.name() == null ? "\u0000" + added : ser.name();
            while (chart.getSeriesMap().containsKey(key)) key += "\u0000";
            XYSeries xs = chart.addSeries(key, xy[0], xy[1]);
            if (ser.name() != null) xs.setLabel(fit(ser.name()));
            else xs.setShowInLegend(false);
            style(xs, ser);
            added++;
        }
        if (added == 0) {   // XChart needs a series to draw axes; an empty one stands in
            XYSeries xs = chart.addSeries("no data", new double[]{logX ? 1 : 0}, new double[]{0});
            xs.setShowInLegend(false);
            xs.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
            xs.setMarker(SeriesMarkers.NONE);
            return chart;
        }
        if (logX) {
            s.setXAxisLogarithmic(true);
            s.setXAxisLogarithmicDecadeOnly(xMax / xMin > 10);   // else a label at every 1..9 x 10^k
            s.setXAxisDecimalPattern(xMin < 1e-3 || xMax >= 1e5 ? "0E0" : xMin >= 1 ? "0" : "0.###");
        } else {
            s.setXAxisDecimalPattern(decimalPattern(xMin, xMax));
            if (!dataTicks && xMax > xMin) {
                // XChart puts the ticks at the data's x when they are equally spaced (coverage k/n, say), at odd
                // values; an invisible point between two of them keeps its nice 1-2-5 ticks
                XYSeries off = chart.addSeries("\u0000ticks", new double[]{xMin + (xMax - xMin) / Math.PI},
                        new double[]{yMin});
                off.setShowInLegend(false);
                off.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
                off.setMarker(SeriesMarkers.NONE);
            }
        }
        s.setYAxisDecimalPattern(decimalPattern(yMin, yMax));
        return chart;
    }

    /**
     * Tick labels for data in [lo, hi]: as many decimals as a tenth of the span needs ("0.##" for 0.7 to 0.85), none
     * for large spans, and scientific notation for tiny or huge values.
     */
    static String decimalPattern(double lo, double hi) {
        double maxAbs = Math.max(Math.abs(lo), Math.abs(hi));
        if (maxAbs >= 1e6 || (maxAbs > 0 && maxAbs < 1e-3)) return "0.##E0";
        double span = hi > lo ? hi - lo : maxAbs > 0 ? maxAbs : 1;
        int decimals = (int) Math.max(0, Math.min(8, Math.ceil(-Math.log10(span / 10))));
        return decimals == 0 ? "0" : "0." + "#".repeat(decimals);
    }

    private static void style(XYSeries xs, Series ser) {
        Color c = Palette.colour(ser.colour());
        switch (ser.style()) {
            case LINE -> {
                xs.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
                xs.setMarker(SeriesMarkers.NONE);
            }
            case LINE_AND_POINTS -> {
                xs.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
                xs.setMarker(new Dot(7));
            }
            case POINTS -> {
                xs.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
                xs.setMarker(new Dot(9));
                c = Palette.withAlpha(c, 140);
            }
        }
        xs.setLineColor(c);
        xs.setMarkerColor(c);
        xs.setFillColor(c);
        xs.setLineStyle(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    }

    /** The finite points (x > 0 on a log axis), sorted by x for lines. */
    private static double[][] finitePoints(Series s, boolean logX) {
        List<double[]> keep = new ArrayList<>();
        for (int i = 0; i < s.x().length; i++) {
            double x = s.x()[i], y = s.y()[i];
            if (Double.isFinite(x) && Double.isFinite(y) && (!logX || x > 0)) keep.add(new double[]{x, y});
        }
        if (s.style() != Style.POINTS) keep.sort(Comparator.comparingDouble(p -> p[0]));
        double[][] out = new double[2][keep.size()];
        for (int i = 0; i < keep.size(); i++) {
            out[0][i] = keep.get(i)[0];
            out[1][i] = keep.get(i)[1];
        }
        return out;
    }

    private static int legendWidth(List<String> names) {
        if (names.isEmpty()) return 0;
        FontMetrics fm = metrics();
        int w = 0;
        for (String n : names) w = Math.max(w, fm.stringWidth(fit(n)));
        return w + 70;
    }

    /** A legend label cut to {@value #MAX_LEGEND_TEXT} pixels, with an ellipsis. */
    static String fit(String s) {
        FontMetrics fm = metrics();
        if (fm.stringWidth(s) <= MAX_LEGEND_TEXT) return s;
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "\u2026") > MAX_LEGEND_TEXT) t = t.substring(0, t.length() - 1);
        return t + "\u2026";
    }

    private static FontMetrics metrics() {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return g.getFontMetrics(HouseStyle.LEGEND);
        } finally {
            g.dispose();
        }
    }
}
