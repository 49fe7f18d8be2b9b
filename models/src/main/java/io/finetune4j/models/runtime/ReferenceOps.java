package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link EncoderOps} from plain M2.1 ops, differentiated by M2.1 itself: the reference semantics, as written in
 * Hugging Face's {@code modeling_bert.py}, for any data type and backend. Correctness first: no gradient rules, no
 * fused kernels. Two blocks are built from smaller ops because M2.1's own are wrong for BERT
 * (docs/dl4j-notes.md §2): GELU from {@code erf} (the built-in is the sigmoid approximation) and LayerNorm from mean and
 * variance (the built-in has no epsilon); a linear layer is {@code mmul} + {@code add} ({@code sd.nn.linear} is wrong
 * on the oneDNN builds).
 */
public final class ReferenceOps implements EncoderOps {
    private final SameDiff sd;
    private final Map<String, SDVariable> headShapes = new HashMap<>();   // [B, T, heads, size], built once per graph

    public ReferenceOps(SameDiff sd) {
        this.sd = sd;
    }

    @Override
    public SDVariable linear(SDVariable x, Linear dense) {
        return sd.mmul(x, dense.weight(), false, true, false).add(dense.bias());
    }

    /** GELU(z) = z/2 · (1 + erf(z/√2)). */
    @Override
    public SDVariable geluLinear(SDVariable x, Linear dense) {
        SDVariable z = linear(x, dense);
        return z.mul(0.5).mul(sd.math.erf(z.mul(1 / Math.sqrt(2))).add(1.0));
    }

    @Override
    public SDVariable layerNorm(SDVariable x, Norm norm) {
        SDVariable centred = x.sub(x.mean(true, 1));
        SDVariable inverse = sd.math.rsqrt(centred.mul(centred).mean(true, 1).add(norm.eps()));
        return centred.mul(inverse).mul(norm.gamma()).add(norm.beta());
    }

    @Override
    public SDVariable residualNorm(SDVariable x, Linear dense, SDVariable dropoutMask, SDVariable residual, Norm norm) {
        SDVariable y = linear(x, dense);
        if (dropoutMask != null) y = dropout(y, dropoutMask);
        return layerNorm(y.add(residual), norm);
    }

    @Override
    public Heads heads(SDVariable x, Linear dense, int heads, double scale, SDVariable like) {
        long hidden = dense.weight().getShape()[0];
        SDVariable y = linear(x, dense);
        if (scale != 1.0) y = y.mul(scale);
        SDVariable shape = headShapes.computeIfAbsent(like.name() + "/" + heads + "/" + hidden, k -> {
            SDVariable batchAndTokens = like.shape();                                   // [B, 1, 1, T]
            return sd.concat(0, batchAndTokens.get(SDIndex.interval(0, 1)),            // [B, T, heads, size]
                    batchAndTokens.get(SDIndex.interval(3, 4)),
                    sd.constant(Nd4j.createFromArray((long) heads, hidden / heads)));
        });
        return new RowHeads(sd.reshape(y, shape).permute(0, 2, 1, 3), hidden);
    }

    @Override
    public SDVariable scores(Heads q, Heads k) {
        return sd.mmul(((RowHeads) q).rows, ((RowHeads) k).rows, false, true, false);
    }

    @Override
    public Heads context(SDVariable probs, Heads v) {
        RowHeads values = (RowHeads) v;
        return new RowHeads(sd.mmul(probs, values.rows), values.hidden);
    }

    @Override
    public SDVariable mergeHeads(Heads heads) {
        RowHeads h = (RowHeads) heads;
        return sd.reshape(h.rows.permute(0, 2, 1, 3), -1, h.hidden);
    }

    @Override
    public SDVariable addMask(SDVariable x, SDVariable mask) {
        return x.add(mask);
    }

    @Override
    public SDVariable dropout(SDVariable x, SDVariable mask) {
        return x.mul(mask);
    }

    /** Heads as [B, heads, T, size], with their total width H = heads · size. */
    private record RowHeads(SDVariable rows, long hidden) implements Heads {
    }
}
