package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Minimal placeholder: writes {@code summary.md}, a Markdown table of the finished trials sorted by the metric (best
 * first), and returns it. The fuller version (plots) replaces this file; the signature stays.
 */
public final class Summary {
    private Summary() {
    }

    public static String write(Path outputDir, List<JsonNode> resultLines, String sortMetric) throws IOException {
        Set<String> params = new LinkedHashSet<>();
        for (JsonNode r : resultLines) if (r.has("params")) r.get("params").fieldNames().forEachRemaining(params::add);
        params.remove("seed");
        List<JsonNode> rows = new ArrayList<>(resultLines);
        rows.sort(Comparator.comparingDouble((JsonNode r) -> -metric(r, sortMetric))
                .thenComparingInt(r -> r.path("trial").asInt()));
        StringBuilder sb = new StringBuilder();
        sb.append("| trial |");
        for (String p : params) sb.append(' ').append(p).append(" |");
        sb.append(" seed | ").append(sortMetric).append(" | train_seconds | samples/s |\n|---|");
        for (int i = 0; i < params.size(); i++) sb.append("---|");
        sb.append("---|---|---|---|\n");
        for (JsonNode r : rows) {
            sb.append("| ").append(r.path("trial").asInt()).append(" |");
            for (String p : params) sb.append(' ').append(r.path("params").path(p).asText("")).append(" |");
            double m = metric(r, sortMetric);
            sb.append(' ').append(r.path("seed").asText("")).append(" | ")
                    .append(Double.isNaN(m) ? "" : String.format(Locale.ROOT, "%.4f", m)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", r.path("train_seconds").asDouble())).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", r.path("train_samples_per_second").asDouble()))
                    .append(" |\n");
        }
        String table = sb.toString();
        Files.createDirectories(outputDir);
        Files.writeString(outputDir.resolve("summary.md"), table, StandardCharsets.UTF_8);
        return table;
    }

    private static double metric(JsonNode r, String name) {
        JsonNode v = r.path("test").path(name);
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }
}
