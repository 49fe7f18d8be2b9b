package io.finetune4j.framework.plot;

import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.style.CategoryStyler;

/**
 * Bars over categories, in the order added: a height, an optional ± error bar, and the single values drawn as dots
 * over the bar. The y axis starts near the data (at 0 when the data come close to it), so differences show.
 * {@link #chart()} builds the XChart chart, which {@link ChartFiles} writes.
 */
public final class BarChart {

    private record Bar(String category, double value, double error, double[] points) {
    }

    private static final Color BAR = Palette.withAlpha(Palette.colour(0), 150);
    private static final Color DOT = new Color(0x1f3f66);

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Bar> bars = new ArrayList<>();

    public BarChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a bar: its height (NaN: none), ± error (NaN: none) and the single values drawn as dots. */
    public void bar(String category, double value, double error, double[] points) {
        bars.add(new Bar(category, value, error, points.clone()));
    }

    /** The chart, 640 x 440 (wider with many categories). */
    public CategoryChart chart() {
        int width = Math.max(XyChart.PLOT_WIDTH, 90 * bars.size() + 120);
        CategoryChart chart = new CategoryChart(width, XyChart.HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle(yLabel);
        CategoryStyler s = chart.getStyler();
        HouseStyle.apply(s);
        s.setLegendVisible(false);
        s.setOverlapped(true);
        s.setAvailableSpaceFill(0.6);
        s.setPlotGridVerticalLinesVisible(false);
        s.setErrorBarsColor(Color.DARK_GRAY);
        s.setMarkerSize(8);

        List<String> categories = new ArrayList<>();
        List<Double> heights = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        boolean anyError = false;
        int dots = 0;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Bar b : bars) {
            categories.add(b.category());
            boolean has = Double.isFinite(b.value());
            double e = Double.isFinite(b.error()) ? b.error() : 0;
            heights.add(has ? b.value() : null);
            errors.add(has ? e : 0.0);
            anyError |= has && e > 0;
            if (has) {
                lo = Math.min(lo, b.value() - e);
                hi = Math.max(hi, b.value() + e);
            }
            for (double v : b.points()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            dots = Math.max(dots, b.points().length);
        }
        if (categories.isEmpty()) {   // XChart needs a category to draw the axes
            categories.add("no data");
            heights.add(0.0);
            errors.add(0.0);
        }
        // XChart's error bars take no gaps: a missing bar is 0 there, which draws nothing (below or on the axis)
        if (anyError) heights.replaceAll(h -> h == null ? 0.0 : h);
        CategorySeries barSeries = chart.addSeries("mean", categories, heights, anyError ? errors : null);
        barSeries.setFillColor(BAR);
        // the k-th single value of each category, as dots over its bar (null where a category has fewer)
        for (int k = 0; k < dots; k++) {
            List<Double> ys = new ArrayList<>();
            for (Bar b : bars) {
                double v = k < b.points().length ? b.points()[k] : Double.NaN;
                ys.add(Double.isFinite(v) ? v : null);
            }
            CategorySeries d = chart.addSeries("value " + (k + 1), categories, ys);
            d.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Scatter);
            d.setMarker(new Dot(8));
            d.setMarkerColor(DOT);
        }
        if (Double.isFinite(lo)) {
            double span = hi > lo ? hi - lo : lo != 0 ? Math.abs(lo) * 0.5 : 1;
            double yMin = lo >= 0 ? Math.max(0, lo - span) : lo - 0.08 * span, yMax = hi + 0.08 * span;
            s.setYAxisMin(yMin);
            s.setYAxisMax(yMax);
            s.setYAxisDecimalPattern(XyChart.decimalPattern(yMin, yMax));
        }
        if (!labelsFit(categories, width)) s.setXAxisLabelRotation(30);
        return chart;
    }

    private static boolean labelsFit(List<String> categories, int width) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        FontMetrics fm = g.getFontMetrics(HouseStyle.TICKS);
        g.dispose();
        double slot = (width - 120.0) / Math.max(1, categories.size());
        for (String c : categories) if (fm.stringWidth(c) > slot - 8) return false;
        return true;
    }
}
