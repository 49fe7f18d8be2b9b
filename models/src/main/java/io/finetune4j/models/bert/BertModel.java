package io.finetune4j.models.bert;

import io.finetune4j.models.ModelException;
import io.finetune4j.models.runtime.DropoutMasks;
import io.finetune4j.models.runtime.FastBackward;
import io.finetune4j.models.runtime.JavaKernels;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * BERT / DistilBERT encoder as a SameDiff graph, written from ops (post-LayerNorm transformer, biases on Q/K/V/O,
 * exact erf GELU, additive attention mask), in the manner of Hugging Face's {@code modeling_bert.py}.
 *
 * <p>Three choices come from M2.1's measured bugs (docs/dl4j-notes.md §2):
 * <ul>
 *   <li>The embedding tables stay outside the graph ({@link BertEmbeddings}): {@code sd.gather} cannot be
 *       back-propagated, so the summed word+position+type rows come in as the placeholder {@value #INPUT} and its
 *       gradient is scattered back into the tables.</li>
 *   <li>Dropout is {@code x * mask} with masks made outside the graph by a seeded RNG ({@link DropoutMasks}):
 *       the built-in dropout has no gradient and in-graph random ops repeat their first sample.</li>
 *   <li>GELU is built from {@code erf} (the built-in is the sigmoid approximation) and LayerNorm from mean/variance
 *       (the built-in op has no epsilon; BERT's is 1e-12). In float32 on the CPU both are {@link JavaKernels} ops
 *       instead, computing the same functions several times faster.</li>
 * </ul>
 * For speed, the broadcasting adds and multiplies, the dropout and attention masks and the attention matmuls are
 * differentiated by {@link FastBackward}'s rules instead of M2.1's (the same gradients, from faster ops).
 * Batch size and sequence length are dynamic: one graph serves every padded batch shape.
 */
public final class BertModel {
    public static final String INPUT = "input_embeds";          // [B, T, H] summed embedding rows
    public static final String ATTENTION_BIAS = "attention_bias"; // [B, 1, 1, T]: 0 for tokens, -1e9 for padding
    public static final double MASKED = -1e9;

    private final BertConfig config;
    private final BertNames names;
    private final boolean training;
    private final SameDiff sd;
    private final Map<String, INDArray> weights;
    private final DataType dt;
    private final boolean javaKernels;  // float32 on the CPU: GELU and LayerNorm in Java (JavaKernels says why)

    public final SDVariable lastHidden;  // [B, T, H]
    public final SDVariable pooled;      // [B, H] (pooler output), or null
    public final List<SDVariable> hiddenStates = new ArrayList<>(); // embeddings output + each layer, [B*T, H]

    /**
     * Adds the encoder to {@code sd}. The weight arrays are used as they are (not copied): a trainer that updates
     * them in place updates every graph built over them.
     *
     * @param training true adds dropout-mask placeholders (see {@link #dropoutMasks})
     */
    public BertModel(SameDiff sd, BertConfig config, Map<String, INDArray> weights, boolean training) {
        this(sd, config, weights, training, JavaKernels.enabled(dtype(weights)));
    }

    /** @param javaKernels GELU, LayerNorm and the attention-head layouts as {@link JavaKernels} ops (float32, CPU) */
    public BertModel(SameDiff sd, BertConfig config, Map<String, INDArray> weights, boolean training, boolean javaKernels) {
        if (javaKernels && !JavaKernels.enabled(dtype(weights)))
            throw new IllegalArgumentException("Java kernels need float32 weights and the CPU backend");
        this.sd = sd;
        this.config = config;
        this.names = BertNames.of(config);
        this.weights = weights;
        this.training = training;
        this.dt = dtype(weights);
        this.javaKernels = javaKernels;
        int hidden = config.hiddenSize(), heads = config.numHeads(), headSize = config.headSize();

        SDVariable input = sd.placeHolder(INPUT, dt, -1, -1, hidden);
        SDVariable attentionBias = sd.placeHolder(ATTENTION_BIAS, dt, -1, 1, 1, -1);
        SDVariable inputShape = input.shape();                                      // [B, T, H]
        SDVariable headShape = sd.concat(0, inputShape.get(SDIndex.interval(0, 2)), // [B, T, heads, headSize]
                sd.constant(Nd4j.createFromArray((long) heads, (long) headSize)));

        // The ones that FastBackward's gradient rules sum rows and columns with (they are computed only when used).
        sd.reshape(attentionBias, -1).mul(0.0).add(FastBackward.ROW_ONES, 1.0);       // [B*T] (onesLike warns)
        sd.constant(FastBackward.COLUMN_ONES, Nd4j.ones(dt, 1, hidden));               // [1, H]
        SDVariable h = layerNorm(sd.reshape(input, -1, hidden), names.embeddingsNorm());
        h = dropout(h, "embeddings");
        hiddenStates.add(h);
        double scale = 1.0 / Math.sqrt(headSize);
        for (int l = 0; l < config.numLayers(); l++) {
            // Self-attention: [B*T, H] -> [B, heads, T, headSize]; the 1/√headSize goes on the queries (on their
            // weights when M2.1 ops build the heads). Batched matmuls get contiguous operands only, never a
            // transposed one (FastBackward.matmul says why): the keys are made [B, heads, headSize, T], and in
            // training the keys' and values' other layout is kept for the backward pass.
            SDVariable q, keysT, v, keys = null, valuesT = null;   // keys and valuesT: training only
            if (javaKernels) {   // one pass from the matmul output to each head layout, bias and scale included
                SDVariable qx = timesWeight(h, names.query(l));
                SDVariable kx = timesWeight(h, names.key(l));
                SDVariable vx = timesWeight(h, names.value(l));
                SDVariable qb = param(names.query(l) + ".bias"), kb = param(names.key(l) + ".bias");
                SDVariable vb = param(names.value(l) + ".bias");
                q = JavaKernels.splitHeads(sd, qx, qb, attentionBias, heads, false, scale);
                keysT = JavaKernels.splitHeads(sd, kx, kb, attentionBias, heads, true, 1.0);
                v = JavaKernels.splitHeads(sd, vx, vb, attentionBias, heads, false, 1.0);
                if (training) {
                    keys = JavaKernels.splitHeads(sd, kx, kb, attentionBias, heads, false, 1.0);
                    valuesT = JavaKernels.splitHeads(sd, vx, vb, attentionBias, heads, true, 1.0);
                }
            } else {
                q = toHeads(linear(h, names.query(l), scale, scale), headShape);
                SDVariable k = linear(h, names.key(l));
                v = toHeads(linear(h, names.value(l)), headShape);
                if (training) {
                    keys = toHeads(k, headShape);
                    keysT = keys.permute(0, 1, 3, 2);
                    valuesT = v.permute(0, 1, 3, 2);
                } else {
                    keysT = sd.reshape(k, headShape).permute(0, 2, 3, 1);
                }
            }
            SDVariable scores = training ? FastBackward.matmul(sd, q, keysT, keys) : sd.mmul(q, keysT);
            scores = FastBackward.addConstant(sd, scores, attentionBias);                 // [B, heads, T, T]
            SDVariable probs = dropout(sd.nn.softmax(scores, 3), "layer" + l + ".attention_probs");
            SDVariable context = training ? FastBackward.matmul(sd, probs, v, valuesT) : sd.mmul(probs, v);
            context = javaKernels ? JavaKernels.mergeHeads(sd, context, heads)           // [B*T, H]
                    : sd.reshape(context.permute(0, 2, 1, 3), -1, hidden);
            h = sublayerEnd(context, names.attentionOutput(l), 1.0,
                    config.isDistilBert() ? null : "layer" + l + ".attention_output", h, names.attentionNorm(l));
            // Feed-forward with exact GELU(x) = x/2 · (1 + erf(x/√2)). A Java kernel adds the bias and applies GELU
            // in one pass. Otherwise the intermediate layer computes u = x/√2 directly (its weight and bias scaled
            // by 1/√2) and the output layer's weight takes the other 1/√2, so the [B*T, 4H] activations see just
            // erf, an add and a multiply: out = (u · (1 + erf(u))) · (W₂/√2)ᵀ + b₂.
            SDVariable ffn;
            if (javaKernels) {
                String intermediate = names.intermediate(l);
                ffn = JavaKernels.gelu(sd, timesWeight(h, intermediate), param(intermediate + ".bias"));
            } else {
                double s = 1.0 / Math.sqrt(2.0);
                SDVariable u = linear(h, names.intermediate(l), s, s);
                ffn = u.mul(sd.math.erf(u).add(1.0));
            }
            h = sublayerEnd(ffn, names.output(l), javaKernels ? 1.0 : 1.0 / Math.sqrt(2.0), "layer" + l + ".output",
                    h, names.outputNorm(l));
            hiddenStates.add(h);
        }
        lastHidden = sd.reshape("last_hidden_state", h, inputShape);
        if (config.hasPooler() && names.pooler() != null) {
            SDVariable cls = lastHidden.get(SDIndex.all(), SDIndex.point(0), SDIndex.all());
            SDVariable pool = timesWeight(cls, names.pooler())
                    .add(param(names.pooler() + ".bias"));   // [B, H]: small, a broadcast add is fine
            pooled = sd.math.tanh("pooler_output", pool);
        } else {
            pooled = null;
        }
    }

    public BertConfig config() {
        return config;
    }

    public SameDiff sameDiff() {
        return sd;
    }

    /** Names of the graph variables (every encoder weight except the embedding tables, which live outside). */
    public static List<String> graphParameters(BertConfig config) {
        BertNames n = BertNames.of(config);
        List<String> out = new ArrayList<>();
        for (BertNames.Param p : BertNames.expected(config)) {
            String name = p.name();
            if (name.startsWith(n.wordEmbeddings()) || name.startsWith(n.positionEmbeddings())
                    || (n.tokenTypeEmbeddings() != null && name.startsWith(n.tokenTypeEmbeddings()))) continue;
            out.add(name);
        }
        return out;
    }

    /**
     * Placeholder name → shape and rate of every dropout mask for a batch of {@code b} sequences of length
     * {@code t}: the sites of Hugging Face's model (embeddings, attention probabilities, attention output (not in
     * DistilBERT), feed-forward output) whose rate is above 0. A site at rate 0 has no mask and no op.
     */
    public static Map<String, DropoutMasks.Mask> dropoutMasks(BertConfig config, long b, long t) {
        Map<String, DropoutMasks.Mask> masks = new java.util.LinkedHashMap<>();
        long[] rows = {b * t, config.hiddenSize()};
        double hidden = config.hiddenDropout(), attention = config.attentionDropout();
        if (hidden > 0) masks.put(maskName("embeddings"), new DropoutMasks.Mask(rows, hidden));
        for (int l = 0; l < config.numLayers(); l++) {
            if (attention > 0) {
                masks.put(maskName("layer" + l + ".attention_probs"),
                        new DropoutMasks.Mask(new long[]{b, config.numHeads(), t, t}, attention));
            }
            if (hidden > 0 && !config.isDistilBert()) {
                masks.put(maskName("layer" + l + ".attention_output"), new DropoutMasks.Mask(rows, hidden));
            }
            if (hidden > 0) masks.put(maskName("layer" + l + ".output"), new DropoutMasks.Mask(rows, hidden));
        }
        return masks;
    }

    static String maskName(String site) {
        return "dropout." + site;
    }

    // ---- building blocks -------------------------------------------------------------------------------------

    private SDVariable param(String name) {
        SDVariable existing = sd.getVariable(name);
        if (existing != null) return existing;
        INDArray w = weights.get(name);
        if (w == null) throw new ModelException("missing weight '" + name + "'");
        return sd.var(name, w);
    }

    /**
     * x · (weightScale · W)ᵀ + biasScale · b, with W stored [out, in]; scales go on the (small) parameters, not on
     * the activations. ({@code sd.nn.linear} is wrong on the oneDNN builds: docs/dl4j-notes.md §2.7.)
     */
    private SDVariable linear(SDVariable x, String prefix, double weightScale, double biasScale) {
        SDVariable w = param(prefix + ".weight"), b = param(prefix + ".bias");
        if (weightScale != 1.0) w = w.mul(weightScale);
        if (biasScale != 1.0) b = b.mul(biasScale);
        return FastBackward.addRow(sd, sd.mmul(x, w, false, true, false), b);
    }

    /** x · Wᵀ for the layer's weight W, stored [out, in] as in the checkpoints. */
    private SDVariable timesWeight(SDVariable x, String prefix) {
        return sd.mmul(x, param(prefix + ".weight"), false, true, false);
    }

    private SDVariable linear(SDVariable x, String prefix) {
        return linear(x, prefix, 1.0, 1.0);
    }

    /**
     * A sublayer's end: LayerNorm(dropout(x · (weightScale · W)ᵀ + b) + residual), with no dropout if
     * {@code dropoutSite} is null. With Java kernels everything after the matmul is one op.
     */
    private SDVariable sublayerEnd(SDVariable x, String prefix, double weightScale, String dropoutSite,
                                   SDVariable residual, String norm) {
        if (javaKernels && weightScale == 1.0) {
            SDVariable mask = hasDropout(dropoutSite) ? maskPlaceholder(dropoutSite, 2) : null;
            return JavaKernels.residualLayerNorm(sd, timesWeight(x, prefix), param(prefix + ".bias"), mask, residual,
                    param(norm + ".weight"), param(norm + ".bias"), config.layerNormEps());
        }
        SDVariable y = linear(x, prefix, weightScale, 1.0);
        if (dropoutSite != null) y = dropout(y, dropoutSite);
        return layerNorm(FastBackward.addSame(sd, y, residual), norm);
    }

    /** LayerNorm over the last dimension of [B*T, H], with BERT's epsilon (the built-in op has none). */
    private SDVariable layerNorm(SDVariable x, String prefix) {
        if (javaKernels)
            return JavaKernels.layerNorm(sd, x, param(prefix + ".weight"), param(prefix + ".bias"),
                    config.layerNormEps());
        SDVariable centred = FastBackward.addColumn(sd, x, x.mean(true, 1).neg());
        SDVariable variance = centred.mul(centred).mean(true, 1);
        SDVariable inverse = sd.math.rsqrt(variance.add(config.layerNormEps()));            // [B*T, 1]
        SDVariable normed = FastBackward.mulColumn(sd, centred, inverse);
        return FastBackward.addRow(sd, FastBackward.mulRow(sd, normed, param(prefix + ".weight")),
                param(prefix + ".bias"));
    }

    private SDVariable toHeads(SDVariable x, SDVariable headShape) {
        return sd.reshape(x, headShape).permute(0, 2, 1, 3);
    }

    private SDVariable dropout(SDVariable x, String site) {
        if (!hasDropout(site)) return x;
        return FastBackward.mulConstant(sd, x, maskPlaceholder(site, site.endsWith("attention_probs") ? 4 : 2));
    }

    /** Whether a site drops out: training, and its rate (from the config) above 0. */
    private boolean hasDropout(String site) {
        if (!training || site == null) return false;
        return (site.endsWith("attention_probs") ? config.attentionDropout() : config.hiddenDropout()) > 0;
    }

    private SDVariable maskPlaceholder(String site, int rank) {
        long[] shape = new long[rank];
        Arrays.fill(shape, -1);
        return sd.placeHolder(maskName(site), dt, shape);
    }

    static DataType dtype(Map<String, INDArray> weights) {
        return weights.values().iterator().next().dataType();
    }
}
