package io.finetune4j.framework.experiment;

import io.finetune4j.framework.config.RunConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where an experiment's pending trials run: in this process one after another ({@link #SEQUENTIAL}, what
 * {@code finetune4j run} does by default), or elsewhere (the {@code finetune4j-spark} module runs each trial as a
 * Spark task). Everything around the trials (loading, planning, selection, preflight, {@code plan.json}, resume,
 * appending to {@code results.jsonl} and {@code summary.md}) stays in {@link ExperimentRunner}, the same for every
 * executor.
 */
public interface TrialExecutor {

    /**
     * Runs every trial of {@code work.trials()} (none of them finished yet) and hands each result line to
     * {@code work.sink()} as soon as its trial has produced it. Returns when every trial has finished or failed.
     */
    void run(Work work) throws IOException;

    /**
     * What to run.
     *
     * @param loaded   the experiment file, as loaded and validated
     * @param dir      the experiment's output folder (absolute)
     * @param trials   the trials to run, in plan order
     * @param planSize the number of trials in the whole plan (for messages)
     * @param done     the hashes that already have a (successful) line in {@code results.jsonl}
     * @param progress the per-epoch progress display
     * @param out      where progress goes
     * @param sink     where the result lines go
     */
    record Work(ExperimentFile.Loaded loaded, Path dir, List<Trial> trials, int planSize, Set<String> done,
                RunConfig.Progress progress, PrintWriter out, ResultSink sink) {
    }

    /** Takes result lines; safe to call from several threads. */
    interface ResultSink {
        /**
         * Appends {@code line} to {@code results.jsonl} (atomically, under the file lock) unless a successful line
         * with its hash is already there; returns whether it was appended.
         */
        boolean line(Trial t, Map<String, Object> line) throws IOException;

        /** {@code t} has produced all its lines: refreshes {@code summary.md}. */
        void finished(Trial t) throws IOException;
    }

    /** The trials in this process, one after another. */
    TrialExecutor SEQUENTIAL = work -> {
        for (Trial t : work.trials()) {
            ExperimentRunner.runInProcess(work.loaded(), t, work.dir(), work.done(), work.progress(),
                    ExperimentRunner.head(t, work.planSize()), work.out(), line -> work.sink().line(t, line));
            work.sink().finished(t);
        }
    };

    /** A consumer of result lines that may throw {@link IOException}. */
    @FunctionalInterface
    interface LineConsumer {
        void accept(Map<String, Object> line) throws IOException;
    }

    /** Finds the executors of other modules ({@link java.util.ServiceLoader}): e.g. {@code spark}. */
    interface Provider {
        /** The name of the option that selects it, e.g. {@code spark}. */
        String name();

        /**
         * An executor for {@code master} (the option's value); {@code parallelism} and {@code threadsPerTrial} are
         * the command line's values or null.
         */
        TrialExecutor create(String master, Integer parallelism, Integer threadsPerTrial);
    }

    /** The provider named {@code name} on the class path, or null. */
    static Provider provider(String name) {
        for (Provider p : java.util.ServiceLoader.load(Provider.class)) {
            if (p.name().equals(name)) return p;
        }
        return null;
    }
}
