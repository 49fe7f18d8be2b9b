package io.finetune4j.framework.analysis;

import io.finetune4j.framework.io.TextTable;
import io.finetune4j.framework.io.Ordered;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.model.TextClassifier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * User-written edge cases (negation, sarcasm, mixed sentiment, ...) with their expected labels, scored with a
 * trained model; accuracy overall and per tag.
 */
public final class EdgeCases {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One case; {@code tag} groups cases (null: "untagged"). */
    public record Case(String text, String label, String tag) {
        public String tagOrDefault() {
            return tag == null || tag.isBlank() ? "untagged" : tag;
        }
    }

    /** A scored case. */
    public record Scored(Case edgeCase, String predicted, double confidence) {
        public boolean correct() {
            return edgeCase.label().equals(predicted);
        }
    }

    private EdgeCases() {
    }

    /** A JSONL file of {@code {"text": ..., "label": ..., "tag": ...}} lines (blank lines skipped). */
    public static List<Case> readJsonl(Path file) throws IOException {
        List<Case> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i);
            if (s.isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(s);
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a JSON object: " + e.getMessage().lines().findFirst().orElse(""));
            }
            if (!n.isObject() || !n.path("text").isTextual() || !n.path("label").isTextual()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": an edge case needs \"text\" and "
                        + "\"label\" strings (and optionally \"tag\")");
            }
            out.add(new Case(n.get("text").asText(), n.get("label").asText(),
                    n.path("tag").isTextual() ? n.get("tag").asText() : null));
        }
        return out;
    }

    /** Scores {@code cases}; every expected label must be one of the model's. */
    public static List<Scored> score(TextClassifier model, List<Case> cases, int maxLength) {
        List<String> labels = model.head().labels();
        for (Case c : cases) {
            if (!labels.contains(c.label())) {
                throw new IllegalArgumentException("edge case \"" + ErrorAnalysis.shorten(c.text(), 40)
                        + "\": label '" + c.label() + "' is not one of the model's labels " + labels);
            }
        }
        List<String> texts = cases.stream().map(Case::text).toList();
        double[][] p = texts.isEmpty() ? new double[0][] : model.predict(texts, null, maxLength, 32);
        List<Scored> out = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            int b = 0;
            for (int j = 1; j < p[i].length; j++) if (p[i][j] > p[i][b]) b = j;
            out.add(new Scored(cases.get(i), labels.get(b), p[i][b]));
        }
        return out;
    }

    /** Tag → {correct, total}, in first-seen order, with "all" last. */
    public static Map<String, int[]> byTag(List<Scored> scored) {
        Map<String, int[]> m = new LinkedHashMap<>();
        int[] all = new int[2];
        for (Scored s : scored) {
            int[] c = m.computeIfAbsent(s.edgeCase().tagOrDefault(), k -> new int[2]);
            if (s.correct()) {
                c[0]++;
                all[0]++;
            }
            c[1]++;
            all[1]++;
        }
        m.put("all", all);
        return m;
    }

    /** The markdown section of {@code errors.md}. */
    public static String markdown(List<Scored> scored) {
        StringBuilder sb = new StringBuilder("## Edge cases\n\n");
        TextTable tags = TextTable.numbers(List.of("tag", "correct", "total", "accuracy"));
        for (Map.Entry<String, int[]> e : byTag(scored).entrySet()) {
            int[] c = e.getValue();
            tags.row(e.getKey(), Integer.toString(c[0]), Integer.toString(c[1]),
                    c[1] == 0 ? "-" : String.format(Locale.ROOT, "%.4f", (double) c[0] / c[1]));
        }
        sb.append(tags.markdown()).append('\n');
        TextTable cases = new TextTable(List.of("ok", "tag", "expected", "predicted", "confidence", "text"),
                false, false, false, false, true, false);
        for (Scored s : scored) {
            cases.row(s.correct() ? "yes" : "**no**", s.edgeCase().tagOrDefault(), s.edgeCase().label(), s.predicted(),
                    String.format(Locale.ROOT, "%.4f", s.confidence()), ErrorAnalysis.shorten(s.edgeCase().text(), 160));
        }
        sb.append(cases.markdown());
        sb.append('\n');
        return sb.toString();
    }

    /** A JSON-ready summary: accuracy per tag. */
    public static Map<String, Object> toMap(List<Scored> scored) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : byTag(scored).entrySet()) {
            int[] c = e.getValue();
            m.put(e.getKey(), Ordered.map("correct", c[0], "total", c[1], "accuracy", c[1] == 0 ? 0.0 : (double) c[0] / c[1]));
        }
        return m;
    }
}
