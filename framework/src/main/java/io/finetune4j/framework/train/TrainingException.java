package io.finetune4j.framework.train;

/** Training cannot go on (a NaN/Inf loss, say); the message names the step. */
public class TrainingException extends RuntimeException {
    public TrainingException(String message) {
        super(message);
    }
}
