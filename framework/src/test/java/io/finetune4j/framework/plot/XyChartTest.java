package io.finetune4j.framework.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class XyChartTest {

    private static boolean hasColour(BufferedImage img, int rgb) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == rgb) return true;
        }
        return false;
    }

    @Test
    void multiSeriesOnALogAxis(@TempDir Path dir) throws Exception {
        XyChart plot = new XyChart("test accuracy vs learning_rate (dots: seeds, line: mean)",
                "learning_rate (log scale)", "test accuracy").logX(true).dataTicks(true);
        double[] lr = {1e-5, 2e-5, 5e-5};
        for (int len = 0; len < 3; len++) {
            double[] mean = {0.70 + 0.02 * len, 0.74 + 0.02 * len, 0.78 + 0.02 * len};
            int c = plot.add("max_length=" + (32 << len), lr, mean, XyChart.Style.LINE_AND_POINTS);
            double[] seedsX = {1e-5, 1e-5, 2e-5, 2e-5, 5e-5, 5e-5, 0, Double.NaN};   // x <= 0 and NaN left out
            double[] seedsY = {mean[0] - 0.01, mean[0] + 0.01, mean[1] - 0.01, mean[1] + 0.01, mean[2] - 0.01,
                    mean[2] + 0.01, 0.5, 0.5};
            assertEquals(c, plot.add(null, seedsX, seedsY, XyChart.Style.POINTS, c));
        }
        XYChart chart = plot.chart();
        assertTrue(chart.getStyler().isXAxisLogarithmic());
        assertEquals(6, chart.getSeriesMap().size(), "3 means, 3 seed series");
        Path png = dir.resolve("metric_vs_learning_rate.png");
        ChartFiles.write(chart, png);
        BufferedImage img = PlotAssertions.assertPngAndSvg(png, 640, 440,
                "test accuracy vs learning_rate (dots: seeds, line: mean)", "x axis: learning_rate (log scale)",
                "y axis: test accuracy");
        assertTrue(img.getWidth() > 640, "the legend adds width: " + img.getWidth());
        for (int i = 0; i < 3; i++) {
            int rgb = Palette.colour(i).getRGB() & 0xffffff;
            assertTrue(hasColour(img, rgb), "series " + i + " colour " + Integer.toHexString(rgb));
        }
    }

    @Test
    void noDataStillDrawsTheAxes(@TempDir Path dir) throws Exception {
        XyChart plot = new XyChart("empty", "coverage", "accuracy");
        plot.add("nothing", new double[]{Double.NaN}, new double[]{1}, XyChart.Style.LINE);
        Path png = dir.resolve("empty.png");
        ChartFiles.write(plot.chart(), png);
        PlotAssertions.assertPngAndSvg(png, 640, 440, "empty", "coverage", "accuracy");
    }

    @Test
    void rejectsSeriesOfUnequalLength() {
        XyChart plot = new XyChart("t", "x", "y");
        assertThrows(IllegalArgumentException.class,
                () -> plot.add("a", new double[]{1, 2}, new double[]{1}, XyChart.Style.POINTS));
    }

    @Test
    void tickLabelPatterns() {
        assertEquals("0.##", XyChart.decimalPattern(0.7, 0.85));
        assertEquals("0", XyChart.decimalPattern(10, 200));
        assertEquals("0.#", XyChart.decimalPattern(0, 1));
        assertEquals("0.##E0", XyChart.decimalPattern(1e-5, 5e-5));
    }
}
