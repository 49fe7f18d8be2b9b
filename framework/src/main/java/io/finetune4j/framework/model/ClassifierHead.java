package io.finetune4j.framework.model;

import io.finetune4j.framework.config.RunConfig.Activation;
import io.finetune4j.framework.config.RunConfig.HeadArgs;
import io.finetune4j.framework.config.RunConfig.HeadType;
import io.finetune4j.framework.config.RunConfig.Pooling;
import io.finetune4j.models.bert.BertConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The classification head on a backbone, and the names of its tensors.
 * <ul>
 *   <li>{@code hf}: Hugging Face's own head for the backbone type. BERT ({@code BertForSequenceClassification}):
 *   the pooler (dense + tanh over [CLS]) → dropout → {@code classifier}. DistilBERT
 *   ({@code DistilBertForSequenceClassification}): [CLS] → {@code pre_classifier} → ReLU → dropout →
 *   {@code classifier}.</li>
 *   <li>{@code dense}: the notebooks' head: the pooled vector ({@code pooling}) → {@code dense_head.dense}
 *   ({@code hiddenSize}, {@code activation}; none when 0) → dropout → {@code dense_head.out_proj}.</li>
 * </ul>
 *
 * @param dropout    the head's dropout rate (before the last layer)
 * @param labels     class names, index = class id
 * @param multiLabel sigmoid + binary cross-entropy on 0/1 vectors instead of softmax + cross-entropy
 */
public record ClassifierHead(HeadType type, Pooling pooling, int hiddenSize, Activation activation, double dropout,
                             List<String> labels, boolean multiLabel) {
    public static final String CLASSIFIER = "classifier", PRE_CLASSIFIER = "pre_classifier";
    public static final String DENSE = "dense_head.dense", OUT_PROJ = "dense_head.out_proj";

    public ClassifierHead {
        if (hiddenSize < 0) throw new IllegalArgumentException("head hidden size must be >= 0");
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("head dropout must be in [0, 1)");
        if (labels == null || labels.size() < (multiLabel ? 1 : 2)) {
            throw new IllegalArgumentException("a classifier needs at least " + (multiLabel ? 1 : 2) + " labels");
        }
        labels = List.copyOf(labels);
    }

    /**
     * The head a run's settings ask for on {@code backbone}: Hugging Face's by default, the dense head when asked
     * for; unset values as Hugging Face would take them (dropout from the checkpoint's config).
     */
    public static ClassifierHead of(HeadArgs args, BertConfig backbone, List<String> labels, boolean multiLabel) {
        double dropout = args.dropout() != null ? args.dropout() : backbone.headDropout();
        if (args.typeOrDefault() == HeadType.HF) {
            Pooling pooling = backbone.isDistilBert() ? Pooling.CLS : Pooling.POOLER;
            return new ClassifierHead(HeadType.HF, pooling, backbone.isDistilBert() ? backbone.hiddenSize() : 0,
                    backbone.isDistilBert() ? Activation.RELU : Activation.LINEAR, dropout, labels, multiLabel);
        }
        Pooling pooling = args.pooling() != null ? args.pooling() : backbone.hasPooler() ? Pooling.POOLER : Pooling.CLS;
        if (pooling == Pooling.POOLER && !backbone.hasPooler()) {
            throw new IllegalArgumentException("the backbone has no pooler: use pooling cls or mean (or the hf head, "
                    + "which adds a new pooler)");
        }
        int hidden = args.hiddenSize() != null ? args.hiddenSize() : backbone.hiddenSize();
        Activation activation = args.activation() != null ? args.activation() : Activation.TANH;
        return new ClassifierHead(HeadType.DENSE, pooling, hidden, activation, dropout, labels, multiLabel);
    }

    public int numLabels() {
        return labels.size();
    }

    public boolean isHf() {
        return type == HeadType.HF;
    }

    /** The prefixes of the head's layers, input side first: each has {@code .weight} [out, in] and {@code .bias}. */
    public List<String> layers(BertConfig backbone) {
        List<String> out = new ArrayList<>();
        if (isHf()) {
            if (backbone.isDistilBert()) out.add(PRE_CLASSIFIER);
            out.add(CLASSIFIER);
        } else {
            if (hiddenSize > 0) out.add(DENSE);
            out.add(OUT_PROJ);
        }
        return out;
    }

    /** Whether a tensor name belongs to this head. */
    public boolean owns(String tensor, BertConfig backbone) {
        for (String l : layers(backbone)) if (tensor.startsWith(l + ".")) return true;
        return false;
    }

    /** The width of the vector the head's dropout applies to. */
    public long dropoutWidth(BertConfig backbone) {
        if (isHf()) return backbone.hiddenSize();
        return hiddenSize > 0 ? hiddenSize : backbone.hiddenSize();
    }

    /** Hugging Face's {@code problem_type}. */
    public String problemType() {
        return multiLabel ? "multi_label_classification" : "single_label_classification";
    }
}
