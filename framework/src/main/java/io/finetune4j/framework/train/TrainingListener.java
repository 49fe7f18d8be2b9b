package io.finetune4j.framework.train;

/** Progress callbacks from the trainer (the CLI shows them as a progress bar or log lines). */
public interface TrainingListener {
    default void onStep(int epoch, int batchInEpoch, int batchesPerEpoch, double loss, double learningRate,
                        double samplesPerSecond, double tokensPerSecond, double etaSeconds) {
    }

    default void onEpochEnd(Trainer.EpochResult result) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
