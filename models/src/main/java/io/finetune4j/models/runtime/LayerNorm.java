package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static io.finetune4j.models.runtime.KernelMath.centre;
import static io.finetune4j.models.runtime.KernelMath.dot;
import static io.finetune4j.models.runtime.KernelMath.sum;
import static io.finetune4j.models.runtime.KernelMath.sumParts;
import static io.finetune4j.models.runtime.KernelThreads.THREADS;
import static io.finetune4j.models.runtime.KernelThreads.parallel;
import static io.finetune4j.models.runtime.KernelThreads.scratch;

/**
 * LayerNorm over the last axis of z = (x + bias) · mask + residual, for x [N, H] and the optional bias [H], mask [N, H]
 * (a dropout mask) and residual [N, H]: (z - mean) / √(variance + eps) · gamma + beta, in one pass over the data.
 * Plain LayerNorm has none of the three; a transformer sublayer's end has all of them (x is then a linear layer's
 * matmul output). M2.1 needs a bias add, a multiply, a residual add and 11 ops for LayerNorm, whose built-in op has no
 * epsilon (docs/dl4j-notes.md §2.6).
 *
 * <p>Inputs x, then bias, mask, residual where the numbers (has bias, has mask, has residual) say so, then gamma,
 * beta; epsilon is the op's number. Its gradient is {@link Grad}.
 */
public final class LayerNorm extends JavaOp {
    public LayerNorm() {
    }

    LayerNorm(SameDiff sd, SDVariable x, SDVariable bias, SDVariable mask, SDVariable residual, SDVariable gamma,
              SDVariable beta, double eps) {
        super(sd, present(x, bias, mask, residual, gamma, beta));
        addIArgument(bias == null ? 0 : 1, mask == null ? 0 : 1, residual == null ? 0 : 1);
        addTArgument(eps);
    }

    @Override
    public String opName() {
        return "finetune4j_layer_norm";
    }

    @Override
    protected void compute(FloatBuffer[] in, long[][] inShapes, FloatBuffer[] out) {
        Inputs n = new Inputs(iArguments, in, inShapes);
        float[] gamma = read(in[n.gamma], n.h), beta = read(in[n.gamma + 1], n.h);
        float eps = (float) (double) tArguments.get(0);
        int h = n.h;
        parallel(n.rows, 16, h, (from, to, part) -> {
            float[] x = scratch(0, h), m = scratch(1, h);
            for (int r = from; r < to; r++) {
                n.z(r, x, m);
                float inverse = centre(x, h, eps);
                for (int j = 0; j < h; j++) x[j] = x[j] * inverse * gamma[j] + beta[j];   // vectorised
                out[0].put(r * h, x, 0, h);
            }
        });
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grads) {
        SDVariable[] args = args();
        List<SDVariable> gradInputs = new ArrayList<>(List.of(args));
        gradInputs.remove(gradInputs.size() - 1);   // beta is not needed
        gradInputs.add(grads.get(0));
        Grad op = new Grad(sameDiff, gradInputs.toArray(new SDVariable[0]), iArguments,
                tArguments.get(0));
        SDVariable[] g = op.outputVariables();      // dz, [dx = dz · mask], [dbias], dgamma, dbeta
        boolean bias = iArguments.get(0) == 1, mask = iArguments.get(1) == 1, residual = iArguments.get(2) == 1;
        int k = 1;
        List<SDVariable> out = new ArrayList<>();
        // A gradient that passes through unchanged goes through identity(): SameDiff renames what it is given.
        out.add(mask ? g[k++] : sameDiff.identity(g[0]));
        if (bias) out.add(g[k++]);
        if (mask) out.add(sameDiff.zerosLike(args[out.size()]));   // masks need none; never run
        if (residual) out.add(sameDiff.identity(g[0]));
        out.add(g[k++]);
        out.add(g[k]);
        return out;
    }

    /**
     * LayerNorm's gradient: inputs as {@link LayerNorm}'s but without beta, then g [N, H]; outputs dz [N, H], then
     * dx = dz · mask if there is a mask, the bias gradient Σ_rows dx if there is a bias, dgamma [H] and dbeta [H].
     * With x̂ = (z - mean)·σ⁻¹ recomputed per row: dz = σ⁻¹ · (d - mean(d) - x̂ · mean(d · x̂)) where d = g · gamma;
     * dgamma = Σ_rows g · x̂; dbeta = Σ_rows g.
     */
    public static final class Grad extends JavaOp {
        public Grad() {
        }

