package io.finetune4j.cli;

import io.finetune4j.framework.analysis.EdgeCases;
import io.finetune4j.framework.analysis.RunAnalysis;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code finetune4j analyze RUN_DIR}: abstention and error analysis of a finished run (a {@code train} output folder
 * or an experiment trial folder), from its {@code predictions.jsonl}; edge cases are scored with its {@code model/}.
 */
@Command(name = "analyze", sortOptions = false,
        description = {"Analyse a finished run: confidence-based abstention (abstention.txt, abstention.png) and "
                + "errors (errors.md, error_rate_by_length.png), from its predictions.jsonl.",
                "With --edge-cases, also score a JSONL file of {\"text\", \"label\", \"tag\"} cases with the run's model."})
final class AnalyzeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", description = "A run folder holding predictions.jsonl (and model/).")
    Path dir;

    @Option(names = "--edge-cases", paramLabel = "FILE",
            description = "JSONL edge cases: {\"text\": ..., \"label\": ..., \"tag\": ...} per line.")
    Path edgeCases;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10",
            description = "Examples per list in errors.md (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--confidence", paramLabel = "P", defaultValue = "0.9",
            description = "Errors at this confidence or more are high-confidence errors (default: ${DEFAULT-VALUE}).")
    double confidence;

    @Option(names = "--target-accuracy", paramLabel = "A", defaultValue = "0.9",
            description = "Accuracy the abstention threshold must reach on validation data (default: ${DEFAULT-VALUE}).")
    double targetAccuracy;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        RunAnalysis.Settings s = new RunAnalysis.Settings(true, targetAccuracy, true, top, confidence,
                edgeCases == null ? null : EdgeCases.readJsonl(edgeCases));
        RunAnalysis.analyze(dir, s, out);
        return 0;
    }
}
