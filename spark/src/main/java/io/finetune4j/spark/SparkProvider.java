package io.finetune4j.spark;

import io.finetune4j.framework.experiment.TrialExecutor;

/** {@code run --spark MASTER}: found by the command line through {@link java.util.ServiceLoader}. */
public final class SparkProvider implements TrialExecutor.Provider {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public TrialExecutor create(String master, Integer parallelism, Integer threadsPerTrial) {
        // The master is checked here, before the experiment file is loaded: a typo fails at once.
        SparkSettings.resolve(master, parallelism, threadsPerTrial, null, SparkTrialExecutor.DEFAULT_MAX_FAILURES);
        return new SparkTrialExecutor(master, parallelism, threadsPerTrial);
    }
}
