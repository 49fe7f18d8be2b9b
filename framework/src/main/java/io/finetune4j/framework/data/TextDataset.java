package io.finetune4j.framework.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable list of {@link Example}s with their label names.
 *
 * @param examples   the examples, in source order (or the order a split produced)
 * @param labelNames label index → name
 * @param multiLabel whether examples carry multi-hot {@code labels} rather than one {@code label}
 * @param source     a human-readable description of where the data came from (file, split...)
 */
public record TextDataset(List<Example> examples, List<String> labelNames, boolean multiLabel, String source) {

    public TextDataset {
        examples = List.copyOf(examples);
        labelNames = List.copyOf(labelNames);
        Objects.requireNonNull(source, "source");
        int k = labelNames.size();
        for (Example e : examples) {
            if (e.isMultiLabel() != multiLabel) {
                throw new IllegalArgumentException(source + ": row " + e.row() + " is "
                        + (e.isMultiLabel() ? "multi-label" : "single-label") + " in a "
                        + (multiLabel ? "multi-label" : "single-label") + " dataset");
            }
            if (multiLabel ? e.labels().length != k : e.label() >= k) {
                throw new IllegalArgumentException(source + ": row " + e.row() + " has a label outside the "
                        + k + " label names");
            }
        }
    }

    public int size() {
        return examples.size();
    }

    public boolean isEmpty() {
        return examples.isEmpty();
    }

    public Example get(int i) {
        return examples.get(i);
    }

    public int numLabels() {
        return labelNames.size();
    }

    /**
     * Examples per label index. For multi-label data, how many examples have each label on (an example may count
     * for several labels or none).
     */
    public int[] labelCounts() {
        int[] counts = new int[labelNames.size()];
        for (Example e : examples) {
            if (multiLabel) {
                int[] hot = e.labels();
                for (int i = 0; i < hot.length; i++) {
                    counts[i] += hot[i] != 0 ? 1 : 0;
                }
            } else {
                counts[e.label()]++;
            }
        }
        return counts;
    }

    /** {@link #labelCounts()} by label name, in label-index order. */
    public Map<String, Integer> labelCountsByName() {
        int[] counts = labelCounts();
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < counts.length; i++) {
            m.put(labelNames.get(i), counts[i]);
        }
        return m;
    }

    /** Multi-label: how many examples have no label at all (0 for single-label data). */
    public int unlabelledCount() {
        return multiLabel ? (int) examples.stream().filter(e -> e.stratum().isEmpty()).count() : 0;
    }

    /** The examples at the given indices, in that order (indices may repeat). Same labels. */
    public TextDataset subset(int[] indices) {
        return subset(indices, source + " [subset of " + indices.length + "]");
    }

    /** {@link #subset(int[])} with an explicit source description. */
    public TextDataset subset(int[] indices, String newSource) {
        List<Example> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(examples.get(i));
        }
        return new TextDataset(out, labelNames, multiLabel, newSource);
    }

    /** The examples whose extra field {@code field} equals {@code value} (possibly none). Same labels. */
    public TextDataset filter(String field, String value) {
        List<Example> out = new ArrayList<>();
        for (Example e : examples) {
            if (value.equals(e.get(field))) {
                out.add(e);
            }
        }
        return new TextDataset(out, labelNames, multiLabel, source + " [" + field + "=" + value + "]");
    }

    /** The same examples under another source description. */
    public TextDataset withSource(String newSource) {
        return new TextDataset(examples, labelNames, multiLabel, newSource);
    }

    /** Throws {@code DatasetException("<source> has no rows")} when empty; returns this otherwise. */
    public TextDataset requireNonEmpty() {
        if (examples.isEmpty()) {
            throw new DatasetException(source + " has no rows");
        }
        return this;
    }

    @Override
    public String toString() {
        return "TextDataset[" + source + ": " + size() + " rows, " + (multiLabel ? "multi-label " : "")
                + labelCountsByName() + "]";
    }
}
