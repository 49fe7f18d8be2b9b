package io.finetune4j.framework.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * A tiny chart drawer (Java2D, headless; no plotting library): scatter points, lines through points, and
 * categorical bars with error bars. Axes get labels and ticks (nice 1-2-5 steps, or the data's own x values when
 * there are only a few, on request; a log scale on request); series get a legend on the right. Several plots can be drawn side
 * by side as panels of one PNG ({@link #writePng(Path, Plot...)}), which is written atomically.
 */
public final class Plot {

    /** How a series is drawn. */
    public enum Style { POINTS, LINE, LINE_AND_POINTS }

    record Series(String name, double[] x, double[] y, Style style, int colour) {
    }

    /** A bar: category name, height, optional ± error (NaN for none), and the single values drawn as dots. */
    record Bar(String category, double value, double error, double[] points) {
    }

    /** Tableau-10, readable on white and distinguishable for most colour-blind readers. */
    static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};

    static final int PANEL_W = 640;
    static final int PANEL_H = 440;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private boolean logX;
    private boolean dataTicks;
    private final List<Series> series = new ArrayList<>();
    private final List<Bar> bars = new ArrayList<>();
    private int nextColour;

    public Plot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** A base-10 logarithmic x axis (all x must be positive). */
    public Plot logX(boolean on) {
        this.logX = on;
        return this;
    }

    /** X ticks at the data's own x values when there are at most 8 (for swept params); else nice 1-2-5 ticks. */
    public Plot dataTicks(boolean on) {
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

    /** Adds a bar (categorical x); bars are drawn in the order added. */
    public void bar(String category, double value, double error, double[] points) {
        bars.add(new Bar(category, value, error, points.clone()));
    }

    boolean isEmpty() {
        return series.isEmpty() && bars.isEmpty();
    }

    // ------------------------------------------------------------------ output

    /** Renders the panels side by side and writes one PNG, atomically (temp file + move). */
    public static void writePng(Path file, Plot... panels) throws IOException {
        BufferedImage img = render(panels);
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer available");
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The panels side by side, each with its own legend. */
    public static BufferedImage render(Plot... panels) {
        System.setProperty("java.awt.headless", "true");
        int[] widths = new int[panels.length];
        int total = 0;
        for (int i = 0; i < panels.length; i++) {
            widths[i] = PANEL_W + panels[i].legendWidth();
            total += widths[i];
        }
        BufferedImage img = new BufferedImage(total, PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, total, PANEL_H);
        int x0 = 0;
        for (int i = 0; i < panels.length; i++) {
            Graphics2D pg = (Graphics2D) g.create(x0, 0, widths[i], PANEL_H);
            panels[i].draw(pg, widths[i]);
            pg.dispose();
            x0 += widths[i];
        }
        g.dispose();
        return img;
    }

    // ------------------------------------------------------------------ drawing

    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final int LEFT = 78;
    private static final int RIGHT = 20;
    private static final int TOP = 44;
    private static final int BOTTOM = 62;

    private int legendWidth() {
        List<String> names = legendNames();
        if (names.isEmpty()) return 0;
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        FontMetrics fm = g.getFontMetrics(TICK);
        int w = 0;
        for (String n : names) w = Math.max(w, fm.stringWidth(n));
        g.dispose();
        return Math.min(320, w + 48);
    }

    private List<String> legendNames() {
        List<String> names = new ArrayList<>();
        for (Series s : series) if (s.name() != null) names.add(s.name());
        return names;
    }

    private void draw(Graphics2D g, int width) {
        int plotRight = PANEL_W - RIGHT;
        int plotBottom = PANEL_H - BOTTOM;
        Rectangle2D area = new Rectangle2D.Double(LEFT, TOP, plotRight - LEFT, plotBottom - TOP);

        g.setColor(Color.BLACK);
        g.setFont(TITLE);
        drawCentered(g, title, PANEL_W / 2.0, 26);

        // y range over everything drawn
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) for (double v : s.y()) if (Double.isFinite(v)) { yMin = Math.min(yMin, v); yMax = Math.max(yMax, v); }
        for (Bar b : bars) {
            double e = Double.isFinite(b.error()) ? b.error() : 0;
            if (Double.isFinite(b.value())) { yMin = Math.min(yMin, b.value() - e); yMax = Math.max(yMax, b.value() + e); }
            for (double v : b.points()) if (Double.isFinite(v)) { yMin = Math.min(yMin, v); yMax = Math.max(yMax, v); }
        }
        if (!Double.isFinite(yMin)) { yMin = 0; yMax = 1; }
        if (!bars.isEmpty()) yMin = Math.min(yMin, Math.max(0, yMin - (yMax - yMin)));   // bars rest near their data
        double[] yr = padRange(yMin, yMax);
        double[] yTicks = niceTicks(yr[0], yr[1], 6);
        yr[0] = Math.min(yr[0], yTicks[0]);
        yr[1] = Math.max(yr[1], yTicks[yTicks.length - 1]);
        final double ylo = yr[0], yhi = yr[1];
        java.util.function.DoubleUnaryOperator py = v -> area.getMaxY() - (v - ylo) / (yhi - ylo) * area.getHeight();

        // grid + y ticks
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        for (double t : yTicks) {
            double y = py.applyAsDouble(t);
            g.setColor(new Color(0xe6e6e6));
            g.draw(new Line2D.Double(area.getMinX(), y, area.getMaxX(), y));
            g.setColor(Color.BLACK);
            g.draw(new Line2D.Double(area.getMinX() - 5, y, area.getMinX(), y));
            String s = format(t, yTicks);
            g.drawString(s, (float) (area.getMinX() - 8 - fm.stringWidth(s)), (float) (y + fm.getAscent() / 2.0 - 1));
        }

        if (bars.isEmpty()) drawSeries(g, area, py, fm);
        else drawBars(g, area, py, fm);

        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.draw(area);
        g.setFont(LABEL);
        drawCentered(g, xLabel, area.getCenterX(), PANEL_H - 16);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        drawCentered(g, yLabel, -area.getCenterY(), 20);
        g.setTransform(saved);

        drawLegend(g, plotRight + 12, TOP, width);
    }

    private void drawSeries(Graphics2D g, Rectangle2D area, java.util.function.DoubleUnaryOperator py, FontMetrics fm) {
        TreeSet<Double> xs = new TreeSet<>();
        for (Series s : series) for (double v : s.x()) if (Double.isFinite(v) && (!logX || v > 0)) xs.add(v);
        if (xs.isEmpty()) xs.add(logX ? 1.0 : 0.0);
        double xMin = xs.first(), xMax = xs.last();
        double[] xTicks;
        double lo, hi;
        if (logX) {
            double a = Math.log10(xMin), b = Math.log10(xMax);
            double pad = b - a == 0 ? 0.5 : (b - a) * 0.08;
            lo = a - pad;
            hi = b + pad;
            xTicks = dataTicks && xs.size() <= 8 ? toArray(xs) : logTicks(lo, hi);
        } else {
            double[] r = padRange(xMin, xMax);
            lo = r[0];
            hi = r[1];
            xTicks = dataTicks && xs.size() <= 8 ? toArray(xs) : niceTicks(lo, hi, 7);
        }
        final double xlo = lo, xhi = hi;
        java.util.function.DoubleUnaryOperator px = v -> {
            double u = logX ? Math.log10(v) : v;
            return area.getMinX() + (u - xlo) / (xhi - xlo) * area.getWidth();
        };
        double lastRight = Double.NEGATIVE_INFINITY;
        for (double t : xTicks) {
            double u = logX ? Math.log10(t) : t;
            if (u < xlo - 1e-12 || u > xhi + 1e-12) continue;
            double x = px.applyAsDouble(t);
            g.setColor(new Color(0xe6e6e6));
            g.draw(new Line2D.Double(x, area.getMinY(), x, area.getMaxY()));
            g.setColor(Color.BLACK);
            g.draw(new Line2D.Double(x, area.getMaxY(), x, area.getMaxY() + 5));
            String s = format(t, xTicks);
            double left = x - fm.stringWidth(s) / 2.0;
            if (left > lastRight + 4) {   // skip a label that would overlap the previous one
                g.drawString(s, (float) left, (float) (area.getMaxY() + 8 + fm.getAscent()));
                lastRight = left + fm.stringWidth(s);
            }
        }
        Graphics2D c = (Graphics2D) g.create();
        c.clip(new Rectangle2D.Double(area.getX() - 6, area.getY() - 6, area.getWidth() + 12, area.getHeight() + 12));
        for (Series s : series) {
            c.setColor(PALETTE[s.colour() % PALETTE.length]);
            if (s.style() != Style.POINTS) {
                c.setStroke(new BasicStroke(2.2f));
                double[][] sorted = sortedByX(s.x(), s.y());
                for (int i = 1; i < sorted[0].length; i++) {
                    c.draw(new Line2D.Double(px.applyAsDouble(sorted[0][i - 1]), py.applyAsDouble(sorted[1][i - 1]),
                            px.applyAsDouble(sorted[0][i]), py.applyAsDouble(sorted[1][i])));
                }
            }
            if (s.style() != Style.LINE) {
                double r = s.style() == Style.POINTS ? 4.5 : 3.5;
                for (int i = 0; i < s.x().length; i++) {
                    if (!Double.isFinite(s.y()[i]) || (logX && !(s.x()[i] > 0))) continue;
                    Ellipse2D dot = new Ellipse2D.Double(px.applyAsDouble(s.x()[i]) - r, py.applyAsDouble(s.y()[i]) - r,
                            2 * r, 2 * r);
                    if (s.style() == Style.POINTS) {
                        Color base = PALETTE[s.colour() % PALETTE.length];
                        c.setColor(new Color(base.getRed(), base.getGreen(), base.getBlue(), 150));
                        c.fill(dot);
                        c.setColor(base);
                        c.setStroke(new BasicStroke(1f));
                        c.draw(dot);
                    } else {
                        c.fill(dot);
                    }
                }
            }
        }
        c.dispose();
    }

    private void drawBars(Graphics2D g, Rectangle2D area, java.util.function.DoubleUnaryOperator py, FontMetrics fm) {
        int n = bars.size();
        double slot = area.getWidth() / n;
        double base = py.applyAsDouble(Math.max(0, inverse(area, py)));
        for (int i = 0; i < n; i++) {
            Bar b = bars.get(i);
            double cx = area.getMinX() + slot * (i + 0.5);
            double w = Math.min(90, slot * 0.6);
            Color col = PALETTE[i % PALETTE.length];
            if (Double.isFinite(b.value())) {
                double top = py.applyAsDouble(b.value());
                g.setColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 110));
                g.fill(new Rectangle2D.Double(cx - w / 2, Math.min(top, base), w, Math.abs(base - top)));
                g.setColor(col);
                g.setStroke(new BasicStroke(1.5f));
                g.draw(new Rectangle2D.Double(cx - w / 2, Math.min(top, base), w, Math.abs(base - top)));
                if (Double.isFinite(b.error()) && b.error() > 0) {
                    g.setColor(Color.DARK_GRAY);
                    double e1 = py.applyAsDouble(b.value() + b.error()), e0 = py.applyAsDouble(b.value() - b.error());
                    g.draw(new Line2D.Double(cx, e0, cx, e1));
                    g.draw(new Line2D.Double(cx - 8, e0, cx + 8, e0));
                    g.draw(new Line2D.Double(cx - 8, e1, cx + 8, e1));
                }
            }
            g.setColor(col.darker());
            for (int k = 0; k < b.points().length; k++) {
                double jitter = b.points().length == 1 ? 0 : (k / (double) (b.points().length - 1) - 0.5) * w * 0.5;
                double r = 4;
                g.fill(new Ellipse2D.Double(cx + jitter - r, py.applyAsDouble(b.points()[k]) - r, 2 * r, 2 * r));
            }
            g.setColor(Color.BLACK);
            String label = fit(b.category(), fm, slot - 6);
            g.drawString(label, (float) (cx - fm.stringWidth(label) / 2.0), (float) (area.getMaxY() + 8 + fm.getAscent()));
        }
    }

    /** The data value at the bottom of the plot area. */
    private static double inverse(Rectangle2D area, java.util.function.DoubleUnaryOperator py) {
        double y0 = py.applyAsDouble(0), y1 = py.applyAsDouble(1);
        return (area.getMaxY() - y0) / (y1 - y0);
    }

    private void drawLegend(Graphics2D g, int x, int y, int width) {
        List<Series> named = new ArrayList<>();
        for (Series s : series) if (s.name() != null) named.add(s);
        if (named.isEmpty()) return;
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        int row = fm.getHeight() + 6;
        int maxText = width - x - 40;
        for (int i = 0; i < named.size(); i++) {
            Series s = named.get(i);
            int cy = y + 8 + i * row;
            Color col = PALETTE[s.colour() % PALETTE.length];
            g.setColor(col);
            if (s.style() != Style.POINTS) {
                g.setStroke(new BasicStroke(2.2f));
                g.draw(new Line2D.Double(x, cy, x + 22, cy));
            }
            if (s.style() != Style.LINE) {
                g.fill(new Ellipse2D.Double(x + 11 - 4, cy - 4, 8, 8));
            }
            g.setColor(Color.BLACK);
            g.drawString(fit(s.name(), fm, maxText), x + 28, cy + fm.getAscent() / 2 - 1);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String fit(String s, FontMetrics fm, double max) {
        if (fm.stringWidth(s) <= max) return s;
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "…") > max) t = t.substring(0, t.length() - 1);
        return t + "…";
    }

    private static void drawCentered(Graphics2D g, String s, double cx, double baseline) {
        if (s == null) return;
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, (float) (cx - fm.stringWidth(s) / 2.0), (float) baseline);
    }

    private static double[] padRange(double lo, double hi) {
        if (hi - lo < 1e-12) {
            double d = Math.abs(lo) > 1e-9 ? Math.abs(lo) * 0.05 : 0.5;
            return new double[]{lo - d, hi + d};
        }
        double d = (hi - lo) * 0.08;
        return new double[]{lo - d, hi + d};
    }

    /** Ticks at 1, 2 or 5 × 10^k steps covering [lo, hi] with about {@code target} ticks. */
    static double[] niceTicks(double lo, double hi, int target) {
        double raw = (hi - lo) / Math.max(1, target - 1);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[]{1, 2, 2.5, 5, 10}) {
            step = m * mag;
            if (step >= raw) break;
        }
        double start = Math.ceil(lo / step - 1e-9) * step;
        List<Double> t = new ArrayList<>();
        for (double v = start; v <= hi + step * 1e-9; v += step) t.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        if (t.isEmpty()) t.add(lo);
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Log-axis ticks (values, not exponents) between 10^lo and 10^hi: 1-2-5 per decade, or decades only. */
    static double[] logTicks(double lo, double hi) {
        List<Double> t = new ArrayList<>();
        boolean dense = hi - lo <= 3;
        for (int e = (int) Math.floor(lo); e <= Math.ceil(hi); e++) {
            for (double m : dense ? new double[]{1, 2, 5} : new double[]{1}) {
                double v = m * Math.pow(10, e);
                double u = Math.log10(v);
                if (u >= lo - 1e-9 && u <= hi + 1e-9) t.add(v);
            }
        }
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] toArray(TreeSet<Double> s) {
        return s.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[][] sortedByX(double[] x, double[] y) {
        Integer[] idx = new Integer[x.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(x[a], x[b]));
        List<double[]> keep = new ArrayList<>();
        for (int i : idx) if (Double.isFinite(x[i]) && Double.isFinite(y[i])) keep.add(new double[]{x[i], y[i]});
        double[][] out = new double[2][keep.size()];
        for (int i = 0; i < keep.size(); i++) {
            out[0][i] = keep.get(i)[0];
            out[1][i] = keep.get(i)[1];
        }
        return out;
    }

    /** A tick label: compact, with the precision the tick spacing needs. */
    static String format(double v, double[] all) {
        double abs = Math.abs(v);
        if (abs != 0 && (abs < 1e-3 || abs >= 1e6)) return number(v);
        double step = Double.POSITIVE_INFINITY;
        for (int i = 1; i < all.length; i++) step = Math.min(step, Math.abs(all[i] - all[i - 1]));
        int decimals = 0;
        if (Double.isFinite(step) && step > 0) decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        decimals = Math.max(decimals, decimalsOf(v));
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", v);
    }

    private static int decimalsOf(double v) {
        for (int d = 0; d <= 6; d++) {
            if (Math.abs(v * Math.pow(10, d) - Math.rint(v * Math.pow(10, d))) < 1e-6 * Math.pow(10, d)) return d;
        }
        return 6;
    }

    /** A compact number: integers plain, tiny or huge values as {@code 5e-05}, others with up to 4 significant digits. */
    public static String number(double v) {
        if (!Double.isFinite(v)) return String.valueOf(v);
        if (v == Math.rint(v) && Math.abs(v) < 1e6) return Long.toString((long) v);
        double abs = Math.abs(v);
        if (abs < 1e-3 || abs >= 1e6) {
            String s = String.format(Locale.ROOT, "%.3e", v);
            String mant = s.substring(0, s.indexOf('e'));
            String exp = s.substring(s.indexOf('e') + 1);
            if (mant.contains(".")) mant = mant.replaceAll("0+$", "").replaceAll("\\.$", "");
            int e = Integer.parseInt(exp);
            return mant + "e" + (e < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(e));
        }
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
        return s;
    }
}
