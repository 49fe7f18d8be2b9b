package io.finetune4j.framework.train;

import io.finetune4j.framework.config.RunConfig.SchedulerType;
import io.finetune4j.framework.config.RunConfig.TrainingArgs;

/**
 * The learning rate of each optimizer update, as Hugging Face's {@code get_scheduler} gives it: update {@code k}
 * (from 0) uses {@code peak · λ(k)}, with the lambdas of {@code optimization.py} (docs/hf-semantics.md §1). With
 * warm-up, the first update uses 0; {@code constant} ignores warm-up; {@code linear} reaches 0 only after the last
 * update.
 */
public record LearningRateSchedule(SchedulerType type, double peak, int warmupSteps, int totalSteps) {

    /** The schedule of a run of {@code totalSteps} updates; warm-up as {@code TrainingArguments.get_warmup_steps}. */
    public static LearningRateSchedule of(TrainingArgs a, int totalSteps) {
        int warmup = a.warmupSteps() > 0 ? a.warmupSteps() : (int) Math.ceil(totalSteps * a.warmupRatio());
        return new LearningRateSchedule(a.lrSchedulerType(), a.learningRate(), warmup, totalSteps);
    }

    /** Optimizer updates in an epoch of {@code batches} batches: a last, short accumulation group is an update too. */
    public static int updatesPerEpoch(int batches, int accumulation) {
        return Math.max(1, batches / accumulation + (batches % accumulation > 0 ? 1 : 0));
    }

    /** The rate of update {@code k}. */
    public double at(int k) {
        return peak * multiplier(k);
    }

    /** λ(k). */
    public double multiplier(int k) {
        int w = warmupSteps, t = totalSteps;
        switch (type) {
            case CONSTANT:
                return 1.0;
            case CONSTANT_WITH_WARMUP:
                return k < w ? (double) k / Math.max(1.0, w) : 1.0;
            case LINEAR:
                if (k < w) return (double) k / Math.max(1, w);
                return Math.max(0.0, (double) (t - k) / Math.max(1, t - w));
            case COSINE:
                if (k < w) return (double) k / Math.max(1, w);
                double progress = (double) (k - w) / Math.max(1, t - w);
                return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            default:
                throw new IllegalStateException(String.valueOf(type));
        }
    }
}
