package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.nio.FloatBuffer;
import java.util.List;

import static io.finetune4j.models.runtime.KernelMath.INV_SQRT2;
import static io.finetune4j.models.runtime.KernelMath.INV_SQRT_PI;
import static io.finetune4j.models.runtime.KernelMath.erf;
import static io.finetune4j.models.runtime.KernelMath.expMinusSquare;
import static io.finetune4j.models.runtime.KernelMath.sumParts;
import static io.finetune4j.models.runtime.KernelThreads.THREADS;
import static io.finetune4j.models.runtime.KernelThreads.parallel;
import static io.finetune4j.models.runtime.KernelThreads.scratch;

/**
 * Exact GELU of x [N, F] plus a bias b [F] on every row: z · Φ(z) with z = x + b, Φ the normal CDF, in one pass
 * (M2.1's {@code erf} is scalar libm, a fifth of an inference pass: docs/dl4j-notes.md §4.3). Its gradient is
 * {@link Grad}.
 */
public final class BiasGelu extends JavaOp {
    public BiasGelu() {
    }

    BiasGelu(SameDiff sd, SDVariable x, SDVariable bias) {
        super(sd, x, bias);
    }

    @Override
    public String opName() {
        return "finetune4j_bias_gelu";
    }

    @Override
    protected void compute(FloatBuffer[] in, long[][] inShapes, FloatBuffer[] out) {
        int f = (int) inShapes[0][inShapes[0].length - 1], rows = in[0].limit() / f;
        float[] bias = read(in[1], f);
        parallel(rows, 4, f, (from, to, part) -> {
            float[] x = scratch(0, f);
            for (int r = from; r < to; r++) {
                in[0].get(r * f, x, 0, f);
                for (int j = 0; j < f; j++) x[j] += bias[j];
                for (int j = 0; j < f; j++) x[j] = 0.5f * x[j] + 0.5f * x[j] * erf(x[j] * INV_SQRT2);
                out[0].put(r * f, x, 0, f);
            }
        });
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grads) {
        SDVariable[] g = new Grad(sameDiff, arg(0), arg(1), grads.get(0)).outputVariables();
        return List.of(g[0], g[1]);
    }

    /**
     * GELU(x + b)'s gradient: inputs x [N, F], b [F], g [N, F]; outputs dx = g · GELU'(z) and db = Σ_rows dx, where
     * GELU'(z) = Φ(z) + z·φ(z) = ½ + ½·erf(u) + u·exp(-u²)/√π with u = z/√2.
     */
    public static final class Grad extends JavaOp {
        public Grad() {
        }

        Grad(SameDiff sd, SDVariable x, SDVariable bias, SDVariable grad) {
            super(sd, x, bias, grad);
        }

        @Override
        public String opName() {
            return "finetune4j_bias_gelu_grad";
        }

        @Override
        public int getNumOutputs() {
            return 2;
        }

        @Override
        protected List<long[]> outputShapes(List<long[]> inputShapes) {
            return List.of(inputShapes.get(0), inputShapes.get(1));
        }

        @Override
        protected void compute(FloatBuffer[] in, long[][] inShapes, FloatBuffer[] out) {
            int f = (int) inShapes[0][inShapes[0].length - 1], rows = in[0].limit() / f;
            float[] bias = read(in[1], f);
            float[][] dBiases = new float[THREADS][f];
            parallel(rows, 4, f, (from, to, part) -> {
                float[] u = scratch(0, f), g = scratch(1, f), d = scratch(2, f), dBias = dBiases[part];
                for (int r = from; r < to; r++) {
                    in[0].get(r * f, u, 0, f);
                    in[2].get(r * f, g, 0, f);
                    // Simple loops, not one: the JIT vectorises each of these, but not their fusion (4 ns an
                    // element against 1.3).
                    for (int j = 0; j < f; j++) u[j] = (u[j] + bias[j]) * INV_SQRT2;
                    for (int j = 0; j < f; j++) {
                        float c = Math.max(-4f, Math.min(4f, u[j]));   // beyond ±4 this term is below 3e-7
                        d[j] = INV_SQRT_PI * c * expMinusSquare(c);
                    }
                    for (int j = 0; j < f; j++) u[j] = erf(u[j]);
                    for (int j = 0; j < f; j++) g[j] *= 0.5f + 0.5f * u[j] + d[j];
                    for (int j = 0; j < f; j++) dBias[j] += g[j];
                    out[0].put(r * f, g, 0, f);
                }
            });
            out[1].put(0, sumParts(dBiases, f));
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            throw new UnsupportedOperationException("second derivatives of GELU are not implemented");
        }
    }
}
