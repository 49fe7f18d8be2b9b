package io.finetune4j.cli;

import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.experiment.ExperimentRunner;
import io.finetune4j.framework.experiment.Results;
import io.finetune4j.framework.experiment.TrialExecutor;
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

    @Option(names = "--spark", paramLabel = "MASTER",
            description = {"Run each trial as a Spark task: local[N], spark://HOST:PORT, or the master spark-submit "
                    + "was given (yarn, k8s://...). Needs the finetune4j-spark module (the launcher adds it).",
                    "Trial outputs, data and the output folder must be on a path every executor sees."})
    String spark;

    @Option(names = "--parallelism", paramLabel = "N",
            description = "With --spark: at most N trials at once (default: spark.parallelism in the file, else "
                    + "N of local[N] / threads per trial, else as many as the cluster's cores allow).")
    Integer parallelism;

    @Option(names = "--threads-per-trial", paramLabel = "T",
            description = "With --spark: native threads (OMP_NUM_THREADS, spark.task.cpus) of each trial (default: "
                    + "spark.threads_per_trial in the file, else cores / parallelism for local[N], else 1).")
    Integer threadsPerTrial;

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
        if (parallelism != null && parallelism < 1) throw new IllegalArgumentException("--parallelism must be >= 1");
        if (threadsPerTrial != null && threadsPerTrial < 1) {
            throw new IllegalArgumentException("--threads-per-trial must be >= 1");
        }
        TrialExecutor executor = null;
        if (spark != null) {
            TrialExecutor.Provider p = TrialExecutor.provider("spark");
            if (p == null) {
                throw new IllegalArgumentException("--spark needs the finetune4j-spark module on the class path: run "
                        + "through ./finetune4j (it adds spark/target when --spark is given), or add "
                        + "io.finetune4j:finetune4j-spark to your build");
            }
            executor = p.create(spark, parallelism, threadsPerTrial);
        } else if (parallelism != null || threadsPerTrial != null) {
            throw new IllegalArgumentException("--parallelism and --threads-per-trial are for --spark MASTER");
        }
        ExperimentRunner.Outcome o = ExperimentRunner.run(file,
                new ExperimentRunner.Options(output, dryRun, only, i, n, progress, executor), spec.commandLine().getOut());
        if (o.failed() > 0) {      // the rest of the grid has finished: say so in one line, exit 2
            throw new IllegalArgumentException(o.failed() + " of " + o.ran() + (o.ran() == 1 ? " trial" : " trials")
                    + " failed; their errors are in " + o.output().resolve(Results.FILE) + " and "
                    + o.output().resolve("summary.md") + " (run the command again to retry them)");
        }
        return 0;
    }
}
