package io.finetune4j.framework.analysis;

import io.finetune4j.framework.io.Files2;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.finetune4j.framework.eval.PredictionRecord;
import io.finetune4j.framework.eval.PredictionsWriter;
import io.finetune4j.framework.model.TextClassifier;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The analyses of one finished run folder (a {@code train} output or an experiment trial): abstention
 * ({@code abstention.txt}, {@code abstention.png}), error analysis ({@code errors.md},
 * {@code error_rate_by_length.png}) with optional edge cases scored by the saved {@code model/}, and
 * {@code analysis.json} with the numbers. Reads {@code predictions.jsonl} (test), {@code validation_predictions.jsonl}
 * when the run had a validation set (the abstention threshold is chosen there), and {@code metrics.json} (max length).
 */
public final class RunAnalysis {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String VALIDATION_PREDICTIONS = "validation_predictions.jsonl";

    /** What to run; null edge cases: none. */
    public record Settings(boolean abstention, double targetAccuracy, boolean errors, int top, double confidence,
                           List<EdgeCases.Case> edgeCases) {
        public static Settings defaults() {
            return new Settings(true, 0.9, true, 10, 0.9, null);
        }

        public Settings {
            if (!(targetAccuracy > 0 && targetAccuracy <= 1)) {
                throw new IllegalArgumentException("target accuracy must be in (0, 1], not " + targetAccuracy);
            }
            if (top < 1) throw new IllegalArgumentException("--top must be >= 1, not " + top);
            if (!(confidence >= 0 && confidence <= 1)) {
                throw new IllegalArgumentException("--confidence must be in [0, 1], not " + confidence);
            }
        }
    }

    private RunAnalysis() {
    }

    /** Runs the analyses on {@code dir}; a one-line summary per analysis goes to {@code out}. */
    public static Map<String, Object> analyze(Path dir, Settings s, PrintWriter out) throws IOException {
        Path predFile = dir.resolve("predictions.jsonl");
        if (!Files.isRegularFile(predFile)) {
            throw new IllegalArgumentException(dir + ": no predictions.jsonl (not a finished finetune4j run folder)");
        }
        List<PredictionRecord> test = PredictionsWriter.readJsonl(predFile);
        if (test.isEmpty()) throw new IllegalArgumentException(predFile + ": no predictions");
        boolean multi = test.stream().anyMatch(r -> r.predictedLabels().size() != 1);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run", dir.toString());

        if (s.abstention()) {
            if (multi) {
                out.println("finetune4j: abstention skipped: multi-label predictions");
            } else {
                Abstention t = Abstention.of(test);
                Path valFile = dir.resolve(VALIDATION_PREDICTIONS);
                Abstention cal;
                String calName;
                Abstention evalSet = t;
                if (Files.isRegularFile(valFile)) {
                    cal = Abstention.of(PredictionsWriter.readJsonl(valFile));
                    calName = "the validation set";
                } else {
                    Abstention[] h = t.halves();
                    cal = h[0];
                    evalSet = h[1];
                    calName = "the even-indexed half of the test set (no validation set; test figures: the other half)";
                }
                String report = Abstention.report(evalSet, cal, calName, s.targetAccuracy());
                if (evalSet != t) {
                    report = Abstention.report(t, t, "the whole test set", s.targetAccuracy())
                            + "\n" + Abstention.report(evalSet, cal, calName, s.targetAccuracy());
                }
                write(dir.resolve("abstention.txt"), report);
                t.writeCurvePng(dir.resolve("abstention.png"));
                result.put("abstention", Abstention.toMap(evalSet, cal, calName, s.targetAccuracy()));
                Abstention.Choice c = cal.choose(Abstention.Rule.MARGIN, s.targetAccuracy(), evalSet);
                out.println(String.format(Locale.ROOT, "finetune4j: abstention: margin threshold %.4f for accuracy "
                                + "%.2f on %s -> test coverage %.4f, accuracy %s -> %s", c.threshold(), s.targetAccuracy(),
                        Files.isRegularFile(valFile) ? "validation" : "half the test set", c.evaluation().coverage(),
                        Abstention.fmt(c.evaluation().accuracy()), dir.resolve("abstention.txt")));
            }
        }

        if (s.errors()) {
            ErrorAnalysis ea = new ErrorAnalysis(test);
            int[] edges = ea.quantileEdges(5);
            String edgeSection = null;
            if (s.edgeCases() != null && !s.edgeCases().isEmpty()) {
                Path modelDir = dir.resolve("model");
                if (!Files.isDirectory(modelDir)) {
                    throw new IllegalArgumentException(dir + ": no model/ folder to score the edge cases with");
                }
                TextClassifier model = TextClassifier.load(modelDir);
                List<EdgeCases.Scored> scored = EdgeCases.score(model, s.edgeCases(), maxLength(dir));
                edgeSection = EdgeCases.markdown(scored);
                result.put("edge_cases", EdgeCases.toMap(scored));
                int[] all = EdgeCases.byTag(scored).get("all");
                out.println("finetune4j: edge cases: " + all[0] + "/" + all[1] + " right");
            }
            write(dir.resolve("errors.md"), ea.markdown(s.top(), s.confidence(), edges, edgeSection));
            ErrorAnalysis.writeLengthPng(dir.resolve("error_rate_by_length.png"), ea.byLength(edges),
                    "Error rate by length (" + ea.records().size() + " test examples)");
            result.put("errors", ea.toMap(s.confidence(), edges));
            out.println(String.format(Locale.ROOT, "finetune4j: errors: %d of %d, %d with confidence >= %.2f -> %s",
                    ea.errorCount(), ea.records().size(), ea.confidentErrors(s.confidence()).size(), s.confidence(),
                    dir.resolve("errors.md")));
        }
        write(dir.resolve("analysis.json"), JSON.writeValueAsString(result));
        out.flush();
        return result;
    }

    /** The run's max length (metrics.json config), else 128. */
    static int maxLength(Path dir) {
        Path m = dir.resolve("metrics.json");
        try {
            if (Files.isRegularFile(m)) {
                JsonNode n = JSON.readTree(m.toFile()).path("config").path("max_length");
                if (n.canConvertToInt() && n.asInt() > 0) return n.asInt();
            }
        } catch (IOException ignored) {
            // fall back
        }
        return 128;
    }

    static void write(Path file, String text) throws IOException {
        Files2.writeAtomically(file, text);
    }
}
