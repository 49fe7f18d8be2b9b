package io.finetune4j.framework.plot;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import io.finetune4j.framework.io.Files2;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes charts as a PNG and an SVG beside it (same name, {@code .svg}), each atomically. Several charts are drawn
 * side by side as panels of one image. Rendering is headless.
 *
 * <p>XChart draws its text as outlines, so the SVG looks the same without the fonts; its {@code <title>} and
 * {@code <desc>} carry the chart titles and axis titles as text.
 */
public final class ChartFiles {

    private ChartFiles() {
    }

    /** Writes {@code pngFile} and the SVG beside it. */
    public static void write(Chart<?, ?> chart, Path pngFile) throws IOException {
        write(List.of(chart), pngFile);
    }

    /** Writes the panels side by side, left to right, into {@code pngFile} and the SVG beside it. */
    public static void write(List<? extends Chart<?, ?>> panels, Path pngFile) throws IOException {
        if (panels.isEmpty()) throw new IllegalArgumentException("no chart to write");
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        int width = 0;
        int height = 0;
        for (Chart<?, ?> c : panels) {
            width += c.getWidth();
            height = Math.max(height, c.getHeight());
        }

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        paint(g, panels, width, height);
        g.dispose();

        VectorGraphics2D vg = new VectorGraphics2D();
        paint(vg, panels, width, height);
        vg.dispose();
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        new SVGProcessor().getDocument(vg.getCommands(), new PageSize(0, 0, width, height)).writeTo(svg);
        byte[] svgBytes = withTitle(svg.toString(StandardCharsets.UTF_8), panels).getBytes(StandardCharsets.UTF_8);

        Files2.writeAtomically(pngFile, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer available");
        });
        Files2.writeAtomically(svgFile(pngFile), svgBytes);
    }

    /** The SVG beside a PNG: {@code a/b.png} gives {@code a/b.svg}. */
    public static Path svgFile(Path pngFile) {
        String name = pngFile.getFileName().toString();
        String base = name.toLowerCase(java.util.Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4)
                : name;
        return pngFile.resolveSibling(base + ".svg");
    }

    private static void paint(Graphics2D g, List<? extends Chart<?, ?>> panels, int width, int height) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int x = 0;
        for (Chart<?, ?> c : panels) {
            Graphics2D pg = (Graphics2D) g.create(x, 0, c.getWidth(), c.getHeight());
            c.paint(pg, c.getWidth(), c.getHeight());
            pg.dispose();
            x += c.getWidth();
        }
    }

    /**
     * The SVG with a {@code <title>} (the chart titles) and a {@code <desc>} (the axis titles) as the first children
     * of the root, and without the DOCTYPE (its DTD address makes XML parsers go online).
     */
    static String withTitle(String svg, List<? extends Chart<?, ?>> panels) {
        List<String> titles = new ArrayList<>();
        List<String> axes = new ArrayList<>();
        for (Chart<?, ?> c : panels) {
            if (!blank(c.getTitle())) titles.add(c.getTitle());
            List<String> a = new ArrayList<>();
            if (!blank(c.getXAxisTitle())) a.add("x axis: " + c.getXAxisTitle());
            if (!blank(c.getYAxisTitle())) a.add("y axis: " + c.getYAxisTitle());
            if (!a.isEmpty()) axes.add(String.join("; ", a));
        }
        String s = svg.replaceFirst("<!DOCTYPE[^>]*>\\s*", "");
        int root = s.indexOf("<svg");
        int end = root < 0 ? -1 : s.indexOf('>', root);
        if (end < 0) throw new IllegalStateException("not an SVG document");
        String meta = "\n  <title>" + xml(String.join(" | ", titles)) + "</title>\n  <desc>"
                + xml(String.join(" | ", axes)) + "</desc>";
        return s.substring(0, end + 1) + meta + s.substring(end + 1);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
