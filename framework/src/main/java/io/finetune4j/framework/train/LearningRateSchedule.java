package io.finetune4j.framework.train;

/**
 * Linear warm-up from 0 to the peak rate over {@code warmupSteps}, then either constant or linear decay to 0 at
 * {@code totalSteps} (Hugging Face's {@code get_linear_schedule_with_warmup}).
 */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, boolean decay) {
    /** Rate for 0-based optimizer step {@code step}. */
    public double at(int step) {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        if (!decay) return peak;
        double remaining = (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps);
        return peak * Math.max(0.0, remaining);
    }
}
