package io.finetune4j.cli;

import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.experiment.ExperimentRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code finetune4j run FILE.yaml}: every trial of an experiment file (see {@link ExperimentRunner}). */
@Command(name = "run", sortOptions = false,
        description = {"Run an experiment file (experiments/*.yaml): a grid or random sweep over the training "
                + "settings, each trial once per seed. Writes experiment.yaml, plan.json, trials/<index>-<hash>/, "
                + "results.jsonl (one line per finished trial) and summary.md into --output.",
                "Run it again to resume: trials with a line in results.jsonl are skipped."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.yaml", description = "The experiment file.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Default: runs/<experiment name>.")
    Path output;

    @Option(names = "--dry-run", description = "List the trials (index, hash, swept values) and exit.")
    boolean dryRun;

    @Option(names = "--only", paramLabel = "K", description = "Run trial K only (indexes from 0, as --dry-run lists).")
    Integer only;

    @Option(names = "--shard", paramLabel = "i/n", defaultValue = "1/1",
            description = "Run the trials whose index % n == i-1 (for n machines or processes; default: all).")
    String shard;

    @Option(names = "--progress", paramLabel = "auto|bar|log|none", defaultValue = "auto",
            description = "Per-epoch progress display (default: ${DEFAULT-VALUE}).")
    RunConfig.Progress progress;

    @Override
    public Integer call() throws IOException {
        int i, n;
        try {
            String[] parts = shard.split("/");
            if (parts.length != 2) throw new NumberFormatException();
            i = Integer.parseInt(parts[0].trim());
            n = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shard must be i/n (e.g. 1/3), not '" + shard + "'");
        }
        if (only != null && only < 0) throw new IllegalArgumentException("--only must be >= 0");
        ExperimentRunner.run(file, new ExperimentRunner.Options(output, dryRun, only, i, n, progress),
                spec.commandLine().getOut());
        return 0;
    }
}
