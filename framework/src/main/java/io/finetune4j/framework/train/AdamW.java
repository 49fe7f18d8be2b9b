package io.finetune4j.framework.train;

import io.finetune4j.models.runtime.NativeFloats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * AdamW as in PyTorch's {@code torch.optim.AdamW}: decoupled weight decay ({@code p -= lr·wd·p}) applied before the
 * Adam step, bias-corrected moments. Biases and LayerNorm parameters get no decay, as in Hugging Face's recipes.
 * Parameters are updated in place, so every graph built over the same arrays sees the new values.
 *
 * <p>Why float32 arrays are updated by a Java loop over the native memory: written with ND4J array ops, one update
 * made about eight temporary arrays the size of the parameter (a 47 MB embedding table gives 370 MB of garbage a
 * step), which ND4J frees only when the garbage collector finds them; the process then grew to the JavaCPP limit
 * and spent its time in page faults. One fused pass reads p, g, m, v once, allocates nothing, and is split
 * across the cores.
 */
public final class AdamW {
    private static final int CHUNK = 1 << 16;
    private final double beta1, beta2, eps, weightDecay;
    private final Map<String, INDArray> m = new HashMap<>(), v = new HashMap<>();
    private int step;

    public AdamW(double weightDecay) {
        this(0.9, 0.999, 1e-8, weightDecay);
    }

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    public static boolean decays(String name) {
        return !(name.endsWith(".bias") || name.contains("LayerNorm") || name.contains("layer_norm"));
    }

    public int steps() {
        return step;
    }

    /** One update of every parameter that has a gradient. */
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            String name = e.getKey();
            INDArray p = params.get(name), g = e.getValue();
            if (p == null) continue;
            double decay = weightDecay > 0 && decays(name) ? 1 - lr * weightDecay : 1;
            INDArray mt = m.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            INDArray vt = v.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            if (p.dataType() == DataType.FLOAT && plain(p)) {
                INDArray gc = plain(g) && g.dataType() == DataType.FLOAT ? g : g.castTo(DataType.FLOAT).dup('c');
                fused(NativeFloats.view(p), NativeFloats.view(gc), NativeFloats.view(mt), NativeFloats.view(vt), (int) p.length(), decay, lr / bc1, Math.sqrt(bc2));
                if (gc != g) gc.close();
            } else {
                arrayOps(p, g, mt, vt, decay, lr, bc1, bc2);
            }
        }
    }

    /** p = p·decay − lr/bc1 · m / (√v / √bc2 + eps), with m and v updated first — PyTorch's order of operations. */
    private void fused(FloatBuffer p, FloatBuffer g, FloatBuffer m, FloatBuffer v, int n, double decay,
                       double stepSize, double sqrtBc2) {
        float b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 - beta1), c2 = (float) (1 - beta2);
        float d = (float) decay, lr = (float) stepSize, s = (float) sqrtBc2, e = (float) eps;
        IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
            int end = Math.min(n, (c + 1) * CHUNK);
            for (int i = c * CHUNK; i < end; i++) {
                float gi = g.get(i);
                float mi = b1 * m.get(i) + c1 * gi;
                float vi = b2 * v.get(i) + c2 * gi * gi;
                m.put(i, mi);
                v.put(i, vi);
                p.put(i, p.get(i) * d - lr * mi / ((float) Math.sqrt(vi) / s + e));
            }
        });
    }

    private void arrayOps(INDArray p, INDArray g, INDArray mt, INDArray vt, double decay, double lr, double bc1, double bc2) {
        if (decay != 1) p.muli(decay);
        mt.muli(beta1).addi(g.mul(1 - beta1));
        vt.muli(beta2).addi(g.mul(g).muli(1 - beta2));
        INDArray denom = Transforms.sqrt(vt.div(bc2), false).addi(eps);
        p.subi(mt.div(denom).muli(lr / bc1));
    }

    /** A whole, c-ordered array with its own buffer: its elements are the buffer's first {@code length()}. */
    static boolean plain(INDArray a) {
        return !a.isView() && a.offset() == 0 && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a)
                && a.data().length() >= a.length();   // pooled buffers may be longer than the array
    }
}