        Grad(SameDiff sd, SDVariable[] inputs, List<Long> flags, double eps) {
            super(sd, inputs);
            for (long f : flags) addIArgument(f);
            addTArgument(eps);
        }

        @Override
        public String opName() {
            return "finetune4j_layer_norm_grad";
        }

        @Override
        public int getNumOutputs() {
            return iArguments.size() < 3 ? 3 : 3 + (int) (iArguments.get(0) + iArguments.get(1));
        }

        @Override
        protected List<long[]> outputShapes(List<long[]> in) {
            long[] rows = in.get(0), row = in.get(in.size() - 2);   // x, gamma
            List<long[]> out = new ArrayList<>(List.of(rows));
            if (iArguments.get(1) == 1) out.add(rows);
            if (iArguments.get(0) == 1) out.add(row);
            out.add(row);
            out.add(row);
            return out;
        }

        @Override
        protected void compute(FloatBuffer[] in, long[][] inShapes, FloatBuffer[] out) {
            Inputs n = new Inputs(iArguments, in, inShapes);
            int h = n.h;
            float[] gamma = read(in[n.gamma], h);
            float eps = (float) (double) tArguments.get(0);
            boolean bias = iArguments.get(0) == 1, mask = iArguments.get(1) == 1;
            float[][] dGammas = new float[THREADS][h], dBetas = new float[THREADS][h];
            float[][] dBiases = new float[THREADS][bias ? h : 0];
            parallel(n.rows, 16, h, (from, to, part) -> {
                float[] x = scratch(0, h), m = scratch(1, h), g = scratch(2, h), d = scratch(3, h);
                float[] dGamma = dGammas[part], dBeta = dBetas[part], dBias = dBiases[part];
                for (int r = from; r < to; r++) {
                    n.z(r, x, m);
                    in[n.gamma + 1].get(r * h, g, 0, h);
                    // Simple loops over one row, each of which the JIT vectorises.
                    float inverse = centre(x, h, eps);
                    for (int j = 0; j < h; j++) x[j] *= inverse;                   // x̂
                    for (int j = 0; j < h; j++) d[j] = g[j] * gamma[j];
                    for (int j = 0; j < h; j++) dGamma[j] += g[j] * x[j];
                    for (int j = 0; j < h; j++) dBeta[j] += g[j];
                    float meanD = sum(d, h) / h, meanDx = dot(d, x, h) / h;
                    for (int j = 0; j < h; j++) d[j] = inverse * (d[j] - meanD - x[j] * meanDx);
                    out[0].put(r * h, d, 0, h);
                    if (mask) {
                        for (int j = 0; j < h; j++) d[j] *= m[j];
                        out[1].put(r * h, d, 0, h);
                    }
                    if (bias) for (int j = 0; j < h; j++) dBias[j] += d[j];
                }
            });
            int k = mask ? 2 : 1;
            if (bias) out[k++].put(0, sumParts(dBiases, h));
            out[k++].put(0, sumParts(dGammas, h));
            out[k].put(0, sumParts(dBetas, h));
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            throw new UnsupportedOperationException("second derivatives of LayerNorm are not implemented");
        }
    }

    /** Where LayerNorm's optional inputs are, and z = (x + bias) · mask + residual for one row. */
    private static final class Inputs {
        final FloatBuffer x, bias, mask, residual;
        final float[] biasRow;
        final int h, rows, gamma;

        Inputs(List<Long> flags, FloatBuffer[] in, long[][] shapes) {
            int k = 0;
            x = in[k++];
            bias = flags.get(0) == 1 ? in[k++] : null;
            mask = flags.get(1) == 1 ? in[k++] : null;
            residual = flags.get(2) == 1 ? in[k++] : null;
            gamma = k;
            h = (int) shapes[0][shapes[0].length - 1];
            rows = x.limit() / h;
            biasRow = bias == null ? null : read(bias, h);
        }

        /** Row r of z into {@code z}, using {@code m} for the mask row (left holding it). */
        void z(int r, float[] z, float[] m) {
            x.get(r * h, z, 0, h);
            if (biasRow != null) for (int j = 0; j < h; j++) z[j] += biasRow[j];
            if (mask != null) {
                mask.get(r * h, m, 0, h);
                for (int j = 0; j < h; j++) z[j] *= m[j];
            }
            if (residual != null) {
                float[] res = scratch(4, h);
                residual.get(r * h, res, 0, h);
                for (int j = 0; j < h; j++) z[j] += res[j];
            }
        }
    }

    private static SDVariable[] present(SDVariable... variables) {
        return Arrays.stream(variables).filter(Objects::nonNull).toArray(SDVariable[]::new);
    }
}
