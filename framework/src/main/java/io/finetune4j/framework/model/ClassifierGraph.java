package io.finetune4j.framework.model;

import io.finetune4j.models.BertConfig;
import io.finetune4j.models.BertEncoder;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Backbone + head + loss as one SameDiff graph. Multi-class: softmax and cross-entropy on one-hot targets;
 * multi-label: sigmoid and binary cross-entropy on 0/1 targets. Each example's loss is multiplied by its weight
 * (class weights) and the batch loss is their sum divided by the batch size, as Keras does with class_weight.
 */
public final class ClassifierGraph {
    public static final String TARGETS = "targets";             // [B, C] one-hot or multi-hot
    public static final String EXAMPLE_WEIGHTS = "example_weights"; // [B]
    public static final String TOKEN_MASK = "token_mask";       // [B, T, 1], for mean pooling
    public static final String HEAD_DROPOUT = "dropout.head";   // [B, hidden or H]
    public static final String LOGITS = "logits", PROBABILITIES = "probabilities";
    public static final String EXAMPLE_LOSS = "example_loss", LOSS = "loss";

    public final SameDiff sd = SameDiff.create();
    public final BertEncoder encoder;
    public final boolean training;
    public final HeadConfig head;

    public ClassifierGraph(BertConfig config, HeadConfig head, Map<String, INDArray> weights, boolean training) {
        this.head = head;
        this.training = training;
        this.encoder = new BertEncoder(sd, config, weights, training);
        DataType dt = weights.get(HeadWeights.OUT + ".weight").dataType();

        SDVariable pooled = switch (head.pooling()) {
            case "pooler" -> {
                if (encoder.pooled == null) {
                    throw new IllegalArgumentException("this backbone has no pooler: use pooling cls or mean");
                }
                yield encoder.pooled;
            }
            case "cls" -> encoder.lastHidden.get(SDIndex.all(), SDIndex.point(0), SDIndex.all());
            default -> {
                SDVariable mask = sd.placeHolder(TOKEN_MASK, dt, -1, -1, 1);
                yield encoder.lastHidden.mul(mask).sum(1).div(mask.sum(1));
            }
        };
        SDVariable x = pooled;
        if (head.hiddenSize() > 0) {
            x = activation(linear(x, HeadWeights.DENSE, weights));
        }
        if (training) x = x.mul(sd.placeHolder(HEAD_DROPOUT, dt, -1, -1));
        SDVariable logits = linear(x, HeadWeights.OUT, weights);
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
            // log-softmax from ops: sd.nn.logSoftmax(x, dim) fails to build on M2.1 ("Error setting property").
            SDVariable shifted = logits.sub(logits.max(true, 1));
            SDVariable logProbs = shifted.sub(sd.math.log(sd.math.exp(shifted).sum(true, 1)));
            exampleLoss = logProbs.mul(targets).sum(1).neg();
        }
        exampleLoss.rename(EXAMPLE_LOSS);
        SDVariable weightsPh = sd.placeHolder(EXAMPLE_WEIGHTS, dt, -1);
        SDVariable loss = exampleLoss.mul(weightsPh).mean();
        loss.rename(LOSS);
        sd.setLossVariables(LOSS);
        if (training) sd.createGradFunction(BertEncoder.INPUT);
    }

    private SDVariable linear(SDVariable x, String prefix, Map<String, INDArray> weights) {
        SDVariable w = sd.var(prefix + ".weight", weights.get(prefix + ".weight"));
        SDVariable b = sd.var(prefix + ".bias", weights.get(prefix + ".bias"));
        return sd.mmul(x, w, false, true, false).add(b);
    }

    private SDVariable activation(SDVariable x) {
        return switch (head.activation()) {
            case "tanh" -> sd.math.tanh(x);
            case "relu" -> sd.nn.relu(x, 0);
            case "gelu" -> x.mul(0.5).mul(sd.math.erf(x.mul(1.0 / Math.sqrt(2.0))).add(1.0));
            default -> x;
        };
    }

    /** Width of the vector the head dropout applies to. */
    public long headDropoutWidth(BertConfig config) {
        return head.hiddenSize() > 0 ? head.hiddenSize() : config.hiddenSize();
    }
}
