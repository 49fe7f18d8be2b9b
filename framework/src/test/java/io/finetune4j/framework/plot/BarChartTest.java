package io.finetune4j.framework.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;

class BarChartTest {

    @Test
    void barsWithErrorsAndDots(@TempDir Path dir) throws Exception {
        BarChart plot = new BarChart("test accuracy by backbone (bar: mean ± std, dots: trials)", "backbone",
                "test accuracy");
        plot.bar("all-MiniLM-L6-v2", 0.80, 0.02, new double[]{0.78, 0.80, 0.82});
        plot.bar("bge-small-en-v1.5", 0.84, 0.01, new double[]{0.83, 0.85});
        plot.bar("failed", Double.NaN, Double.NaN, new double[]{Double.NaN});
        CategoryChart chart = plot.chart();
        assertEquals(4, chart.getSeriesMap().size(), "bars + up to 3 dots per category");
        double yMin = chart.getStyler().getYAxisMin();
        assertTrue(yMin > 0.6 && yMin < 0.78, "the axis starts near the data: " + yMin);
        Path png = dir.resolve("metric_vs_backbone.png");
        ChartFiles.write(chart, png);
        PlotAssertions.assertPngAndSvg(png, 640, 440, "test accuracy by backbone (bar: mean ± std, dots: trials)",
                "backbone", "test accuracy");
    }

    @Test
    void errorRatesFromZero(@TempDir Path dir) throws Exception {
        BarChart plot = new BarChart("Error rate by length", "words (examples)", "error rate");
        plot.bar("0-12 (60)", 0.15, Double.NaN, new double[0]);
        plot.bar("13+ (60)", 0.0, Double.NaN, new double[0]);
        CategoryChart chart = plot.chart();
        assertEquals(0.0, chart.getStyler().getYAxisMin());
        Path png = dir.resolve("len.png");
        ChartFiles.write(chart, png);
        PlotAssertions.assertPngAndSvg(png, 640, 440, "Error rate by length");
    }

    @Test
    void noBars(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("none.png");
        ChartFiles.write(new BarChart("none", "x", "y").chart(), png);
        PlotAssertions.assertPngAndSvg(png, 640, 440, "none");
    }
}
