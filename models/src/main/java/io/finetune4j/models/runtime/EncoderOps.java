package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The blocks a transformer encoder is written in, as SameDiff graph ops. The encoder ({@code bert.BertModel}) writes
 * its math once in these terms; {@link CpuRuntime#ops} chooses the implementation: {@link ReferenceOps} builds each
 * block from plain M2.1 ops (the reference semantics), {@link CpuOps} from Java kernels with gradient rules of their
 * own (float32 on the CPU, several times faster). Both compute the same functions and gradients (CpuOpsTest).
 *
 * <p>Activations are rows: x [N, H] with N = batch · tokens. Attention heads are an opaque {@link Heads}, so that each
 * implementation keeps the layouts it needs.
 */
public interface EncoderOps {
    /** A dense layer's parameters: weight [out, in], as the checkpoints store it, and bias [out]. */
    record Linear(SDVariable weight, SDVariable bias) {
    }

    /** A LayerNorm's scale [H], shift [H] and epsilon. */
    record Norm(SDVariable gamma, SDVariable beta, double eps) {
    }

    /** A projection split into attention heads, in whatever layouts the implementation keeps; only these ops read it. */
    interface Heads {
    }

    /** x · Wᵀ + b. */
    SDVariable linear(SDVariable x, Linear dense);

    /** GELU(x · Wᵀ + b), the exact (erf) form. */
    SDVariable geluLinear(SDVariable x, Linear dense);

    /** LayerNorm over the last axis of x [N, H]: (x - mean) / √(variance + eps) · gamma + beta. */
    SDVariable layerNorm(SDVariable x, Norm norm);

    /**
     * A sublayer's end: LayerNorm(dropout(x · Wᵀ + b) + residual), where dropout multiplies by {@code dropoutMask}
     * [N, H] (null: no dropout).
     */
    SDVariable residualNorm(SDVariable x, Linear dense, SDVariable dropoutMask, SDVariable residual, Norm norm);

    /**
     * (x · Wᵀ + b) · scale, for x [B·T, H], as {@code heads} attention heads [B, heads, T, H/heads]. {@code like} is
     * any array of the batch whose first dimension is B and whose last is T (the attention mask [B, 1, 1, T]).
     */
    Heads heads(SDVariable x, Linear dense, int heads, double scale, SDVariable like);

    /** The attention scores q · kᵀ of every head: [B, heads, T, T]. */
    SDVariable scores(Heads q, Heads k);

    /** The context probs · v of every head, for the attention probabilities [B, heads, T, T]. */
    Heads context(SDVariable probs, Heads v);

    /** The heads side by side again: [B·T, H]. */
    SDVariable mergeHeads(Heads heads);

    /** x + mask, where the mask (the additive attention mask) needs no gradient. */
    SDVariable addMask(SDVariable x, SDVariable mask);

    /** x · mask, where the mask (an inverted-dropout mask of x's shape) needs no gradient. */
    SDVariable dropout(SDVariable x, SDVariable mask);

    /** Softmax of the attention scores [B, heads, T, T] over the keys (the last axis). */
    default SDVariable softmax(SDVariable scores) {
        return scores.getSameDiff().nn.softmax(scores, 3);
    }
}
