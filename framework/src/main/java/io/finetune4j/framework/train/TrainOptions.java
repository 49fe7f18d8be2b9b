package io.finetune4j.framework.train;

/**
 * How to train. {@code freeze}: {@code none} (every layer), {@code backbone} (feature extraction: only the head
 * learns) or {@code top:N} (the head plus the top N encoder layers and the pooler).
 * {@code monitor}: what early stopping and best-epoch selection watch — {@code val_loss} (lower is better),
 * {@code val_accuracy} or {@code val_macro_f1}; {@code patience} 0 = no early stopping.
 */
public record TrainOptions(int maxLength, int batchSize, double learningRate, int epochs, double warmupRatio,
                           boolean linearDecay, double weightDecay, double maxGradNorm, int gradientAccumulation,
                           long seed, String freeze, String monitor, int patience, boolean bucketByLength) {
    public TrainOptions {
        if (maxLength < 2) throw new IllegalArgumentException("max_length must be at least 2");
        if (batchSize < 1) throw new IllegalArgumentException("batch_size must be at least 1");
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning_rate must be > 0");
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1");
        if (warmupRatio < 0 || warmupRatio >= 1) throw new IllegalArgumentException("warmup_ratio must be in [0, 1)");
        if (gradientAccumulation < 1) throw new IllegalArgumentException("gradient_accumulation must be >= 1");
        if (!(freeze.equals("none") || freeze.equals("backbone") || freeze.matches("top:\\d+"))) {
            throw new IllegalArgumentException("freeze must be none, backbone or top:N, not '" + freeze + "'");
        }
        if (!java.util.List.of("val_loss", "val_accuracy", "val_macro_f1").contains(monitor)) {
            throw new IllegalArgumentException("monitor must be val_loss, val_accuracy or val_macro_f1");
        }
    }

    /** The defaults of the README's single-run example (Hugging Face Trainer-like). */
    public static TrainOptions defaults() {
        return new TrainOptions(128, 16, 5e-5, 1, 0.0, true, 0.01, 1.0, 1, 42, "none", "val_loss", 0, false);
    }

    public TrainOptions withSeed(long s) {
        return new TrainOptions(maxLength, batchSize, learningRate, epochs, warmupRatio, linearDecay, weightDecay,
                maxGradNorm, gradientAccumulation, s, freeze, monitor, patience, bucketByLength);
    }
}
