package io.finetune4j.framework.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One example's prediction, one JSON line in {@code predictions.jsonl}.
 *
 * <pre>{"index":3,"text":"...","true":["joy"],"predicted":["anger"],"confidence":0.61,
 *  "loss":0.93,"probabilities":{"anger":0.61,"joy":0.39}}</pre>
 *
 * <p>Labels are lists so that single-label and multi-label tasks share one format (a single-label
 * example has exactly one predicted label, and one true label when it is known). For a
 * single-label task {@code probabilities} are the softmax outputs and {@code confidence} their
 * maximum; for a multi-label task they are the per-label sigmoid outputs and {@code confidence}
 * is again the largest one. {@code text}, {@code true} (unlabelled data) and {@code loss} may be
 * null.
 */
@JsonPropertyOrder({"index", "text", "true", "predicted", "confidence", "loss", "probabilities"})
public record PredictionRecord(
        @JsonProperty("index") long index,
        @JsonProperty("text") String text,
        @JsonProperty("true") List<String> trueLabels,
        @JsonProperty("predicted") List<String> predictedLabels,
        @JsonProperty("confidence") double confidence,
        @JsonProperty("loss") Double loss,
        @JsonProperty("probabilities") Map<String, Double> probabilities) {

    public PredictionRecord {
        trueLabels = trueLabels == null ? null : List.copyOf(trueLabels);
        predictedLabels = List.copyOf(Objects.requireNonNull(predictedLabels, "predictedLabels"));
        probabilities = probabilities == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
        if (loss != null && !Double.isFinite(loss)) {
            loss = null; // JSON has no NaN / Infinity
        }
    }

    /**
     * A single-label example: the prediction is the arg-max of {@code probs} (first on ties),
     * confidence its probability.
     *
     * @param trueLabel index of the true class, or -1 when unknown
     * @param loss      the example's loss, or NaN when not computed
     */
    public static PredictionRecord singleLabel(long index, String text, int trueLabel, double[] probs,
                                               double loss, List<String> labelNames) {
        checkWidth(probs, labelNames);
        int best = 0;
        for (int i = 1; i < probs.length; i++) {
            if (probs[i] > probs[best]) {
                best = i;
            }
        }
        return new PredictionRecord(index, text,
                trueLabel < 0 ? null : List.of(labelNames.get(trueLabel)),
                List.of(labelNames.get(best)), probs[best], Double.isNaN(loss) ? null : loss,
                probabilityMap(probs, labelNames));
    }

    /**
     * A multi-label example: predicted labels are those with {@code scores[j] >= thresholds[j]}.
     *
     * @param trueLabels 0/1 per label, or null when unknown
     */
    public static PredictionRecord multiLabel(long index, String text, int[] trueLabels, double[] scores,
                                              double[] thresholds, double loss, List<String> labelNames) {
        checkWidth(scores, labelNames);
        if (thresholds.length != scores.length) {
            throw new IllegalArgumentException("thresholds: " + thresholds.length + " for " + scores.length + " labels");
        }
        List<String> truth = null;
        if (trueLabels != null) {
            truth = new java.util.ArrayList<>();
            for (int j = 0; j < trueLabels.length; j++) {
                if (trueLabels[j] != 0) {
                    truth.add(labelNames.get(j));
                }
            }
        }
        List<String> pred = new java.util.ArrayList<>();
        double conf = 0;
        for (int j = 0; j < scores.length; j++) {
            if (scores[j] >= thresholds[j]) {
                pred.add(labelNames.get(j));
            }
            conf = Math.max(conf, scores[j]);
        }
        return new PredictionRecord(index, text, truth, pred, conf, Double.isNaN(loss) ? null : loss,
                probabilityMap(scores, labelNames));
    }

    private static void checkWidth(double[] p, List<String> labelNames) {
        if (p.length != labelNames.size()) {
            throw new IllegalArgumentException(p.length + " probabilities for " + labelNames.size() + " labels");
        }
    }

    private static Map<String, Double> probabilityMap(double[] p, List<String> labelNames) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < p.length; i++) {
            m.put(labelNames.get(i), p[i]);
        }
        return m;
    }
}
