package io.finetune4j.framework.model;

import io.finetune4j.framework.config.RunConfig.LossNormalisation;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.BertModel;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * Backbone + head + loss as one SameDiff graph. Single-label: softmax and cross-entropy on one-hot targets;
 * multi-label: sigmoid and binary cross-entropy on 0/1 targets, averaged over the labels (Hugging Face's
 * {@code BCEWithLogitsLoss()}). Each example's loss has a weight (class weights; 1 without); the batch loss is
 * {@code Σ wᵢ·lossᵢ / Σ wᵢ}, as PyTorch's {@code CrossEntropyLoss(weight=w)}, or {@code mean(wᵢ·lossᵢ)}, as Keras's
 * {@code class_weight} ({@link LossNormalisation}); without weights both are the mean.
 */
public final class ClassifierGraph {
    public static final String TARGETS = "targets";             // [B, C] one-hot or multi-hot
    public static final String EXAMPLE_WEIGHTS = "example_weights"; // [B]
    public static final String TOKEN_MASK = "token_mask";       // [B, T, 1], for mean pooling
    public static final String HEAD_DROPOUT = "dropout.head";   // [B, width]
    public static final String LOGITS = "logits", PROBABILITIES = "probabilities";
    public static final String EXAMPLE_LOSS = "example_loss", LOSS = "loss";

    public final SameDiff sd = SameDiff.create();
    public final BertModel encoder;
    public final boolean training;
    public final ClassifierHead head;
    private final BertConfig config;
    private final Map<String, INDArray> weights;

    public ClassifierGraph(BertConfig config, ClassifierHead head, Map<String, INDArray> weights, boolean training,
                           LossNormalisation normalisation) {
        this.config = config;
        this.head = head;
        this.training = training;
        this.weights = weights;
        this.encoder = new BertModel(sd, config, weights, training);
        DataType dt = weights.get(head.layers(config).get(0) + ".weight").dataType();

        SDVariable x = switch (head.pooling()) {
            case POOLER -> {
                if (encoder.pooled == null) throw new IllegalArgumentException("this backbone has no pooler");
                yield encoder.pooled;
            }
            case CLS -> encoder.lastHidden.get(SDIndex.all(), SDIndex.point(0), SDIndex.all());
            case MEAN -> {
                SDVariable mask = sd.placeHolder(TOKEN_MASK, dt, -1, -1, 1);
                yield encoder.lastHidden.mul(mask).sum(1).div(mask.sum(1));
            }
        };
        List<String> layers = head.layers(config);
        for (String layer : layers.subList(0, layers.size() - 1)) {   // DistilBERT's pre_classifier, the dense layer
            x = activation(linear(x, layer));
        }
        if (training && head.dropout() > 0) x = x.mul(sd.placeHolder(HEAD_DROPOUT, dt, -1, -1));
        SDVariable logits = linear(x, layers.get(layers.size() - 1));
        logits.rename(LOGITS);

        SDVariable targets = sd.placeHolder(TARGETS, dt, -1, head.numLabels());
        SDVariable exampleLoss;
        if (head.multiLabel()) {
            sd.nn.sigmoid(PROBABILITIES, logits);
            // Numerically stable BCE with logits: max(z,0) - z*y + log(1 + exp(-|z|)), mean over labels.
            SDVariable bce = sd.nn.relu(logits, 0).sub(logits.mul(targets))
                    .add(sd.math.log1p(sd.math.exp(sd.math.abs(logits).neg())));
            exampleLoss = bce.mean(1);
        } else {
            sd.nn.softmax(PROBABILITIES, logits, 1);
            // log-softmax from ops: sd.nn.logSoftmax fails to build on M2.1 (docs/dl4j-notes.md §2.8).
            SDVariable shifted = logits.sub(logits.max(true, 1));
            SDVariable logProbs = shifted.sub(sd.math.log(sd.math.exp(shifted).sum(true, 1)));
            exampleLoss = logProbs.mul(targets).sum(1).neg();
        }
        exampleLoss.rename(EXAMPLE_LOSS);
        SDVariable w = sd.placeHolder(EXAMPLE_WEIGHTS, dt, -1);
        SDVariable weighted = exampleLoss.mul(w);
        SDVariable loss = normalisation == LossNormalisation.KERAS ? weighted.mean() : weighted.sum().div(w.sum());
        loss.rename(LOSS);
        sd.setLossVariables(LOSS);
        if (training) sd.createGradFunction(BertModel.INPUT);
    }

    private SDVariable linear(SDVariable x, String prefix) {
        SDVariable w = sd.var(prefix + ".weight", weights.get(prefix + ".weight"));
        SDVariable b = sd.var(prefix + ".bias", weights.get(prefix + ".bias"));
        return sd.mmul(x, w, false, true, false).add(b);
    }

    private SDVariable activation(SDVariable x) {
        return switch (head.activation()) {
            case TANH -> sd.math.tanh(x);
            case RELU -> sd.nn.relu(x, 0);
            case GELU -> x.mul(0.5).mul(sd.math.erf(x.mul(1.0 / Math.sqrt(2.0))).add(1.0));
            case LINEAR -> x;
        };
    }

    /** Width of the vector the head dropout applies to. */
    public long headDropoutWidth() {
        return head.dropoutWidth(config);
    }
}
