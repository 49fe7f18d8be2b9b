package io.finetune4j.framework.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.Map;

/**
 * AdamW as in PyTorch's {@code torch.optim.AdamW}: decoupled weight decay ({@code p -= lr·wd·p}) applied before the
 * Adam step, bias-corrected moments. Biases and LayerNorm parameters get no decay, as in Hugging Face's recipes.
 * Parameters are updated in place, so every graph built over the same arrays sees the new values.
 */
public final class AdamW {
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
            if (weightDecay > 0 && decays(name)) p.muli(1 - lr * weightDecay);
            INDArray mt = m.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            INDArray vt = v.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            mt.muli(beta1).addi(g.mul(1 - beta1));
            vt.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            INDArray denom = Transforms.sqrt(vt.div(bc2), false).addi(eps);
            p.subi(mt.div(denom).muli(lr / bc1));
        }
    }
}
