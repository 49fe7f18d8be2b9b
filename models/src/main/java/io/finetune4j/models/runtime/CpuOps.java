package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@link EncoderOps} for float32 on the CPU backend: the elementwise work as Java kernels, each with its gradient op
 * ({@link BiasGelu}, {@link LayerNorm}, {@link SplitHeads}, {@link MergeHeads}), the masks and, in training, the
 * attention matmuls with {@link GradientRules}. The matmuls themselves are M2.1's (oneDNN's).
 *
 * <p>Why: M2.1's {@code erf} is scalar libm, its LayerNorm takes 11 ops without an epsilon, and each reshape or
 * permute copies (docs/dl4j-notes.md §2.5, §2.6, §4.3); a MiniLM training step runs 329 ops instead of 1,051 and takes
 * a quarter less time (bench/RESULTS.md).
 *
 * <p>Layouts: batched matmuls get contiguous operands only, never a transposed one (§4.2). A {@link Heads} keeps the
 * projection x · Wᵀ and makes each layout of it once, when an op first asks for it: [B, heads, T, size] for queries
 * and values, [B, heads, size, T] for keys; in training also the keys' and values' other layout, which the gradient
 * rules of the scores and context matmuls read. The bias and the queries' scale go into that same pass.
 *
 * <p>Made by {@link CpuRuntime#ops}, which installs the runtime first.
 */
public final class CpuOps implements EncoderOps {
    private final SameDiff sd;
    private final boolean training;

    CpuOps(SameDiff sd, boolean training) {
        Nd4jHooks.requireInstalled("CpuOps");
        this.sd = sd;
        this.training = training;
    }

    @Override
    public SDVariable linear(SDVariable x, Linear dense) {
        return timesWeight(x, dense).add(dense.bias());   // the pooler's [B, H] only: a broadcast add is fine
    }

    @Override
    public SDVariable geluLinear(SDVariable x, Linear dense) {
        return new BiasGelu(sd, timesWeight(x, dense), dense.bias()).outputVariable();
    }

    @Override
    public SDVariable layerNorm(SDVariable x, Norm norm) {
        return new LayerNorm(sd, x, null, null, null, norm.gamma(), norm.beta(), norm.eps()).outputVariable();
    }

    @Override
    public SDVariable residualNorm(SDVariable x, Linear dense, SDVariable dropoutMask, SDVariable residual, Norm norm) {
        return new LayerNorm(sd, timesWeight(x, dense), dense.bias(), dropoutMask, residual, norm.gamma(), norm.beta(),
                norm.eps()).outputVariable();
    }

    @Override
    public Heads heads(SDVariable x, Linear dense, int heads, double scale, SDVariable like) {
        return new CpuHeads(timesWeight(x, dense), dense.bias(), like, heads, scale);
    }

    @Override
    public SDVariable scores(Heads q, Heads k) {
        CpuHeads queries = (CpuHeads) q, keys = (CpuHeads) k;
        return training ? GradientRules.matmul(sd, queries.rows(), keys.transposed(), keys.rows())
                : sd.mmul(queries.rows(), keys.transposed());
    }

    @Override
    public Heads context(SDVariable probs, Heads v) {
        CpuHeads values = (CpuHeads) v;
        SDVariable context = training ? GradientRules.matmul(sd, probs, values.rows(), values.transposed())
                : sd.mmul(probs, values.rows());
        return new CpuHeads(context, values.heads);
    }

    @Override
    public SDVariable mergeHeads(Heads heads) {
        CpuHeads h = (CpuHeads) heads;
        return new MergeHeads(sd, h.rows(), h.heads, false, false, 1.0).outputVariable();
    }

    @Override
    public SDVariable addMask(SDVariable x, SDVariable mask) {
        return GradientRules.addConstant(sd, x, mask);
    }

    @Override
    public SDVariable dropout(SDVariable x, SDVariable mask) {
        return GradientRules.mulConstant(sd, x, mask);
    }

    /** x · Wᵀ for W stored [out, in]. ({@code sd.nn.linear} is wrong on the oneDNN builds: docs/dl4j-notes.md §2.7.) */
    private SDVariable timesWeight(SDVariable x, Linear dense) {
        return sd.mmul(x, dense.weight(), false, true, false);
    }

    /** Heads of a projection, or of an attention context (which has only its rows). */
    private final class CpuHeads implements Heads {
        private final SDVariable projected, bias, like;   // null for a context
        private final int heads;
        private final double scale;
        private SDVariable rows, transposed;              // [B, heads, T, size], [B, heads, size, T]

        CpuHeads(SDVariable projected, SDVariable bias, SDVariable like, int heads, double scale) {
            this.projected = projected;
            this.bias = bias;
            this.like = like;
            this.heads = heads;
            this.scale = scale;
        }

        CpuHeads(SDVariable rows, int heads) {
            this(null, null, null, heads, 1.0);
            this.rows = rows;
        }

        SDVariable rows() {
            if (rows == null) rows = new SplitHeads(sd, projected, bias, like, heads, false, scale).outputVariable();
            return rows;
        }

        SDVariable transposed() {
            if (transposed == null) {
                if (projected == null) throw new IllegalStateException("an attention context has no transposed layout");
                transposed = new SplitHeads(sd, projected, bias, like, heads, true, scale).outputVariable();
            }
            return transposed;
        }
    }
}
