package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Graph ops computed in Java where M2.1's native kernels are slow or take many passes: exact GELU with the bias add
 * before it; a sublayer's bias, dropout, residual add and LayerNorm; the split of Q/K/V into attention heads and the
 * merge back. Each comes with its gradient op.
 *
 * <p>Why: M2.1's {@code erf} is scalar libm ({@code erff}, ~25 cycles an element): 13 ms on a MiniLM [2048, 1536]
 * activation, a fifth of an inference pass, and its gradient is 7 more ops. The loops below evaluate erf as a
 * rational function, which the JIT compiles to vector instructions: GELU's forward pass in ~2 ms. The other ops
 * replace chains of memory-bound M2.1 ops (LayerNorm is 11 of them; a reshape or permute is a copy) with one pass
 * over the data each. A MiniLM training step runs 329 ops instead of 1,051 and takes a quarter less time
 * (bench/RESULTS.md).
 *
 * <p>How: a {@link JavaOp} is a SameDiff custom op whose name no native library knows. SameDiff runs every custom op
 * through {@code Nd4j.getExecutioner().exec(op, context)}, so {@link #enabled} puts a thin proxy in front of the
 * CPU executioner that computes our ops in Java and passes every other call through unchanged; the op classes are
 * registered by name so that SameDiff's FlatBuffers clones (made when it builds a gradient function) re-create them.
 * Only float32 on the CPU backend: elsewhere (double precision, CUDA) the encoder keeps M2.1's ops.
 */
public final class JavaKernels {
    /** Set to {@code false} to use M2.1's ops everywhere (for comparisons). */
    public static final String PROPERTY = "finetune4j.javaKernels";

    private static final int CHUNK = 4096;          // floats per copy: 16 KB in and out stay in L1/L2
    private static final int THREADS = threads();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(Math.max(1, THREADS - 1), r -> {
        Thread t = new Thread(r, "finetune4j-kernels");
        t.setDaemon(true);
        return t;
    });
    private static volatile Boolean installed;

    private JavaKernels() {
    }

    /** True if the graph may use Java ops for arrays of this type (installs the executioner proxy once). */
    public static boolean enabled(DataType dataType) {
        return dataType == DataType.FLOAT && install();
    }

    /** Exact GELU of x [N, F] plus a bias b [F] on every row: z · Φ(z) with z = x + b, Φ the normal CDF. */
    public static SDVariable gelu(SameDiff sd, SDVariable x, SDVariable bias) {
        return new BiasGelu(sd, x, bias).outputVariable();
    }

    /**
     * LayerNorm over the last axis of x [N, H]: (x - mean) / √(variance + eps) · gamma + beta, in one pass over the
     * data (M2.1's ops take 11, and their gradients ~15 more).
     */
    public static SDVariable layerNorm(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta, double eps) {
        return new LayerNorm(sd, x, null, null, null, gamma, beta, eps).outputVariable();
    }

    /**
     * A transformer sublayer's end, in one pass: LayerNorm((x + bias) · mask + residual), for x [N, H] a linear
     * layer's matmul output, bias [H], mask [N, H] a dropout mask (null: none) and residual [N, H] the sublayer's
     * input. M2.1 needs a bias add, a multiply, a residual add and LayerNorm's 11 ops.
     */
    public static SDVariable residualLayerNorm(SameDiff sd, SDVariable x, SDVariable bias, SDVariable mask,
                                               SDVariable residual, SDVariable gamma, SDVariable beta, double eps) {
        return new LayerNorm(sd, x, bias, mask, residual, gamma, beta, eps).outputVariable();
    }

    /**
     * Attention heads from a linear layer's output: ((x + bias) · scale) with x [B·T, H] rearranged to
     * [B, heads, T, H/heads], or with {@code transposed} to [B, heads, H/heads, T] (keys for the scores matmul).
     * B is {@code like}'s first dimension (any array of the batch, e.g. the attention mask). One pass over the data;
     * M2.1 needs a broadcast add, a reshape and a permute, each a copy.
     */
    public static SDVariable splitHeads(SameDiff sd, SDVariable x, SDVariable bias, SDVariable like, int heads,
                                        boolean transposed, double scale) {
        return new SplitHeads(sd, x, bias, like, heads, transposed, scale).outputVariable();
    }

    /** The inverse: [B, heads, T, headSize] (or [B, heads, headSize, T] if transposed) to [B·T, heads·headSize]. */
    public static SDVariable mergeHeads(SameDiff sd, SDVariable x, int heads) {
        return new MergeHeads(sd, x, heads, false, false, 1.0).outputVariable();
    }

    // ---- the ops ----------------------------------------------------------------------------------------------

    /** A custom op computed in Java on float32 arrays; by default one output shaped like the first input. */
    public abstract static class JavaOp extends DynamicCustomOp {
        protected JavaOp() {
        }

        protected JavaOp(SameDiff sd, SDVariable... inputs) {
            super(sd, inputs);
        }

        /** Fills the outputs; each buffer starts at its array's first element (all contiguous, row-major). */
        protected abstract void compute(FloatBuffer[] in, long[][] inShapes, FloatBuffer[] out);

        protected List<long[]> outputShapes(List<long[]> inputShapes) {
            return List.of(inputShapes.get(0));
        }

        @Override
        public List<LongShapeDescriptor> calculateOutputShape() {
            return descriptors(inputArguments());
        }

        @Override
        public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
            return descriptors(oc.getInputArrays());
        }

        private List<LongShapeDescriptor> descriptors(List<INDArray> inputs) {
            List<long[]> shapes = new ArrayList<>();
            for (INDArray a : inputs) shapes.add(a.shape());
            List<LongShapeDescriptor> out = new ArrayList<>();
            for (long[] shape : outputShapes(shapes)) out.add(LongShapeDescriptor.fromShape(shape, DataType.FLOAT));
            return out;
        }

        @Override
        public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
            return java.util.Collections.nCopies(getNumOutputs(), dataTypes.get(0));
        }

        /** No properties (M2.1's default looks them up in the native op descriptors, which do not list ours). */
        @Override
        public Map<String, Object> propertiesForFunction() {
            return Map.of();
        }

        @Override
        public void setPropertiesForFunction(Map<String, Object> properties) {
        }

        /** 0, the hash FlatBuffers gives a custom op that the native library does not list. */
        @Override
        public long opHash() {
            return 0L;
        }

        @Override
        public int getNumOutputs() {
            return 1;
        }

        INDArray[] execute(List<INDArray> inputs, List<INDArray> outputs) {
            FloatBuffer[] in = new FloatBuffer[inputs.size()];
            long[][] shapes = new long[in.length][];
            for (int i = 0; i < in.length; i++) {
                INDArray a = inputs.get(i);
                if (a.ordering() != 'c' || a.elementWiseStride() != 1) a = a.dup('c');   // a strided view
                in[i] = floats(a, "input " + i);
                shapes[i] = a.shape();
            }
            FloatBuffer[] out = new FloatBuffer[outputs.size()];
            for (int i = 0; i < out.length; i++) out[i] = floats(outputs.get(i), "output " + i);
            compute(in, shapes, out);
            return outputs.toArray(new INDArray[0]);
        }

        private FloatBuffer floats(INDArray a, String what) {
            if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.elementWiseStride() != 1
                    || a.offset() + a.length() > Integer.MAX_VALUE)
                throw new IllegalStateException(opName() + ": " + what + " is not a contiguous float32 array: "
                        + a.shapeInfoToString());
            return NativeFloats.view(a).slice((int) a.offset(), (int) a.length());
        }
    }

    /** GELU(x + b) (see {@link #gelu}); its gradient is {@link BiasGeluGrad}. */
    public static final class BiasGelu extends JavaOp {
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
            SDVariable[] g = new BiasGeluGrad(sameDiff, arg(0), arg(1), grads.get(0)).outputVariables();
            return List.of(g[0], g[1]);
        }
    }

    /**
     * GELU(x + b)'s gradient: inputs x [N, F], b [F], g [N, F]; outputs dx = g · GELU'(z) and db = Σ_rows dx, where
     * GELU'(z) = Φ(z) + z·φ(z) = ½ + ½·erf(u) + u·exp(-u²)/√π with u = z/√2.
     */
    public static final class BiasGeluGrad extends JavaOp {
        public BiasGeluGrad() {
        }

        BiasGeluGrad(SameDiff sd, SDVariable x, SDVariable bias, SDVariable grad) {
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

    /**
     * LayerNorm of z = (x + bias) · mask + residual (see {@link #residualLayerNorm}). Inputs x, then bias, mask,
     * residual where the numbers (has bias, has mask, has residual) say so, then gamma, beta; epsilon is the op's
     * number.
     */
    public static final class LayerNorm extends JavaOp {
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
            LayerNormGrad op = new LayerNormGrad(sameDiff, gradInputs.toArray(new SDVariable[0]), iArguments,
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
    }

    /**
     * LayerNorm's gradient: inputs as {@link LayerNorm}'s but without beta, then g [N, H]; outputs dz [N, H], then
     * dx = dz · mask if there is a mask, the bias gradient Σ_rows dx if there is a bias, dgamma [H] and dbeta [H].
     * With x̂ = (z - mean)·σ⁻¹ recomputed per row: dz = σ⁻¹ · (d - mean(d) - x̂ · mean(d · x̂)) where d = g · gamma;
     * dgamma = Σ_rows g · x̂; dbeta = Σ_rows g.
     */
    public static final class LayerNormGrad extends JavaOp {
        public LayerNormGrad() {
        }

        LayerNormGrad(SameDiff sd, SDVariable[] inputs, List<Long> flags, double eps) {
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
        return java.util.Arrays.stream(variables).filter(java.util.Objects::nonNull).toArray(SDVariable[]::new);
    }

    /** The sum over threads of their partial row sums. */
    private static float[] sumParts(float[][] parts, int n) {
        float[] total = new float[n];
        for (float[] p : parts)
            for (int j = 0; j < n; j++) total[j] += p[j];
        return total;
    }

    /** Subtracts the row's mean from x[0, h) and returns 1 / √(variance + eps). */
    private static float centre(float[] x, int h, float eps) {
        float mean = sum(x, h) / h;
        for (int j = 0; j < h; j++) x[j] -= mean;
        return (float) (1.0 / Math.sqrt(sumOfSquares(x, h) / h + eps));
    }

    /**
     * See {@link #splitHeads}. Inputs x [B·T, H], bias [H] (if it has one), like [B, ...]; numbers: heads,
     * transposed, has bias; scale. Its gradient is a {@link MergeHeads} that also sums the bias gradient.
     */
    public static final class SplitHeads extends JavaOp {
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

    /**
     * [B, heads, T, size] (or, transposed, [B, heads, size, T]) to [B·T, heads·size], times scale; with a bias
     * gradient, also the column sums of the result [heads·size] (the gradient of {@link SplitHeads}' bias). Numbers:
     * heads, transposed, bias gradient; scale.
     */
    public static final class MergeHeads extends JavaOp {
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

    private static float[] read(FloatBuffer b, int n) {
        float[] a = new float[n];
        b.get(0, a);
        return a;
    }

    /* Sums with eight accumulators: no single dependency chain, and the JIT keeps them in registers. */
    private static float sum(float[] a, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            s0 += a[j]; s1 += a[j + 1]; s2 += a[j + 2]; s3 += a[j + 3];
            s4 += a[j + 4]; s5 += a[j + 5]; s6 += a[j + 6]; s7 += a[j + 7];
        }
        for (; j < n; j++) s0 += a[j];
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    private static float sumOfSquares(float[] a, int n) {
        return dot(a, a, n);
    }

    private static float dot(float[] a, float[] b, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            s0 += a[j] * b[j]; s1 += a[j + 1] * b[j + 1]; s2 += a[j + 2] * b[j + 2]; s3 += a[j + 3] * b[j + 3];
            s4 += a[j + 4] * b[j + 4]; s5 += a[j + 5] * b[j + 5]; s6 += a[j + 6] * b[j + 6]; s7 += a[j + 7] * b[j + 7];
        }
        for (; j < n; j++) s0 += a[j] * b[j];
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    // ---- the arithmetic ---------------------------------------------------------------------------------------

    /*
     * erf(x) = x · P(x²) / Q(x²) on [-4, 4], and ±1 beyond (|erf(4)| = 1 - 1.5e-8 rounds to 1 in float32). P has
     * degree 6 and Q degree 4 in x²; the coefficients are our own weighted least-squares (Lawson) fit: 6e-8 maximum
     * absolute error in exact arithmetic, 4e-7 evaluated in float32 (erff: 3e-8). Only + × ÷ min max, so the loops
     * above vectorise.
     */
    private static final float P0 = 1.1283787488937378f, P1 = 0.21404607594013214f, P2 = 0.05244851112365723f,
            P3 = 0.004297574516385794f, P4 = 1.5564411296509206e-4f, P5 = -1.990715190913761e-6f,
            P6 = 1.9214182245264055e-8f;
    private static final float Q1 = 0.5230211019515991f, Q2 = 0.12084277719259262f, Q3 = 0.015560577623546124f,
            Q4 = 0.001099119894206524f;

    static float erf(float u) {
        float x = Math.max(-4f, Math.min(4f, u));
        float s = x * x;
        float p = (((((P6 * s + P5) * s + P4) * s + P3) * s + P2) * s + P1) * s + P0;
        float q = (((Q4 * s + Q3) * s + Q2) * s + Q1) * s + 1f;
        return Math.max(-1f, Math.min(1f, x * p / q));   // the fit overshoots 1 by an ulp near ±4
    }

    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    private static final float INV_SQRT_PI = (float) (1.0 / Math.sqrt(Math.PI));
    /* exp(-t) on [0, 1]: a degree-7 Chebyshev fit (3e-9 relative error). */
    private static final float E0 = 1.0f, E1 = -0.9999999403953552f, E2 = 0.49999845027923584f,
            E3 = -0.16665512323379517f, E4 = 0.0416225828230381f, E5 = -0.008239079266786575f,
            E6 = 0.0012737589422613382f, E7 = -1.2123119813622907e-4f;

    /** exp(-c²) for |c| ≤ 4, as exp(-c²/16)^16 (5e-6 relative, 8e-7 absolute error in float32). */
    static float expMinusSquare(float c) {
        float t = c * c * (1f / 16f);
        float e = ((((((E7 * t + E6) * t + E5) * t + E4) * t + E3) * t + E2) * t + E1) * t + E0;
        e *= e;
        e *= e;
        e *= e;
        return e * e;
    }

    // ---- running them -----------------------------------------------------------------------------------------

    private interface Range {
        void run(int from, int to, int part);
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][CHUNK]);

    /** This thread's scratch array number {@code i}, at least {@code size} long. */
    private static float[] scratch(int i, int size) {
        float[][] all = SCRATCH.get();
        if (all[i].length < size) all[i] = new float[size];
        return all[i];
    }

    /**
     * Splits [0, n) into at most THREADS parts, each a multiple of {@code grain} items (work under 64 K floats is not
     * split); the calling thread runs part 0, pool threads the others.
     */
    private static void parallel(int n, int grain, int floatsPerItem, Range body) {
        int parts = (long) n * floatsPerItem < 65536 ? 1 : Math.max(1, Math.min(THREADS, (n + grain - 1) / grain));
        int per = (n / parts + grain - 1) / grain * grain;
        List<Future<?>> others = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int from = Math.min(n, p * per), to = p == parts - 1 ? n : Math.min(n, (p + 1) * per), part = p;
            if (from < to) others.add(POOL.submit(() -> body.run(from, to, part)));
        }
        body.run(0, Math.min(n, per), 0);
        try {
            for (Future<?> f : others) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a Java kernel", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a Java kernel failed", e.getCause());
        }
    }

    private static int threads() {
        String omp = System.getenv("OMP_NUM_THREADS");
        try {
            if (omp != null) return Math.max(1, Integer.parseInt(omp.trim()));
        } catch (NumberFormatException ignored) {
            // fall through
        }
        return Runtime.getRuntime().availableProcessors();
    }

    // ---- installing them --------------------------------------------------------------------------------------

    private static synchronized boolean install() {
        if (installed != null) return installed;
        installed = false;
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) return false;
        OpExecutioner cpu = Nd4j.getExecutioner();
        // The proxy is written against the CPU executioner only: on CUDA the data would have to go to the host.
        if (!cpu.getClass().getName().equals("org.nd4j.linalg.cpu.nativecpu.ops.NativeOpExecutioner")) return false;
        try {
            registerForCloning(new BiasGelu(), new BiasGeluGrad(), new LayerNorm(), new LayerNormGrad(),
                    new SplitHeads(), new MergeHeads());
            Field instance = Nd4j.class.getDeclaredField("OP_EXECUTIONER_INSTANCE");
            instance.setAccessible(true);
            instance.set(null, Proxy.newProxyInstance(JavaKernels.class.getClassLoader(),
                    new Class<?>[]{OpExecutioner.class}, new Dispatch(cpu)));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot install the Java kernels with this ND4J version (set -D"
                    + PROPERTY + "=false to run without them)", e);
        }
        installed = true;
        return true;
    }

    /**
     * A FlatBuffers clone stores a custom op's hash from the native op list (0 for ours, which it does not list) and
     * its name, and re-creates it from the class registered for that hash and name.
     */
    @SuppressWarnings("unchecked")
    private static void registerForCloning(JavaOp... ops) throws ReflectiveOperationException {
        DifferentialFunctionClassHolder holder = DifferentialFunctionClassHolder.getInstance();
        Field byHashAndName = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClasses");
        byHashAndName.setAccessible(true);
        Map<Long, Map<String, Class<?>>> classes = (Map<Long, Map<String, Class<?>>>) byHashAndName.get(holder);
        for (JavaOp op : ops) {
            Map<String, Class<?>> byName = classes.get(op.opHash());
            if (byName == null) classes.put(op.opHash(), byName = new HashMap<>());
            byName.put(op.opName(), op.getClass());
        }
    }

    /** Our ops in Java; every other call goes to the executioner ND4J made. */
    private record Dispatch(OpExecutioner target) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) throws Throwable {
            if (method.getName().equals("exec") && args != null && args.length >= 1 && args[0] instanceof JavaOp op) {
                if (args.length == 2 && args[1] instanceof OpContext oc)
                    return op.execute(oc.getInputArrays(), oc.getOutputArrays());
                if (args.length == 1) {
                    if (op.outputArguments().isEmpty())
                        for (LongShapeDescriptor d : op.calculateOutputShape()) op.addOutputArgument(Nd4j.create(d));
                    return op.execute(op.inputArguments(), op.outputArguments());
                }
            }
            if (method.getName().equals("calculateOutputShape") && args != null && args[0] instanceof JavaOp op)
                return args.length == 2 ? op.calculateOutputShape((OpContext) args[1]) : op.calculateOutputShape();
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
