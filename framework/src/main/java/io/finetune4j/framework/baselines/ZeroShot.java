package io.finetune4j.framework.baselines;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Zero-shot classification by embedding similarity: every label has a description ({@code neg: "A negative review"};
 * the label name when none is given), embedded like the texts; a text goes to the label whose description is most
 * cosine-similar. No training rows are used. Probabilities: softmax of the cosines, temperature
 * {@value NearestCentroid#TEMPERATURE}.
 */
public final class ZeroShot implements EmbeddingClassifier {
    private final List<String> descriptions;
    private final double[][] anchors;

    public ZeroShot(List<String> descriptions, double[][] descriptionEmbeddings) {
        if (descriptions.size() != descriptionEmbeddings.length) {
            throw new IllegalArgumentException("one embedding per description");
        }
        this.descriptions = List.copyOf(descriptions);
        this.anchors = descriptionEmbeddings;
    }

    /** The description of each label, in label order: {@code descriptions.get(label)}, else the label itself. */
    public static List<String> descriptions(List<String> labels, Map<String, String> descriptions) {
        List<String> out = new ArrayList<>();
        for (String l : labels) {
            String d = descriptions == null ? null : descriptions.get(l);
            out.add(d == null || d.isBlank() ? l : d);
        }
        return out;
    }

    /** Embeds the labels' descriptions with {@code embeddings} (pooling {@code pooling}). */
    public static ZeroShot of(SentenceEmbeddings embeddings, SentenceEmbeddings.Pooling pooling, List<String> labels,
                              Map<String, String> descriptions) {
        List<String> d = descriptions(labels, descriptions);
        return new ZeroShot(d, embeddings.embed(d, pooling));
    }

    public List<String> descriptions() {
        return descriptions;
    }

    /** Cosine of each row to each label description. */
    public double[][] scores(double[][] x) {
        return EmbeddingClassifier.cosine(x, anchors);
    }

    @Override
    public double[][] predictProba(double[][] x) {
        return EmbeddingClassifier.softmax(scores(x), NearestCentroid.TEMPERATURE);
    }
}
