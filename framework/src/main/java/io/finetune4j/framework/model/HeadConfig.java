package io.finetune4j.framework.model;

import java.util.List;

/**
 * The classification head: pooled backbone output → dense hidden layer → dropout → output layer.
 *
 * @param pooling    {@code pooler} (BERT's dense+tanh over [CLS]), {@code cls} (raw [CLS] state) or {@code mean}
 *                   (mask-aware mean over tokens) — for backbones without a pooler (MiniLM, DistilBERT)
 * @param hiddenSize size of the dense hidden layer; 0 puts the output layer straight on the pooled vector
 * @param activation {@code tanh}, {@code relu}, {@code gelu} or {@code linear}
 * @param dropout    dropout rate used everywhere (backbone and head) during training
 * @param labels     class names, index = class id
 * @param multiLabel sigmoid + binary cross-entropy on 0/1 vectors instead of softmax + cross-entropy
 */
public record HeadConfig(String pooling, int hiddenSize, String activation, double dropout, List<String> labels,
                         boolean multiLabel) {
    public HeadConfig {
        if (!List.of("pooler", "cls", "mean").contains(pooling)) {
            throw new IllegalArgumentException("pooling must be pooler, cls or mean, not '" + pooling + "'");
        }
        if (!List.of("tanh", "relu", "gelu", "linear").contains(activation)) {
            throw new IllegalArgumentException("activation must be tanh, relu, gelu or linear, not '" + activation + "'");
        }
        if (hiddenSize < 0) throw new IllegalArgumentException("head hidden size must be >= 0");
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("dropout must be in [0, 1)");
        if (labels == null || labels.size() < (multiLabel ? 1 : 2)) {
            throw new IllegalArgumentException("a classifier needs at least " + (multiLabel ? 1 : 2) + " labels");
        }
        labels = List.copyOf(labels);
    }

    public int numLabels() {
        return labels.size();
    }
}
