package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune4j.framework.analysis.EdgeCases;
import io.finetune4j.framework.analysis.RunAnalysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The optional {@code analysis:} section of an experiment file: analyses run on every trial after its training.
 *
 * <pre>
 * analysis:
 *   abstention: {target_accuracy: 0.9}          # abstention.txt / abstention.png per trial
 *   error_analysis: {top: 10, confidence: 0.9}  # errors.md / error_rate_by_length.png per trial
 *   edge_cases:                                 # scored with the trial's model, in errors.md
 *     - {text: "not bad at all", label: pos, tag: negation}
 *   edge_cases_file: edge-cases.jsonl           # or/and a JSONL file of the same objects (beside the YAML file)
 *   two_stage: {pair: auto, normalise: false}   # or pair: [noun.act, noun.event]; see TwoStage
 * </pre>
 * Error analysis runs when {@code error_analysis} or edge cases are given.
 */
public record AnalysisSection(Abstention abstention, ErrorAnalysis errorAnalysis, List<EdgeCase> edgeCases,
                              String edgeCasesFile, TwoStage twoStage) {

    public record Abstention(Double targetAccuracy) {
    }

    public record ErrorAnalysis(Integer top, Double confidence) {
    }

    public record EdgeCase(String text, String label, String tag) {
    }

    /** {@code pair}: {@code auto} or a list of two labels; {@code normalise}: rank pairs by support-normalised confusion. */
    public record TwoStage(JsonNode pair, Boolean normalise, Integer top) {
        /** The given pair, or null for auto. */
        public List<String> pairList() {
            if (pair == null || pair.isTextual()) return null;
            List<String> out = new ArrayList<>();
            pair.forEach(n -> out.add(n.asText()));
            return out;
        }
    }

    /** Whether any per-trial analysis (abstention, errors, edge cases) is asked for. */
    public boolean perTrial() {
        return abstention != null || errorAnalysis != null || (edgeCases != null && !edgeCases.isEmpty())
                || edgeCasesFile != null;
    }

    /** The settings of {@link RunAnalysis} ({@code folder}: where a relative edge-case file is). */
    public RunAnalysis.Settings settings(Path folder) throws IOException {
        List<EdgeCases.Case> cases = new ArrayList<>();
        if (edgeCases != null) for (EdgeCase c : edgeCases) cases.add(new EdgeCases.Case(c.text(), c.label(), c.tag()));
        if (edgeCasesFile != null) cases.addAll(EdgeCases.readJsonl(edgeCasesFile(folder)));
        boolean errors = errorAnalysis != null || !cases.isEmpty();
        return new RunAnalysis.Settings(abstention != null,
                abstention != null && abstention.targetAccuracy() != null ? abstention.targetAccuracy() : 0.9,
                errors, errorAnalysis != null && errorAnalysis.top() != null ? errorAnalysis.top() : 10,
                errorAnalysis != null && errorAnalysis.confidence() != null ? errorAnalysis.confidence() : 0.9,
                cases.isEmpty() ? null : cases);
    }

    Path edgeCasesFile(Path folder) {
        Path p = Path.of(edgeCasesFile);
        return p.isAbsolute() ? p : folder.resolve(p);
    }

    /** The checks typing does not do, located in the file. */
    static void check(ExperimentFile.Loaded l, AnalysisSection a) {
        if (a.abstention() != null && a.abstention().targetAccuracy() != null) {
            double t = a.abstention().targetAccuracy();
            if (!(t > 0 && t <= 1)) {
                throw l.error("/analysis/abstention/target_accuracy", "analysis.abstention.target_accuracy must be "
                        + "in (0, 1], not " + t);
            }
        }
        if (a.errorAnalysis() != null) {
            if (a.errorAnalysis().top() != null && a.errorAnalysis().top() < 1) {
                throw l.error("/analysis/error_analysis/top", "analysis.error_analysis.top must be >= 1");
            }
            Double c = a.errorAnalysis().confidence();
            if (c != null && !(c >= 0 && c <= 1)) {
                throw l.error("/analysis/error_analysis/confidence", "analysis.error_analysis.confidence must be in "
                        + "[0, 1], not " + c);
            }
        }
        if (a.edgeCases() != null) {
            for (int i = 0; i < a.edgeCases().size(); i++) {
                EdgeCase c = a.edgeCases().get(i);
                String p = "/analysis/edge_cases/" + i;
                if (c == null) throw l.error(p, "an empty edge case");
                if (c.text() == null || c.text().isBlank()) throw l.error(p, "edge case " + (i + 1) + " needs a text");
                if (c.label() == null || c.label().isBlank()) throw l.error(p, "edge case " + (i + 1) + " needs a label");
            }
        }
        if (a.edgeCasesFile() != null && !Files.isRegularFile(a.edgeCasesFile(l.folder()))) {
            throw l.error("/analysis/edge_cases_file", a.edgeCasesFile(l.folder()) + ": no such file");
        }
        if (a.twoStage() != null) {
            TwoStage t = a.twoStage();
            JsonNode p = t.pair();
            boolean ok = p == null || (p.isTextual() && p.asText().equals("auto"));
            if (p != null && p.isArray()) {
                ok = p.size() == 2 && p.get(0).isValueNode() && p.get(1).isValueNode() && !p.get(0).isNull()
                        && !p.get(1).isNull() && !p.get(0).asText().equals(p.get(1).asText());
            }
            if (!ok) {
                throw l.error("/analysis/two_stage/pair", "analysis.two_stage.pair must be auto or a list of two "
                        + "different labels, not " + YamlTree.kind(p));
            }
            if (t.top() != null && t.top() < 1) throw l.error("/analysis/two_stage/top", "analysis.two_stage.top must be >= 1");
            if (Boolean.TRUE.equals(l.experiment().dataset().multiLabel())) {
                throw l.error("/analysis/two_stage", "two-stage classification is for single-label data");
            }
        }
    }
}
