package io.finetune4j.framework.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Checks on what {@link ChartFiles} writes: a decodable PNG and a well-formed SVG of the same size beside it. */
public final class PlotAssertions {

    private PlotAssertions() {
    }

    /**
     * The PNG decodes, at least {@code minWidth} x {@code minHeight}; the SVG beside it passes
     * {@link #assertSvgBeside}.
     */
    public static BufferedImage assertPngAndSvg(Path png, int minWidth, int minHeight, String... texts)
            throws Exception {
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8),
                png + ": PNG signature");
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " is not a readable PNG");
        assertTrue(img.getWidth() >= minWidth && img.getHeight() >= minHeight,
                png + ": " + img.getWidth() + "x" + img.getHeight());
        assertSvgBeside(png, texts);
        return img;
    }

    /**
     * The SVG beside {@code png} parses as XML (no DTD fetched), is an {@code <svg>} of the PNG's size with drawn
     * content, and its {@code <title>} and {@code <desc>} hold every one of {@code texts}.
     */
    public static Document assertSvgBeside(Path png, String... texts) throws Exception {
        Path svg = ChartFiles.svgFile(png);
        assertTrue(Files.isRegularFile(svg), svg + " missing");
        Document doc = parse(svg);
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName(), svg + ": root element");
        assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI(), svg + ": namespace");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(img.getWidth() + "px", root.getAttribute("width"), svg + ": width");
        assertEquals(img.getHeight() + "px", root.getAttribute("height"), svg + ": height");
        int drawn = 0;
        for (String tag : new String[]{"path", "rect", "text", "line", "polyline", "polygon", "image"}) {
            drawn += doc.getElementsByTagNameNS("*", tag).getLength();
        }
        assertTrue(drawn >= 10, svg + ": hardly anything drawn (" + drawn + " shapes)");
        String meta = text(doc, "title") + "\n" + text(doc, "desc");
        for (String t : texts) assertTrue(meta.contains(t), svg + ": '" + t + "' not in title/desc: " + meta);
        return doc;
    }

    static Document parse(Path svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        try {
            return f.newDocumentBuilder().parse(svg.toFile());
        } catch (IOException e) {
            throw new AssertionError(svg + ": " + e, e);
        }
    }

    private static String text(Document doc, String tag) {
        var nodes = doc.getElementsByTagNameNS("*", tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent();
    }
}
