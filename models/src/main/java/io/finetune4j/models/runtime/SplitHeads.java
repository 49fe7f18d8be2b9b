package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.nio.FloatBuffer;
import java.util.List;

import static io.finetune4j.models.runtime.KernelThreads.parallel;
import static io.finetune4j.models.runtime.KernelThreads.scratch;

/**
 * Attention heads from a linear layer's output: (x + bias) · scale with x [B·T, H] rearranged to
 * [B, heads, T, H/heads], or with {@code transposed} to [B, heads, H/heads, T] (keys for the scores matmul). B is
 * {@code like}'s first dimension (any array of the batch, e.g. the attention mask). One pass over the data; M2.1
 * needs a broadcast add, a reshape and a permute, each a copy (docs/dl4j-notes.md §4.3).
 *
 * <p>Inputs x [B·T, H], bias [H] (if it has one), like [B, ...]; numbers: heads, transposed, has bias; scale. Its
 * gradient is a {@link MergeHeads} that also sums the bias gradient.
 */
public final class SplitHeads extends JavaOp {
    public SplitHeads() {
    }

    SplitHeads(SameDiff sd, SDVariable x, SDVariable bias, SDVariable like, int heads, boolean transposed,
               double scale) {
        super(sd, bias == null ? new SDVariable[]{x, like} : new SDVariable[]{x, bias, like});
        addIArgument(heads, transposed ? 1 : 0, bias == null ? 0 : 1);
        addTArgument(scale);
    }

    @Override
    public String opName() {
        return "finetune4j_split_heads";
    }

    private boolean hasBias() {
        return iArguments.get(2) == 1;
    }

    @Override
    protected List<long[]> outputShapes(List<long[]> in) {
        long n = in.get(0)[0], h = in.get(0)[1], b = in.get(in.size() - 1)[0], heads = iArguments.get(0);
        return List.of(iArguments.get(1) == 1 ? new long[]{b, heads, h / heads, n / b}
                : new long[]{b, heads, n / b, h / heads});
    }

    @Override
    protected void compute(FloatBuffer[] in, long[][] inShapes, FloatBuffer[] out) {
        int h = (int) inShapes[0][1], b = (int) inShapes[inShapes.length - 1][0], t = (int) inShapes[0][0] / b;
        int heads = (int) (long) iArguments.get(0), size = h / heads;
        float scale = (float) (double) tArguments.get(0);
        float[] bias = hasBias() ? read(in[1], h) : new float[h];
        if (iArguments.get(1) == 0) {
            parallel(b * t, 16, h, (from, to, part) -> {
                float[] x = scratch(0, h);
                for (int r = from; r < to; r++) {
                    in[0].get(r * h, x, 0, h);
                    for (int j = 0; j < h; j++) x[j] = (x[j] + bias[j]) * scale;
                    int batch = r / t, token = r % t;
                    for (int k = 0; k < heads; k++)
                        out[0].put(((batch * heads + k) * t + token) * size, x, k * size, size);
                }
            });
        } else {   // a [T, size] block per batch and head, written transposed
            parallel(b * heads, 1, t * size, (from, to, part) -> {
                float[] block = scratch(0, t * size), transposed = scratch(1, t * size);
                for (int bk = from; bk < to; bk++) {
                    int batch = bk / heads, k = bk % heads;
                    for (int token = 0; token < t; token++)
                        in[0].get((batch * t + token) * h + k * size, block, token * size, size);
                    for (int d = 0; d < size; d++) {
                        float add = bias[k * size + d];
                        for (int token = 0; token < t; token++)
                            transposed[d * t + token] = (block[token * size + d] + add) * scale;
                    }
                    out[0].put(bk * size * t, transposed, 0, size * t);
                }
            });
        }
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grads) {
        int heads = (int) (long) iArguments.get(0);
        SDVariable[] g = new MergeHeads(sameDiff, grads.get(0), heads, iArguments.get(1) == 1, hasBias(),
                tArguments.get(0)).outputVariables();
        SDVariable like = sameDiff.zerosLike(arg(args().length - 1));   // never run: nothing reads it
        return hasBias() ? List.of(g[0], g[1], like) : List.of(g[0], like);
    }
}
