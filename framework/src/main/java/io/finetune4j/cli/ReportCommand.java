package io.finetune4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune4j.framework.experiment.Results;
import io.finetune4j.framework.experiment.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code finetune4j report DIR...}: reads each experiment folder's {@code results.jsonl}, merges them (the shards
 * of one grid run on several machines; a trial's {@code hash} counts once) and writes {@code summary.md} and the
 * plots ({@link Summary}), printing the per-trial table.
 */
@Command(name = "report", sortOptions = false,
        description = {"Summarise experiment results: a sorted table, a table averaged over seeds and plots.",
                "Several DIRs (shards of one grid run) are merged; a trial seen in two of them counts once."})
final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", arity = "1..*",
            description = "Experiment folders holding results.jsonl (or results.jsonl files themselves).")
    List<Path> dirs = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Where to write summary.md and the plots, PNG + SVG (default: the first DIR).")
    Path output;

    @Option(names = "--metric", paramLabel = "NAME", defaultValue = "accuracy",
            description = "The test metric to sort and plot by, e.g. accuracy, macro_f1, micro_f1 "
                    + "(default: ${DEFAULT-VALUE}).")
    String metric;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<List<Results.Line>> shards = new ArrayList<>();
        int lines = 0;
        for (Path d : dirs) {
            List<Results.Line> l = Results.read(d);
            lines += l.size();
            shards.add(l);
        }
        List<JsonNode> merged = Results.merge(shards, w -> err.println("finetune4j: warning: " + w));
        if (merged.isEmpty()) throw new IllegalArgumentException("no finished trials in " + dirs);
        Path target = output != null ? output
                : (java.nio.file.Files.isDirectory(dirs.get(0)) ? dirs.get(0)
                : dirs.get(0).toAbsolutePath().getParent());
        String table = Summary.write(target, merged, metric);
        out.print(table);
        out.flush();
        err.println("finetune4j: " + merged.size() + " trials" + (lines != merged.size()
                ? " (" + lines + " lines, " + (lines - merged.size()) + " duplicates by hash)" : "")
                + " -> " + target.resolve("summary.md"));
        err.flush();
        return 0;
    }
}
