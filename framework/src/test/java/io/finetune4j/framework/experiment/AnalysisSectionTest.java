package io.finetune4j.framework.experiment;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalysisSectionTest {
    private static final String HEAD = """
            name: t
            dataset: {path: data.jsonl}
            model: {backbone: all-MiniLM-L6-v2}
            """;

    private static ExperimentFile parse(String analysis) {
        return ExperimentFile.parse(Path.of("x.yaml"), HEAD + analysis).experiment();
    }

    private static String error(String analysis) {
        return assertThrows(ExperimentException.class, () -> parse(analysis)).getMessage();
    }

    @Test
    void readsTheSection() throws Exception {
        ExperimentFile ef = parse("""
                analysis:
                  abstention: {target_accuracy: 0.8}
                  error_analysis: {top: 5, confidence: 0.95}
                  edge_cases:
                    - {text: "not bad at all", label: pos, tag: negation}
                    - {text: "oh great, another sequel", label: neg}
                  two_stage: {pair: [noun.act, noun.event], normalise: true}
                """);
        AnalysisSection a = ef.analysis();
        assertEquals(0.8, a.abstention().targetAccuracy());
        assertEquals(List.of("noun.act", "noun.event"), a.twoStage().pairList());
        assertTrue(a.perTrial());
        var s = a.settings(Path.of("."));
        assertEquals(5, s.top());
        assertEquals(0.95, s.confidence());
        assertEquals(2, s.edgeCases().size());
        assertEquals("untagged", s.edgeCases().get(1).tagOrDefault());
        assertNull(parse("analysis: {two_stage: {pair: auto}}\n").analysis().twoStage().pairList());
        assertNull(parse("").analysis(), "no section: no analyses");
    }

    @Test
    void errorsNameTheLine() {
        String m = error("analysis:\n  abstension: {}\n");
        assertTrue(m.startsWith("x.yaml:5:3: unknown key 'abstension' in analysis (known: ") && m.contains("abstention")
                && m.contains("two_stage"), m);
        m = error("analysis:\n  two_stage: {pair: [a, a]}\n");
        assertTrue(m.startsWith("x.yaml:5:") && m.contains("pair must be auto or a list of two different labels"), m);
        m = error("analysis:\n  two_stage:\n    pair: sometimes\n");
        assertTrue(m.startsWith("x.yaml:6:5:") && m.contains("'sometimes'"), m);
        m = error("analysis:\n  abstention:\n    target_accuracy: 1.5\n");
        assertTrue(m.startsWith("x.yaml:6:5: analysis.abstention.target_accuracy must be in (0, 1]"), m);
        m = error("analysis:\n  edge_cases:\n    - {text: hi}\n");
        assertTrue(m.startsWith("x.yaml:6:") && m.contains("needs a label"), m);
        m = error("analysis:\n  edge_cases_file: nowhere.jsonl\n");
        assertTrue(m.startsWith("x.yaml:5:3:") && m.contains("no such file"), m);
        m = error("analysis:\n  error_analysis: {top: many}\n");
        assertTrue(m.startsWith("x.yaml:5:") && m.contains("expected an integer"), m);
    }
}
