package io.finetune4j.framework.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class ChartFilesTest {

    private static XYChart line(String title) {
        XyChart p = new XyChart(title, "fraction", "train seconds");
        p.add("mean", new double[]{0.1, 0.5, 1}, new double[]{10, 50, 100}, XyChart.Style.LINE_AND_POINTS);
        return p.chart();
    }

    @Test
    void svgBesideThePng() {
        assertEquals(Path.of("a/b.svg"), ChartFiles.svgFile(Path.of("a/b.png")));
        assertEquals(Path.of("c.svg"), ChartFiles.svgFile(Path.of("c.PNG")));
    }

    @Test
    void panelsSideBySideInOnePngAndOneSvg(@TempDir Path dir) throws Exception {
        XYChart left = line("train seconds vs fraction");
        XYChart right = line("test accuracy vs fraction");
        Path png = dir.resolve("sub/time_vs_fraction.png");
        ChartFiles.write(List.of(left, right), png);
        BufferedImage img = PlotAssertions.assertPngAndSvg(png, 1200, 440,
                "train seconds vs fraction | test accuracy vs fraction", "x axis: fraction; y axis: train seconds");
        assertEquals(left.getWidth() + right.getWidth(), img.getWidth());
        assertEquals(Math.max(left.getHeight(), right.getHeight()), img.getHeight());
        assertEquals("true", System.getProperty("java.awt.headless"));
    }

    @Test
    void replacesOldFilesAndLeavesNoTemporaryOnes(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("p.png");
        Files.writeString(png, "old");
        Files.writeString(ChartFiles.svgFile(png), "old");
        ChartFiles.write(line("new & <escaped>"), png);
        PlotAssertions.assertPngAndSvg(png, 640, 440, "new & <escaped>");
        String svg = Files.readString(ChartFiles.svgFile(png));
        assertFalse(svg.contains("<!DOCTYPE"), "no DTD to fetch");
        assertTrue(svg.contains("<title>new &amp; &lt;escaped&gt;</title>"), svg.substring(0, 400));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("p.png", "p.svg"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void nothingToWrite(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> ChartFiles.write(List.of(), dir.resolve("x.png")));
    }
}
