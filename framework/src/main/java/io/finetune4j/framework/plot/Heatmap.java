package io.finetune4j.framework.plot;

import de.erichseifert.vectorgraphics2d.util.GraphicsUtils;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.internal.chartpart.Annotation;
import org.knowm.xchart.style.AxesChartStyler.TextAlignment;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler.ChartTheme;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * The confusion-matrix heatmap: true classes down the left (first at the top), predicted classes along the bottom
 * (rotated when the names do not fit under their columns), matplotlib's "Blues" colour scale on the right, and the
 * value in each cell: white on dark cells, grey for zero counts. Cells, and with them the image, grow with the number
 * of classes (18 + 160/k pixels a cell, at least 16); the fonts shrink for many classes.
 */
public final class Heatmap {

    /** matplotlib's "Blues" colour map (9 stops), white to dark blue. */
    static final Color[] BLUES = {
            new Color(0xf7fbff), new Color(0xdeebf7), new Color(0xc6dbef), new Color(0x9ecae1), new Color(0x6baed6),
            new Color(0x4292c6), new Color(0x2171b5), new Color(0x08519c), new Color(0x08306b)};
    private static final Color ZERO = new Color(0xb0b0b0);
    private static final int MAX_LABEL_CHARS = 24;

    private Heatmap() {
    }

    /**
     * @param labels     the class names, index = class id
     * @param counts     rows = true class, columns = predicted class
     * @param normalised the row-normalised matrix to colour and print (2 decimals), or null to show the counts
     *                   (coloured relative to the largest count)
     * @param title      drawn above the matrix; may be null
     */
    public static HeatMapChart confusion(List<String> labels, long[][] counts, double[][] normalised, String title) {
        final int k = labels.size();
        if (k == 0 || counts.length != k) throw new IllegalArgumentException("need a k x k matrix and k labels");
        long maxCount = 0;
        for (long[] row : counts) for (long v : row) maxCount = Math.max(maxCount, v);

        final int cell = Math.max(16, (int) Math.round(18 + 160.0 / k));
        final int side = cell * k;
        int labelSize = (int) Math.round(Math.max(9, Math.min(15, cell * 0.55)));
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, labelSize);
        List<String> names = new ArrayList<>();
        for (String l : labels) names.add(abbreviate(l, MAX_LABEL_CHARS));

