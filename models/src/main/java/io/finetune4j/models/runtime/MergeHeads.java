package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.nio.FloatBuffer;
import java.util.List;

import static io.finetune4j.models.runtime.KernelMath.sumParts;
import static io.finetune4j.models.runtime.KernelThreads.THREADS;
import static io.finetune4j.models.runtime.KernelThreads.parallel;
import static io.finetune4j.models.runtime.KernelThreads.scratch;

/**
 * Attention heads side by side again: [B, heads, T, size] (or, transposed, [B, heads, size, T]) to
 * [B·T, heads·size], times scale, in one pass (M2.1 needs a permute and a reshape, each a copy); with a bias
 * gradient, also the column sums of the result [heads·size] (the gradient of {@link SplitHeads}' bias). Numbers:
 * heads, transposed, bias gradient; scale.
 */
public final class MergeHeads extends JavaOp {
    public MergeHeads() {
    }

    MergeHeads(SameDiff sd, SDVariable x, int heads, boolean transposed, boolean biasGradient, double scale) {
        super(sd, x);
        addIArgument(heads, transposed ? 1 : 0, biasGradient ? 1 : 0);
        addTArgument(scale);
    }

    @Override
    public String opName() {
        return "finetune4j_merge_heads";
    }

    @Override
    public int getNumOutputs() {
        return iArguments.size() > 2 && iArguments.get(2) == 1 ? 2 : 1;
    }

    @Override
    protected List<long[]> outputShapes(List<long[]> in) {
        long[] s = in.get(0);
        boolean transposed = iArguments.get(1) == 1;
        long b = s[0], heads = s[1], t = transposed ? s[3] : s[2], size = transposed ? s[2] : s[3];
        long[] merged = {b * t, heads * size};
        return getNumOutputs() == 2 ? List.of(merged, new long[]{heads * size}) : List.of(merged);
    }

    @Override
    protected void compute(FloatBuffer[] in, long[][] inShapes, FloatBuffer[] out) {
        long[] s = inShapes[0];
        boolean transposed = iArguments.get(1) == 1, biasGradient = iArguments.get(2) == 1;
        int b = (int) s[0], heads = (int) s[1], t = (int) (transposed ? s[3] : s[2]);
        int size = (int) (transposed ? s[2] : s[3]), h = heads * size;
        float scale = (float) (double) tArguments.get(0);
        float[][] sums = new float[THREADS][biasGradient ? h : 0];
        if (!transposed) {
            parallel(b * t, 16, h, (from, to, part) -> {
                float[] x = scratch(0, h), sum = sums[part];
                for (int r = from; r < to; r++) {
                    int batch = r / t, token = r % t;
                    for (int k = 0; k < heads; k++)
                        in[0].get(((batch * heads + k) * t + token) * size, x, k * size, size);
                    for (int j = 0; j < h; j++) x[j] *= scale;
                    if (biasGradient) for (int j = 0; j < h; j++) sum[j] += x[j];
                    out[0].put(r * h, x, 0, h);
                }
            });
        } else {   // per batch and head, a [size, T] block read whole and written as rows
            parallel(b * heads, 1, t * size, (from, to, part) -> {
                float[] block = scratch(0, t * size), rows = scratch(1, t * size), sum = sums[part];
                for (int bk = from; bk < to; bk++) {
                    int batch = bk / heads, k = bk % heads;
                    in[0].get(bk * size * t, block, 0, size * t);
                    for (int d = 0; d < size; d++) {
                        float total = 0;
                        for (int token = 0; token < t; token++) {
                            float v = block[d * t + token] * scale;
                            rows[token * size + d] = v;
                            total += v;
                        }
                        if (biasGradient) sum[k * size + d] += total;
                    }
                    for (int token = 0; token < t; token++)
                        out[0].put((batch * t + token) * h + k * size, rows, token * size, size);
                }
            });
        }
        if (biasGradient) out[1].put(0, sumParts(sums, h));
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grads) {
        if (iArguments.get(2) == 1)
            throw new UnsupportedOperationException("second derivatives of attention heads are not implemented");
        return List.of(new SplitHeads(sameDiff, grads.get(0), null, arg(0), (int) (long) iArguments.get(0),
                iArguments.get(1) == 1, tArguments.get(0)).outputVariable());
    }
}
