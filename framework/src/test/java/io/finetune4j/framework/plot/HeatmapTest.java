package io.finetune4j.framework.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.HeatMapChart;
import org.w3c.dom.Document;

class HeatmapTest {

    /** A k x k matrix of counts, mostly on the diagonal; class 3 has a long name. */
    static long[][] counts(int k, long seed) {
        Random rnd = new Random(seed);
        long[][] c = new long[k][k];
        for (int i = 0; i < 40 * k; i++) {
            int t = (int) Math.min(k - 1, Math.abs(rnd.nextGaussian()) * k / 2.5);
            int p = rnd.nextDouble() < 0.6 ? t : rnd.nextInt(k);
            c[t][p]++;
        }
        return c;
    }

    static List<String> names(int k) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) names.add(i == 3 ? "a_rather_long_class_name_with_many_characters" : "class_" + i);
        return names;
    }

    static double[][] rowNormalised(long[][] c) {
        double[][] n = new double[c.length][c.length];
        for (int t = 0; t < c.length; t++) {
            long sum = 0;
            for (long v : c[t]) sum += v;
            for (int p = 0; p < c.length; p++) n[t][p] = sum == 0 ? 0 : (double) c[t][p] / sum;
        }
        return n;
    }

    private static int pixels(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == rgb) n++;
        }
        return n;
    }

    @Test
    void coloursGoFromWhiteToDarkBlue() {
        assertEquals(0xf7fbff, Heatmap.BLUES[0].getRGB() & 0xffffff);
        assertEquals(0x08306b, Heatmap.BLUES[Heatmap.BLUES.length - 1].getRGB() & 0xffffff);
    }

    @Test
    void twoClassesCountsAndNormalised(@TempDir Path dir) throws Exception {
        long[][] c = {{45, 12}, {7, 16}};
        List<String> names = List.of("neg", "pos");
        Path counts = dir.resolve("confusion.png");
        ChartFiles.write(Heatmap.confusion(names, c, null, "Confusion matrix (counts)"), counts);
        BufferedImage img = PlotAssertions.assertPngAndSvg(counts, 300, 250, "Confusion matrix (counts)",
                "x axis: Predicted label", "y axis: True label");
        // the largest count's cell is the darkest blue, 98 x 98 pixels (18 + 160/2), less its number
        int dark = pixels(img, 0x08306b);
        assertTrue(dark > 80 * 80 && dark < 100 * 100, "darkest cell: " + dark + " pixels");
        assertTrue(pixels(img, 0xffffff) > 0);

        Path norm = dir.resolve("confusion_normalised.png");
        ChartFiles.write(Heatmap.confusion(names, c, rowNormalised(c), "Confusion matrix (row-normalised)"), norm);
        PlotAssertions.assertPngAndSvg(norm, 300, 250, "Confusion matrix (row-normalised)");
    }

    @Test
    void fortyClassesGrowTheImageAndPrintEveryCell(@TempDir Path dir) throws Exception {
        int k = 40;
        long[][] c = counts(k, 7);
        HeatMapChart chart = Heatmap.confusion(names(k), c, rowNormalised(c), "Normalised, 40 classes");
        Path png = dir.resolve("cm-40.png");
        ChartFiles.write(chart, png);
        // 22-pixel cells: the matrix alone is 880 pixels wide and high
        PlotAssertions.assertPngAndSvg(png, 900, 900, "Normalised, 40 classes", "Predicted label");
        Document svg = PlotAssertions.assertSvgBeside(png);
        assertEquals(k * k, svg.getElementsByTagNameNS("*", "text").getLength(), "one number per cell, as text");
    }

    @Test
    void anEmptyMatrixStillDraws(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("empty.png");
        ChartFiles.write(Heatmap.confusion(List.of("a", "b", "c"), new long[3][3], null, null), png);
        PlotAssertions.assertPngAndSvg(png, 200, 200, "Predicted label");
    }
}
