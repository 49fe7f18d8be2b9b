package io.finetune4j.framework.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finetune4j.framework.plot.PlotAssertions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfusionMatrixTest {

    private static final List<String> NAMES = List.of("cat", "dog", "hamster");

    private static ConfusionMatrix small() {
        int[] y = {0, 0, 0, 1, 1, 2, 2, 2, 2, 0};
        int[] p = {0, 1, 0, 1, 1, 2, 0, 2, 2, 0};
        return ConfusionMatrix.of(y, p, NAMES);
    }

    @Test
    void countsAndNormalisedRows() {
        ConfusionMatrix cm = small();
        assertArrayEquals(new long[] {3, 1, 0}, cm.counts()[0]);
        assertArrayEquals(new long[] {0, 2, 0}, cm.counts()[1]);
        assertArrayEquals(new long[] {1, 0, 3}, cm.counts()[2]);
        assertArrayEquals(new double[] {0.75, 0.25, 0.0}, cm.normalised()[0], 0);
        assertArrayEquals(new double[] {0.25, 0.0, 0.75}, cm.normalised()[2], 0);
        // a class with no examples has a zero row
        ConfusionMatrix empty = ConfusionMatrix.of(new int[] {0}, new int[] {1}, NAMES);
        assertArrayEquals(new double[] {0, 0, 0}, empty.normalised()[2], 0);
    }

    @Test
    void tables() {
        ConfusionMatrix cm = small();
        assertEquals(""
                + "true \\ pred  cat  dog  hamster\n"
                + "cat            3    1        0\n"
                + "dog            0    2        0\n"
                + "hamster        1    0        3\n", cm.formatTable(false));
        assertEquals(""
                + "true \\ pred   cat   dog  hamster\n"
                + "cat          0.75  0.25     0.00\n"
                + "dog          0.00  1.00     0.00\n"
                + "hamster      0.25  0.00     0.75\n", cm.formatTable(true));
    }

    @Test
    void rejectsOutOfRangeLabels() {
        assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrix.of(new int[] {0, 3}, new int[] {0, 1}, NAMES));
        assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrix.of(new int[] {0}, new int[] {0, 1}, NAMES));
    }

    static ConfusionMatrix random(int k, long seed) {
        Random rnd = new Random(seed);
        int n = 40 * k;
        int[] y = new int[n];
        int[] p = new int[n];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            names.add(c == 3 ? "a_rather_long_class_name_with_many_characters" : "class_" + c);
        }
        for (int i = 0; i < n; i++) {
            y[i] = (int) Math.min(k - 1, Math.abs(rnd.nextGaussian()) * k / 2.5);
            p[i] = rnd.nextDouble() < 0.6 ? y[i] : rnd.nextInt(k);
        }
        return ConfusionMatrix.of(y, p, names);
    }

    @Test
    void writesAValidPngThatGrowsWithTheNumberOfClasses(@TempDir Path dir) throws Exception {
        int previousW = 0;
        int previousH = 0;
        for (int k : new int[] {2, 3, 5, 10, 20, 40}) {
            ConfusionMatrix cm = random(k, k);
            for (boolean norm : new boolean[] {false, true}) {
                Path png = dir.resolve("sub/cm-" + k + (norm ? "-norm" : "") + ".png");
                cm.writePng(png, norm, "Confusion matrix (" + k + " classes)");
                byte[] bytes = Files.readAllBytes(png);
                assertTrue(bytes.length > 100);
                assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
                        java.util.Arrays.copyOf(bytes, 8), "PNG signature");
                BufferedImage img = ImageIO.read(png.toFile());
                assertNotNull(img);
                PlotAssertions.assertSvgBeside(png, "Confusion matrix (" + k + " classes)", "Predicted label",
                        "True label");
                if (!norm) {
                    assertTrue(img.getWidth() > previousW, k + " classes: width " + img.getWidth());
                    assertTrue(img.getHeight() > previousH, k + " classes: height " + img.getHeight());
                    previousW = img.getWidth();
                    previousH = img.getHeight();
                }
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve("sub"))) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "temp files left");
        }
        assertEquals("true", System.getProperty("java.awt.headless"));
    }

    /** Writes example images to target/eval-png for a human look ({@code -Deval.png.dir=...}). */
    @Test
    void writeExamplesForInspection() throws IOException {
        Path out = Path.of(System.getProperty("eval.png.dir", "target/eval-png"));
        for (int k : new int[] {2, 10, 40}) {
            random(k, 7).writePng(out.resolve("cm-" + k + ".png"), false, "Confusion matrix, " + k + " classes");
            random(k, 7).writePng(out.resolve("cm-" + k + "-norm.png"), true, "Normalised, " + k + " classes");
        }
        assertTrue(Files.exists(out.resolve("cm-40.png")));
    }
}
