package io.finetune4j.models.bert;

import io.finetune4j.models.ModelException;
import io.finetune4j.models.runtime.CpuRuntime;
import io.finetune4j.models.runtime.DropoutMasks;
import io.finetune4j.models.runtime.EncoderOps;
import io.finetune4j.models.runtime.EncoderOps.Heads;
import io.finetune4j.models.runtime.EncoderOps.Linear;
import io.finetune4j.models.runtime.EncoderOps.Norm;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The BERT / DistilBERT encoder as a SameDiff graph, module by module as in Hugging Face's {@code modeling_bert.py}
 * (post-LayerNorm transformer, exact erf GELU, additive attention mask), with the checkpoints' parameter names
 * ({@link BertNames}) and the dropout sites and rates of {@link BertConfig}. The math is written once in the blocks
 * of {@link EncoderOps}; {@link CpuRuntime#ops} chooses how they are computed.
 *
 * <p>Two inputs come from outside the graph, because M2.1's ops for them are broken (docs/dl4j-notes.md §2): the
 * summed embedding rows ({@value #INPUT}, from {@link BertEmbeddings}: {@code sd.gather} cannot be back-propagated)
 * and, in training, the dropout masks ({@link #dropoutMasks}, filled by {@link DropoutMasks}: in-graph dropout has
 * no gradient and in-graph random ops repeat their first sample). Batch size and sequence length are dynamic: one
 * graph serves every padded batch shape. Activations inside are rows [B·T, H].
 */
public final class BertModel {
    public static final String INPUT = "input_embeds";          // [B, T, H] summed embedding rows
    public static final String ATTENTION_BIAS = "attention_bias"; // [B, 1, 1, T]: 0 for tokens, -1e9 for padding
    public static final double MASKED = -1e9;

    public final SDVariable lastHidden;  // [B, T, H]
    public final SDVariable pooled;      // [B, H] (pooler output), or null
    public final List<SDVariable> hiddenStates = new ArrayList<>(); // embeddings output + each layer, [B*T, H]

    private final SameDiff sd;
    private final BertConfig config;
    private final BertNames names;
    private final Map<String, INDArray> weights;
    private final boolean training;
    private final EncoderOps ops;

    /**
     * Adds the encoder to {@code sd}, built from the ops {@link CpuRuntime#ops} chooses for the weights' data type.
     * The weight arrays are used as they are (not copied): a trainer that updates them in place updates every graph
     * built over them.
     *
     * @param training true adds dropout-mask placeholders (see {@link #dropoutMasks})
     */
    public BertModel(SameDiff sd, BertConfig config, Map<String, INDArray> weights, boolean training) {
        this(sd, config, weights, training, CpuRuntime.ops(sd, dtype(weights), training));
    }

    /** The same, built from the given ops (tests compare the implementations). */
    public BertModel(SameDiff sd, BertConfig config, Map<String, INDArray> weights, boolean training, EncoderOps ops) {
        this.sd = sd;
        this.config = config;
        this.names = BertNames.of(config);
        this.weights = weights;
        this.training = training;
        this.ops = ops;
        SDVariable input = sd.placeHolder(INPUT, dtype(weights), -1, -1, config.hiddenSize());
        SDVariable attentionBias = sd.placeHolder(ATTENTION_BIAS, dtype(weights), -1, 1, 1, -1);
        SDVariable h = embeddings(input);
        hiddenStates.add(h);
        for (int l = 0; l < config.numLayers(); l++) {
            h = layer(l, h, attentionBias);
            hiddenStates.add(h);
        }
        lastHidden = sd.reshape("last_hidden_state", h, input.shape());
        pooled = config.hasPooler() && names.pooler() != null ? pooler(lastHidden) : null;
    }

    /** BertEmbeddings after the lookup: dropout(LayerNorm(word + position + token-type rows)). */
    private SDVariable embeddings(SDVariable input) {
        SDVariable rows = sd.reshape(input, -1, config.hiddenSize());
        return dropout(ops.layerNorm(rows, norm(names.embeddingsNorm())), "embeddings");
    }

    /** BertLayer: attention (self-attention, then its output sublayer), then the feed-forward sublayer. */
    private SDVariable layer(int l, SDVariable h, SDVariable attentionBias) {
        SDVariable attention = selfOutput(l, selfAttention(l, h, attentionBias), h);
        return output(l, intermediate(l, attention), attention);
    }

    /** BertSelfAttention: softmax(q · kᵀ / √headSize + mask) · v per head, the heads merged back. */
    private SDVariable selfAttention(int l, SDVariable h, SDVariable attentionBias) {
        int heads = config.numHeads();
        Heads q = ops.heads(h, linear(names.query(l)), heads, 1 / Math.sqrt(config.headSize()), attentionBias);
        Heads k = ops.heads(h, linear(names.key(l)), heads, 1.0, attentionBias);
        Heads v = ops.heads(h, linear(names.value(l)), heads, 1.0, attentionBias);
        SDVariable probs = ops.softmax(ops.addMask(ops.scores(q, k), attentionBias));
        probs = dropout(probs, "layer" + l + ".attention_probs");
        return ops.mergeHeads(ops.context(probs, v));
    }

    /** BertSelfOutput: LayerNorm(dropout(dense(x)) + input); DistilBERT has no dropout there. */
    private SDVariable selfOutput(int l, SDVariable x, SDVariable input) {
        String site = config.isDistilBert() ? null : "layer" + l + ".attention_output";
        return ops.residualNorm(x, linear(names.attentionOutput(l)), mask(site), input, norm(names.attentionNorm(l)));
    }

    /** BertIntermediate: GELU(dense(x)). */
    private SDVariable intermediate(int l, SDVariable x) {
        return ops.geluLinear(x, linear(names.intermediate(l)));
    }

    /** BertOutput: LayerNorm(dropout(dense(x)) + input). */
    private SDVariable output(int l, SDVariable x, SDVariable input) {
        String site = "layer" + l + ".output";
        return ops.residualNorm(x, linear(names.output(l)), mask(site), input, norm(names.outputNorm(l)));
    }

    /** BertPooler: tanh(dense(h[:, 0])), the [CLS] position. */
    private SDVariable pooler(SDVariable lastHidden) {
        SDVariable cls = lastHidden.get(SDIndex.all(), SDIndex.point(0), SDIndex.all());
        return sd.math.tanh("pooler_output", ops.linear(cls, linear(names.pooler())));
    }

    // ---- parameters and dropout ------------------------------------------------------------------------------

    private Linear linear(String prefix) {
        return new Linear(param(prefix + ".weight"), param(prefix + ".bias"));
    }

    private Norm norm(String prefix) {
        return new Norm(param(prefix + ".weight"), param(prefix + ".bias"), config.layerNormEps());
    }

    private SDVariable param(String name) {
        SDVariable existing = sd.getVariable(name);
        if (existing != null) return existing;
        INDArray w = weights.get(name);
        if (w == null) throw new ModelException("missing weight '" + name + "'");
        return sd.var(name, w);
    }

    private SDVariable dropout(SDVariable x, String site) {
        SDVariable mask = mask(site);
        return mask == null ? x : ops.dropout(x, mask);
    }

    /** The mask placeholder of a dropout site, or null: not training, or the site's rate (from the config) is 0. */
    private SDVariable mask(String site) {
        if (!training || site == null) return null;
        boolean attention = site.endsWith("attention_probs");
        if ((attention ? config.attentionDropout() : config.hiddenDropout()) == 0) return null;
        long[] shape = new long[attention ? 4 : 2];
        Arrays.fill(shape, -1);
        return sd.placeHolder(maskName(site), dtype(weights), shape);
    }

    /**
     * Placeholder name → shape and rate of every dropout mask for a batch of {@code b} sequences of length
     * {@code t}: the sites of Hugging Face's model (embeddings, attention probabilities, attention output (not in
     * DistilBERT), feed-forward output) whose rate is above 0. A site at rate 0 has no mask and no op.
     */
    public static Map<String, DropoutMasks.Mask> dropoutMasks(BertConfig config, long b, long t) {
        Map<String, DropoutMasks.Mask> masks = new LinkedHashMap<>();
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

    public BertConfig config() {
        return config;
    }

    public SameDiff sameDiff() {
        return sd;
    }

    static DataType dtype(Map<String, INDArray> weights) {
        return weights.values().iterator().next().dataType();
    }
}
