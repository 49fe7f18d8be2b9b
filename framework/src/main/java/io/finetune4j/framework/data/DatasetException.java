package io.finetune4j.framework.data;

import java.util.List;

/**
 * A dataset that cannot be used for training: a missing field, an unknown label, malformed JSON, bad bytes,
 * an empty file... The message is one line naming the file and the line number of the first problem; when the
 * reader found more, {@link #problems()} holds the first few and {@link #problemCount()} how many there were.
 */
public class DatasetException extends RuntimeException {
    private final List<String> problems;
    private final int problemCount;

    public DatasetException(String message) {
        this(message, List.of(oneLine(message)), 1, false);
    }

    public DatasetException(String message, Throwable cause) {
        super(oneLine(message), cause);
        this.problems = List.of(oneLine(message));
        this.problemCount = 1;
    }

    /**
     * One exception for several problems: the message is the first one plus the number of others, e.g.
     * {@code "data.jsonl: line 2: malformed JSON: ... (and 3 more problems)"}; {@code stopped} adds that reading
     * stopped at the limit (so there may be more further on).
     */
    public DatasetException(String first, List<String> problems, int problemCount, boolean stopped) {
        super(oneLine(problemCount > 1 ? first + " (and " + (problemCount - 1) + " more problem"
                + (problemCount > 2 ? "s" : "") + (stopped ? "; stopped reading there" : "") + ")" : first));
        this.problems = List.copyOf(problems);
        this.problemCount = problemCount;
    }

    /** The first problems found (at most the reader's limit), one line each. */
    public List<String> problems() {
        return problems;
    }

    /** How many problems were found in all (may exceed {@code problems().size()}). */
    public int problemCount() {
        return problemCount;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
