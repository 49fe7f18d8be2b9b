package io.finetune4j.framework.data;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One labelled text.
 *
 * @param text     the input text
 * @param textPair the second text of a sentence-pair task, or {@code null}
 * @param label    the class index (into {@link TextDataset#labelNames()}) for single-label data; -1 for multi-label
 * @param labels   the multi-hot vector (0/1, length = number of labels) for multi-label data; {@code null} otherwise
 * @param row      where it came from: the 1-based line number in the source file (1 for one-text-per-file layouts)
 * @param extra    the other fields of the row as strings (e.g. {@code split}, {@code source}); never {@code null}
 */
public record Example(String text, String textPair, int label, int[] labels, int row, Map<String, String> extra) {

    public Example {
        Objects.requireNonNull(text, "text");
        if ((labels == null) == (label < 0)) {
            throw new IllegalArgumentException("an example has either a label index (single-label) or a multi-hot"
                    + " vector (multi-label), not both or neither: label=" + label + ", labels=" + Arrays.toString(labels));
        }
        labels = labels == null ? null : labels.clone();
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public static Example single(String text, int label, int row) {
        return new Example(text, null, label, null, row, Map.of());
    }

    public static Example multi(String text, int[] labels, int row) {
        return new Example(text, null, -1, labels, row, Map.of());
    }

    public boolean isMultiLabel() {
        return labels != null;
    }

    @Override
    public int[] labels() {
        return labels == null ? null : labels.clone();
    }

    /** Whether label {@code i} is on (multi-label) or is the label (single-label). */
    public boolean hasLabel(int i) {
        return labels == null ? label == i : labels[i] != 0;
    }

    /** The value of an extra field, or {@code null}. */
    public String get(String field) {
        return extra.get(field);
    }

    /** The stratification key: the label index, or for multi-label the sorted on-indices joined by '|' ("" = none). */
    public String stratum() {
        if (labels == null) {
            return Integer.toString(label);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(i);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Example e && label == e.label && row == e.row && text.equals(e.text)
                && Objects.equals(textPair, e.textPair) && Arrays.equals(labels, e.labels) && extra.equals(e.extra);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, textPair, label, Arrays.hashCode(labels), row, extra);
    }

    @Override
    public String toString() {
        String t = text.length() > 60 ? text.substring(0, 57) + "..." : text;
        return "Example[row=" + row + ", " + (labels == null ? "label=" + label : "labels=" + Arrays.toString(labels))
                + ", text=\"" + t + "\"" + (textPair == null ? "" : ", pair") + (extra.isEmpty() ? "" : ", " + extra) + "]";
    }
}
