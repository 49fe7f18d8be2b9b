package io.finetune4j.framework.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Confusion matrix of a single-label classifier: rows = true class, columns = predicted class
 * (sklearn's {@code confusion_matrix(y_true, y_pred, labels=range(K))}).
 */
public final class ConfusionMatrix {

    private final List<String> labelNames;
    private final long[][] counts;

    private ConfusionMatrix(List<String> labelNames, long[][] counts) {
        this.labelNames = List.copyOf(labelNames);
        this.counts = counts;
    }

    /**
     * @param yTrue      true class indices in {@code [0, labelNames.size())}
     * @param yPred      predicted class indices, same length
     * @param labelNames the class names, index = class id
     */
    public static ConfusionMatrix of(int[] yTrue, int[] yPred, List<String> labelNames) {
        Objects.requireNonNull(yTrue, "yTrue");
        Objects.requireNonNull(yPred, "yPred");
        Objects.requireNonNull(labelNames, "labelNames");
        if (yTrue.length != yPred.length) {
            throw new IllegalArgumentException(
                    "yTrue has " + yTrue.length + " entries, yPred " + yPred.length);
        }
        int k = labelNames.size();
        if (k == 0) {
            throw new IllegalArgumentException("no class names");
        }
        long[][] c = new long[k][k];
        for (int i = 0; i < yTrue.length; i++) {
            int t = yTrue[i];
            int p = yPred[i];
            if (t < 0 || t >= k || p < 0 || p >= k) {
                throw new IllegalArgumentException("example " + i + ": label out of range [0," + k
                        + "): true=" + t + " pred=" + p);
            }
            c[t][p]++;
        }
        return new ConfusionMatrix(labelNames, c);
    }

    /** From counts (rows = true, columns = predicted); the array is copied. */
    public static ConfusionMatrix ofCounts(long[][] counts, List<String> labelNames) {
        int k = labelNames.size();
        if (counts.length != k) {
            throw new IllegalArgumentException("counts has " + counts.length + " rows for " + k + " classes");
        }
        long[][] c = new long[k][];
        for (int i = 0; i < k; i++) {
            if (counts[i].length != k) {
                throw new IllegalArgumentException("row " + i + " has " + counts[i].length + " columns");
            }
            c[i] = counts[i].clone();
        }
        return new ConfusionMatrix(labelNames, c);
    }

    public List<String> labelNames() { return labelNames; }
    public int numClasses() { return labelNames.size(); }

    /** Count of examples of true class {@code t} predicted as {@code p}. */
    public long count(int t, int p) { return counts[t][p]; }

    /** A copy of the counts, rows = true, columns = predicted. */
    public long[][] counts() {
        long[][] out = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            out[i] = counts[i].clone();
        }
        return out;
    }

    long[][] countsView() { return counts; }

    /**
     * Rows divided by their sums (sklearn's {@code normalize='true'}: each row is the recall
     * distribution of a true class); a row with no examples is all 0.
     */
    public double[][] normalised() {
        int k = counts.length;
        double[][] out = new double[k][k];
        for (int t = 0; t < k; t++) {
            long sum = 0;
            for (long v : counts[t]) {
                sum += v;
            }
            for (int p = 0; p < k; p++) {
                out[t][p] = sum == 0 ? 0.0 : (double) counts[t][p] / (double) sum;
            }
        }
        return out;
    }

    /**
     * A plain-text table: one header row with the predicted class names, one row per true class;
     * counts, or row-normalised values with 2 decimals.
     */
    public String formatTable(boolean normalised) {
        int k = counts.length;
        double[][] norm = normalised ? normalised() : null;
        String corner = "true \\ pred";
        String[][] cells = new String[k][k];
        int rowNameWidth = corner.length();
        for (String n : labelNames) {
            rowNameWidth = Math.max(rowNameWidth, n.codePointCount(0, n.length()));
        }
        int[] colWidth = new int[k];
        for (int p = 0; p < k; p++) {
            String n = labelNames.get(p);
            colWidth[p] = n.codePointCount(0, n.length());
            for (int t = 0; t < k; t++) {
                cells[t][p] = normalised ? NpMath.fixed(norm[t][p], 2) : Long.toString(counts[t][p]);
                colWidth[p] = Math.max(colWidth[p], cells[t][p].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(left(corner, rowNameWidth));
        for (int p = 0; p < k; p++) {
            sb.append("  ").append(NpMath.right(labelNames.get(p), colWidth[p]));
        }
        sb.append('\n');
        for (int t = 0; t < k; t++) {
            sb.append(left(labelNames.get(t), rowNameWidth));
            for (int p = 0; p < k; p++) {
                sb.append("  ").append(NpMath.right(cells[t][p], colWidth[p]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String left(String s, int width) {
        int len = s.codePointCount(0, s.length());
        return len >= width ? s : s + " ".repeat(width - len);
    }

    @Override
    public String toString() {
        return formatTable(false);
    }

    // ------------------------------------------------------------------ PNG heatmap

    /** matplotlib's "Blues" colour map (9 stops), white to dark blue. */
    private static final int[] BLUES = {
        0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b
    };

    static Color blues(double v) {
        double x = Math.max(0, Math.min(1, Double.isNaN(v) ? 0 : v)) * (BLUES.length - 1);
        int i = Math.min((int) Math.floor(x), BLUES.length - 2);
        double f = x - i;
        int a = BLUES[i];
        int b = BLUES[i + 1];
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - f) + ((b >> 16) & 0xff) * f);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - f) + ((b >> 8) & 0xff) * f);
        int bl = (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
        return new Color(r, g, bl);
    }

    /**
     * Writes a heatmap of the matrix as a PNG (Java2D, headless): true classes down the left,
     * predicted classes along the bottom (labels rotated 45 degrees), the value in each cell,
     * a colour scale on the right. Cells, and with them the image, grow with the number of
     * classes; fonts shrink for many classes. The file is written atomically.
     *
     * @param normalised colour and print row-normalised values (recall per true class) instead of counts
     * @param title      drawn above the matrix; may be null
     */
    public void writePng(Path file, boolean normalised, String title) throws IOException {
        BufferedImage img = renderImage(normalised, title);
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available");
            }
            PredictionsWriter.moveAtomically(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The heatmap as an image (see {@link #writePng}). */
    public BufferedImage renderImage(boolean normalised, String title) {
        System.setProperty("java.awt.headless", "true");
        final int k = counts.length;
        final double[][] norm = normalised();
        long max = 0;
        for (long[] row : counts) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        final long maxCount = max;

        // Geometry: the matrix side grows with k (18 + 160/k pixels a cell).
        final int cell = Math.max(16, (int) Math.round(18 + 160.0 / k));
        final int side = cell * k;
        final float labelSize = (float) Math.max(9, Math.min(15, cell * 0.55));
        final float valueSizeMax = (float) Math.max(7, Math.min(18, cell * 0.42));
        final Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(labelSize));
        final Font axisFont = new Font(Font.SANS_SERIF, Font.BOLD, 13);
        final Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 16);
        final Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        final int maxLabelChars = 24;

        // measure text on a scratch image
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        FontMetrics lfm = sg.getFontMetrics(labelFont);
        FontMetrics afm = sg.getFontMetrics(axisFont);
        FontMetrics tfm = sg.getFontMetrics(titleFont);
        FontMetrics kfm = sg.getFontMetrics(tickFont);
        String[] names = new String[k];
        int maxNameW = 0;
        for (int i = 0; i < k; i++) {
            names[i] = abbreviate(labelNames.get(i), maxLabelChars);
            maxNameW = Math.max(maxNameW, lfm.stringWidth(names[i]));
        }
        String[] ticks = colourScaleTicks(normalised, maxCount);
        int maxTickW = 0;
        for (String t : ticks) {
            maxTickW = Math.max(maxTickW, kfm.stringWidth(t));
        }
        sg.dispose();

        final double diag = Math.sqrt(0.5);
        final int pad = 14;
        final int titleH = (title == null || title.isBlank()) ? 0 : tfm.getHeight() + 10;
        final int left = pad + afm.getHeight() + 8 + maxNameW + 8;
        final int top = pad + titleH;
        // x labels are horizontal when every name fits under its column, else rotated 45 degrees
        final boolean rotateX = maxNameW > cell - 4;
        final int xLabelDrop = rotateX ? (int) Math.ceil(maxNameW * diag + lfm.getAscent() * diag) + 10
                : lfm.getHeight() + 8;
        final int bottom = xLabelDrop + afm.getHeight() + pad;
        final int barGap = 16;
        final int barW = 16;
        final int right = barGap + barW + 6 + maxTickW + pad;
        int width = left + side + right;
        int height = top + side + bottom;
        int titleW = titleH == 0 ? 0 : tfm.stringWidth(title) + 2 * pad;
        int shift = 0;
        if (titleW > width) {
            shift = (titleW - width) / 2;
            width = titleW;
        }
        final int x0 = left + shift;
        final int y0 = top;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);

            if (titleH > 0) {
                g.setFont(titleFont);
                g.setColor(Color.BLACK);
                int tw = tfm.stringWidth(title);
                int tx = x0 + (side - tw) / 2; // centred over the matrix, kept inside the image
                tx = Math.max(pad, Math.min(width - pad - tw, tx));
                g.drawString(title, tx, pad + tfm.getAscent());
            }

            // cells: the value text is fitted to the cell
            String[][] text = new String[k][k];
            double[][] shade = new double[k][k];
            int widest = 1;
            for (int t = 0; t < k; t++) {
                for (int p = 0; p < k; p++) {
                    shade[t][p] = normalised ? norm[t][p]
                            : (maxCount == 0 ? 0 : (double) counts[t][p] / maxCount);
                    text[t][p] = normalised ? NpMath.fixed(norm[t][p], 2) : Long.toString(counts[t][p]);
                    if (normalised && k > 12) {
                        // small cells: "0.59" -> ".59", "1.00" -> "1", "0.00" -> "0"
                        text[t][p] = compactFraction(norm[t][p]);
                    }
                }
            }
            float valueSize = valueSizeMax;
            Font valueFont = new Font(Font.SANS_SERIF, Font.PLAIN, 10).deriveFont(valueSize);
            FontMetrics vfm = g.getFontMetrics(valueFont);
            for (int t = 0; t < k; t++) {
                for (int p = 0; p < k; p++) {
                    widest = Math.max(widest, vfm.stringWidth(text[t][p]));
                }
            }
            while (widest > cell - 3 && valueSize > 6f) {
                valueSize -= 0.5f;
                valueFont = valueFont.deriveFont(valueSize);
                vfm = g.getFontMetrics(valueFont);
                widest = 1;
                for (int t = 0; t < k; t++) {
                    for (int p = 0; p < k; p++) {
                        widest = Math.max(widest, vfm.stringWidth(text[t][p]));
                    }
                }
            }
            g.setFont(valueFont);
            for (int t = 0; t < k; t++) {
                for (int p = 0; p < k; p++) {
                    int cx = x0 + p * cell;
                    int cy = y0 + t * cell;
                    g.setColor(blues(shade[t][p]));
                    g.fillRect(cx, cy, cell, cell);
                    boolean zero = counts[t][p] == 0;
                    g.setColor(zero ? new Color(0xb0b0b0) : (shade[t][p] > 0.5 ? Color.WHITE : Color.BLACK));
                    String s = text[t][p];
                    g.drawString(s, cx + (cell - vfm.stringWidth(s)) / 2f,
                            cy + (cell - vfm.getHeight()) / 2f + vfm.getAscent());
                }
            }
            // light grid for many classes, frame around the matrix; diagonal outlined
            g.setColor(new Color(255, 255, 255, 90));
            g.setStroke(new BasicStroke(1f));
            for (int i = 1; i < k; i++) {
                g.drawLine(x0 + i * cell, y0, x0 + i * cell, y0 + side);
                g.drawLine(x0, y0 + i * cell, x0 + side, y0 + i * cell);
            }
            g.setColor(new Color(0x404040));
            g.drawRect(x0, y0, side, side);

            // y labels (true classes), right-aligned next to the rows
            g.setFont(labelFont);
            g.setColor(Color.BLACK);
            for (int t = 0; t < k; t++) {
                int w = lfm.stringWidth(names[t]);
                g.drawString(names[t], x0 - 6 - w,
                        y0 + t * cell + (cell - lfm.getHeight()) / 2f + lfm.getAscent());
                g.drawLine(x0 - 3, y0 + t * cell + cell / 2, x0, y0 + t * cell + cell / 2);
            }
            // x labels (predicted classes), rotated -45 degrees, ending under the column centre
            for (int p = 0; p < k; p++) {
                int cxm = x0 + p * cell + cell / 2;
                g.drawLine(cxm, y0 + side, cxm, y0 + side + 3);
                if (!rotateX) {
                    g.drawString(names[p], cxm - lfm.stringWidth(names[p]) / 2f, y0 + side + 5 + lfm.getAscent());
                    continue;
                }
                AffineTransform saved = g.getTransform();
                g.translate(cxm, y0 + side + 6);
                g.rotate(-Math.PI / 4);
                int w = lfm.stringWidth(names[p]);
                g.drawString(names[p], -w + lfm.getAscent() * 0.35f, lfm.getAscent() * 0.7f);
                g.setTransform(saved);
            }
            // axis titles
            g.setFont(axisFont);
            String xt = "Predicted label";
            g.drawString(xt, x0 + (side - afm.stringWidth(xt)) / 2f, y0 + side + xLabelDrop + afm.getAscent());
            String yt = "True label";
            AffineTransform saved = g.getTransform();
            g.translate(shift + pad + afm.getAscent(), y0 + (side + afm.stringWidth(yt)) / 2.0);
            g.rotate(-Math.PI / 2);
            g.drawString(yt, 0, 0);
            g.setTransform(saved);

            // colour scale
            int bx = x0 + side + barGap;
            for (int y = 0; y < side; y++) {
                g.setColor(blues(1.0 - (double) y / Math.max(1, side - 1)));
                g.drawLine(bx, y0 + y, bx + barW, y0 + y);
            }
            g.setColor(new Color(0x404040));
            g.drawRect(bx, y0, barW, side);
            g.setFont(tickFont);
            for (int i = 0; i < ticks.length; i++) {
                double frac = (double) i / (ticks.length - 1);
                int ty = (int) Math.round(y0 + side - frac * side);
                g.setColor(new Color(0x404040));
                g.drawLine(bx + barW, ty, bx + barW + 3, ty);
                g.setColor(Color.BLACK);
                g.drawString(ticks[i], bx + barW + 6, ty + kfm.getAscent() / 2f - 1);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static String[] colourScaleTicks(boolean normalised, long maxCount) {
        String[] t = new String[5];
        for (int i = 0; i < 5; i++) {
            double f = i / 4.0;
            t[i] = normalised ? NpMath.fixed(f, 2)
                    : (maxCount < 4 && i % 2 == 1 && maxCount > 0 ? NpMath.fixed(f * maxCount, 1)
                    : Long.toString(Math.round(f * maxCount)));
        }
        return t;
    }

    private static String compactFraction(double v) {
        if (v >= 0.995) {
            return "1";
        }
        String s = NpMath.fixed(v, 2);
        if (s.equals("0.00")) {
            return "0";
        }
        return s.startsWith("0") ? s.substring(1) : s;
    }

    private static String abbreviate(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        int end = s.offsetByCodePoints(0, max - 1);
        return s.substring(0, end) + "\u2026";
    }
}
