package io.finetune4j.models;

/**
 * A problem the user can fix: a missing or corrupt file, a shape that does not match its config, an unknown
 * model name. The message is one line that names the file or key; the CLI prints it without a stack trace.
 */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
