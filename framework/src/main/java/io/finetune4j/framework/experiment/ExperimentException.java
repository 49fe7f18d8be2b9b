package io.finetune4j.framework.experiment;

/**
 * A problem in an experiment file, as one line {@code FILE:LINE:COLUMN: what is wrong}. It is an
 * {@link IllegalArgumentException}, so the command line reports it as a user error (exit 2).
 */
public final class ExperimentException extends IllegalArgumentException {
    private final int line;
    private final int column;

    public ExperimentException(String file, int line, int column, String what) {
        super(file + ":" + line + ":" + column + ": " + what);
        this.line = line;
        this.column = column;
    }

    /** 1-based line of the offending key or value (0 when unknown). */
    public int line() {
        return line;
    }

    /** 1-based column (0 when unknown). */
    public int column() {
        return column;
    }
}