        double[][] shade = new double[k][k];
        String[][] text = new String[k][k];
        boolean[][] zero = new boolean[k][k];
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                double v = normalised != null ? normalised[t][p] : counts[t][p];
                shade[t][p] = normalised != null ? v : maxCount == 0 ? 0 : v / maxCount;
                text[t][p] = normalised == null ? Long.toString(counts[t][p])
                        : k > 12 ? compactFraction(v) : fixed2(v);
                zero[t][p] = counts[t][p] == 0;
                cells.add(new Number[]{p, k - 1 - t, v});   // XChart counts rows from the bottom
            }
        }
        List<String> rowsBottomUp = new ArrayList<>(names);
        Collections.reverse(rowsBottomUp);

        // (the theme argument matters: without it XChart leaves a heat map's styler unset, and no axes show)
        HeatMapChart chart = new HeatMapChart(side + 400, side + 300, ChartTheme.XChart);
        chart.setTitle(title == null ? "" : title);
        chart.setXAxisTitle("Predicted label");
        chart.setYAxisTitle("True label");
        HeatMapStyler s = chart.getStyler();
        HouseStyle.apply(s);
        s.setChartTitleVisible(title != null && !title.isBlank());
        s.setAxisTitleFont(HouseStyle.AXIS_TITLE.deriveFont(Font.BOLD, 13f));
        s.setAxisTickLabelsFont(labelFont);
        s.setYAxisLabelAlignment(TextAlignment.Right);
        s.setXAxisLabelRotation(widest(names, labelFont) > cell - 4 ? 90 : 0);
        s.setPlotContentSize(1.0);
        s.setPlotGridLinesVisible(false);
        s.setShowValue(false);
        s.setRangeColors(BLUES);
        s.setMin(0);
        s.setMax(normalised != null ? 1 : Math.max(1, maxCount));
        s.setLegendPosition(LegendPosition.OutsideE);
        s.setGradientColorColumnWeight(16);
        s.setGradientColorColumnHeight(Math.max(60, side - 50));
        chart.addSeries(normalised != null ? "row-normalised" : "counts", names, rowsBottomUp, cells);
        CellValues values = new CellValues(text, shade, zero, cell);
        chart.addAnnotation(values);
        squareCells(chart, values, side);
        return chart;
    }

    /**
     * Resizes the chart so that the matrix is {@code side} x {@code side} pixels (XChart sizes the whole image), and
     * shrinks the title (to 12 points) or else widens the image where the title would not fit.
     */
    private static void squareCells(HeatMapChart chart, CellValues values, int side) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            chart.paint(g, chart.getWidth(), chart.getHeight());   // lays it out: the matrix takes what is left
            int w = chart.getWidth() + side - (int) Math.round(values.plot.getWidth());
            int h = chart.getHeight() + side - (int) Math.round(values.plot.getHeight());
            HeatMapStyler s = chart.getStyler();
            int room = w - 2 * s.getChartPadding();
            Font title = s.getChartTitleFont();
            while (title.getSize2D() > 12 && g.getFontMetrics(title).stringWidth(chart.getTitle()) > room) {
                title = title.deriveFont(title.getSize2D() - 1);
            }
            s.setChartTitleFont(title);
            w = Math.max(w, g.getFontMetrics(title).stringWidth(chart.getTitle()) + 2 * s.getChartPadding());
            chart.paint(g, w, h);   // leaves the chart at its final size
        } finally {
            g.dispose();
        }
    }

    /** The numbers in the cells, in a colour that reads on the cell; painted over XChart's cells. */
    private static final class CellValues extends Annotation {
        private final String[][] text;
        private final double[][] shade;
        private final boolean[][] zero;
        private final int cell;
        Rectangle2D plot = new Rectangle2D.Double();

        CellValues(String[][] text, double[][] shade, boolean[][] zero, int cell) {
            super(true);
            this.text = text;
            this.shade = shade;
            this.zero = zero;
            this.cell = cell;
        }

        @Override
        public void paint(Graphics2D g) {
            int x0 = getXAxisScreenValueForMin(), y0 = getYAxisScreenValueForMin();
            plot = new Rectangle2D.Double(x0, y0, getXAxisScreenValueForMax() - x0, getYAxisScreenValueForMax() - y0);
            bounds = plot;
            int k = text.length;
            double cw = plot.getWidth() / k, ch = plot.getHeight() / k;
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            // thin white lines between the cells
            g.setColor(new Color(255, 255, 255, 90));
            g.setStroke(new BasicStroke(1f));
            for (int i = 1; i < k; i++) {
                g.draw(new Line2D.Double(plot.getX() + i * cw, plot.getY(), plot.getX() + i * cw, plot.getMaxY()));
                g.draw(new Line2D.Double(plot.getX(), plot.getY() + i * ch, plot.getMaxX(), plot.getY() + i * ch));
            }
            // the physical font behind "SansSerif", looked up once: the SVG writer would look it up for every cell
            Font font = GraphicsUtils.getPhysicalFont(valueFont(g));
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            for (int t = 0; t < k; t++) {
                for (int p = 0; p < k; p++) {
                    g.setColor(zero[t][p] ? ZERO : shade[t][p] > 0.5 ? Color.WHITE : Color.BLACK);
                    String s = text[t][p];
                    double cx = plot.getX() + (p + 0.5) * cw, cy = plot.getY() + (t + 0.5) * ch;
                    g.drawString(s, (float) (cx - fm.stringWidth(s) / 2.0),
                            (float) (cy - fm.getHeight() / 2.0 + fm.getAscent()));
                }
            }
        }

        /** The largest size (cell * 0.42, 7 to 18 points) at which every value fits 80 % of its cell's width. */
        private Font valueFont(Graphics2D g) {
            float size = (float) Math.max(7, Math.min(18, cell * 0.42));
            Font f = new Font(Font.SANS_SERIF, Font.PLAIN, 10).deriveFont(size);
            while (size > 6f && widest(text, g.getFontMetrics(f)) > cell * 0.8) {
                size -= 0.5f;
                f = f.deriveFont(size);
            }
            return f;
        }
    }

    private static int widest(String[][] text, FontMetrics fm) {
        int w = 1;
        for (String[] row : text) for (String s : row) w = Math.max(w, fm.stringWidth(s));
        return w;
    }

    private static int widest(List<String> names, Font font) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            FontMetrics fm = g.getFontMetrics(font);
            int w = 0;
            for (String n : names) w = Math.max(w, fm.stringWidth(n));
            return w;
        } finally {
            g.dispose();
        }
    }

    /** Two decimals, rounded half-even on the exact binary value (as the text table prints them). */
    private static String fixed2(double v) {
        return new BigDecimal(v).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** For small cells: "0.59" as ".59", "1.00" as "1", "0.00" as "0". */
    private static String compactFraction(double v) {
        if (v >= 0.995) return "1";
        String s = fixed2(v);
        if (s.equals("0.00")) return "0";
        return s.startsWith("0") ? s.substring(1) : s;
    }

    private static String abbreviate(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) return s;
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "\u2026";
    }
}
