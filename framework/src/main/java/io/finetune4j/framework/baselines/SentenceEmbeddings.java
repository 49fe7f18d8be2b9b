package io.finetune4j.framework.baselines;

import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.BertInference;
import io.finetune4j.models.tokenizer.BatchEncoding;
import io.finetune4j.models.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Fixed sentence embeddings from any backbone, without fine-tuning:
 * <ul>
 *   <li>{@link Pooling#MEAN}: the mean of the last hidden states over the real tokens (attention mask 1, [CLS] and
 *   [SEP] included), L2-normalised: what sentence-transformers computes for all-MiniLM-L6-v2;</li>
 *   <li>{@link Pooling#CLS}: the raw last hidden state of [CLS] (the "feature extraction" recipe).</li>
 * </ul>
 * Texts are truncated to {@code maxLength} tokens and encoded in batches of {@code batchSize}, shortest first
 * (dynamic padding; the padding is masked out, so a text's vector does not depend on its batch).
 */
public final class SentenceEmbeddings {

    public enum Pooling {
        MEAN, CLS;

        /** {@code mean} or {@code cls}. */
        public static Pooling parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String name;
    private final WordPieceTokenizer tokenizer;
    private final BertInference encoder;
    private final int maxLength;
    private final int batchSize;

    public SentenceEmbeddings(Backbone backbone, int maxLength, int batchSize) {
        if (maxLength < 3) throw new IllegalArgumentException("max length must be >= 3, not " + maxLength);
        if (maxLength > backbone.config().maxPositions()) {
            throw new IllegalArgumentException("max length " + maxLength + " exceeds the "
                    + backbone.config().maxPositions() + " positions of " + backbone.name());
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, not " + batchSize);
        this.name = backbone.name();
        this.tokenizer = backbone.tokenizer();
        this.encoder = new BertInference(backbone.config(), backbone.weights());
        this.maxLength = maxLength;
        this.batchSize = batchSize;
    }

    /** Loads a catalogue name or checkpoint folder. */
    public static SentenceEmbeddings load(String backbone, int maxLength, int batchSize) {
        return new SentenceEmbeddings(Backbone.load(backbone), maxLength, batchSize);
    }

    public String backboneName() {
        return name;
    }

    public int maxLength() {
        return maxLength;
    }

    public int dimension() {
        return encoder.config().hiddenSize();
    }

    /** One vector per text, {@code [n][hidden]}. */
    public double[][] embed(List<String> texts, Pooling pooling) {
        return embedAll(texts, EnumSet.of(pooling)).get(pooling);
    }

    /** Several poolings from one forward pass per batch. */
    public Map<Pooling, double[][]> embedAll(List<String> texts, Set<Pooling> poolings) {
        int n = texts.size(), h = dimension();
        Map<Pooling, double[][]> out = new EnumMap<>(Pooling.class);
        for (Pooling p : poolings) out.put(p, new double[n][]);
        if (n == 0) return out;
        int[] lengths = new int[n];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lengths[i] = Math.min(tokenizer.tokenIds(texts.get(i)).length + 2, maxLength);
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> lengths[i]).thenComparingInt(i -> i));
        for (int start = 0; start < n; start += batchSize) {
            List<Integer> idx = order.subList(start, Math.min(n, start + batchSize));
            List<String> batch = new ArrayList<>(idx.size());
            for (int i : idx) batch.add(texts.get(i));
            BatchEncoding enc = tokenizer.encodeBatch(batch, maxLength, true);
            int[][] mask = enc.attentionMask();
            INDArray hidden = encoder.forward(enc.inputIds(), enc.tokenTypeIds(), mask).lastHidden();
            double[] flat = hidden.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            int t = mask[0].length;
            for (int b = 0; b < idx.size(); b++) {
                int base = b * t * h;
                if (out.containsKey(Pooling.CLS)) {
                    double[] v = new double[h];
                    System.arraycopy(flat, base, v, 0, h);
                    out.get(Pooling.CLS)[idx.get(b)] = v;
                }
                if (out.containsKey(Pooling.MEAN)) {
                    double[] v = new double[h];
                    int count = 0;
                    for (int j = 0; j < t; j++) {
                        if (mask[b][j] == 0) continue;
                        count++;
                        int o = base + j * h;
                        for (int k = 0; k < h; k++) v[k] += flat[o + k];
                    }
                    double norm = 0;
                    for (int k = 0; k < h; k++) norm += (v[k] /= Math.max(count, 1)) * v[k];
                    norm = Math.max(Math.sqrt(norm), 1e-12);
                    for (int k = 0; k < h; k++) v[k] /= norm;
                    out.get(Pooling.MEAN)[idx.get(b)] = v;
                }
            }
        }
        return out;
    }
}
