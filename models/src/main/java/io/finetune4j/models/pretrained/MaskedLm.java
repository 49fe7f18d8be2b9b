package io.finetune4j.models.pretrained;

import io.finetune4j.models.ModelException;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.BertInference;
import io.finetune4j.models.bert.BertNames;
import io.finetune4j.models.tokenizer.Encoding;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * BERT's masked-language-model head over a {@link Backbone} (inference only): Hugging Face's
 * {@code BertOnlyMLMHead}, i.e. {@code cls.predictions.transform.dense} → exact (erf) GELU →
 * {@code cls.predictions.transform.LayerNorm} (eps from the config) → decoder tied to the word embeddings
 * (a separate {@code cls.predictions.decoder.weight} is used if the checkpoint has one) + {@code cls.predictions.bias}.
 * A DistilBERT backbone uses DistilBertForMaskedLM's {@code vocab_transform} → GELU → {@code vocab_layer_norm} →
 * {@code vocab_projector} (tied likewise), the same computation under other names.
 *
 * <p>The encoder runs as a SameDiff graph ({@link BertInference}); the head is a handful of ND4J ops on the
 * hidden states at the {@code [MASK]} positions only, so the [T, vocab] logits of the other tokens are never made.
 *
 * <p>Several {@code [MASK]} tokens in one text are predicted independently from the same forward pass, as
 * Hugging Face's fill-mask pipeline does: {@link #fillMask} answers for the first, {@link #fillMaskAll} for each.
 */
public final class MaskedLm {
    public static final String DENSE = "cls.predictions.transform.dense";
    public static final String NORM = "cls.predictions.transform.LayerNorm";
    public static final String BIAS = "cls.predictions.bias";
    public static final String DECODER = "cls.predictions.decoder.weight";
    /** DistilBertForMaskedLM's names for the same head. */
    public static final String DISTIL_DENSE = "vocab_transform", DISTIL_NORM = "vocab_layer_norm",
            DISTIL_BIAS = "vocab_projector.bias", DISTIL_DECODER = "vocab_projector.weight";
    public static final String MASK_TOKEN = "[MASK]";

    /** One candidate for a masked position: word piece, its id, softmax probability over the vocabulary. */
    public record Prediction(String token, int id, double probability) {
    }

    private final Backbone backbone;
    private final BertConfig config;
    private final BertInference encoder;
    private final INDArray denseW, denseB, normW, normB, decoder, bias;

    public MaskedLm(Backbone backbone) {
        this.backbone = backbone;
        this.config = backbone.config();
        if (!backbone.hasMaskedLmHead()) {
            throw new ModelException(backbone.name() + " has no masked-language-model head (no '"
                    + (config.isDistilBert() ? DISTIL_BIAS + "' / '" + DISTIL_DENSE : BIAS + "' / '" + DENSE)
                    + ".weight' tensors): fill-mask needs a checkpoint saved with its pretraining head, "
                    + "e.g. bert-base-uncased; sentence-embedding models such as all-MiniLM-L6-v2 ship without it");
        }
        if (backbone.tokenizer().maskId() < 0) {
            throw new ModelException(backbone.name() + ": the vocabulary has no " + MASK_TOKEN + " token");
        }
        int h = config.hiddenSize(), v = config.vocabSize();
        var w = backbone.weights();
        boolean distil = config.isDistilBert();
        String dense = distil ? DISTIL_DENSE : DENSE, norm = distil ? DISTIL_NORM : NORM;
        String biasName = distil ? DISTIL_BIAS : BIAS, decoderName = distil ? DISTIL_DECODER : DECODER;
        denseW = tensor(dense + ".weight", h, h);
        denseB = tensor(dense + ".bias", h);
        normW = tensor(norm + ".weight", h);
        normB = tensor(norm + ".bias", h);
        bias = tensor(biasName, v);
        decoder = w.containsKey(decoderName) ? tensor(decoderName, v, h)
                : tensor(BertNames.of(config).wordEmbeddings() + ".weight", v, h);
        this.encoder = new BertInference(config, w);
    }

    private INDArray tensor(String name, long... shape) {
        INDArray a = backbone.weights().get(name);
        if (a == null) throw new ModelException(backbone.name() + ": missing tensor '" + name + "' of the MLM head");
        if (!Arrays.equals(a.shape(), shape)) {
            throw new ModelException(backbone.name() + ": MLM head tensor '" + name + "' has shape "
                    + Arrays.toString(a.shape()) + " but the config implies " + Arrays.toString(shape));
        }
        return a.castTo(DataType.FLOAT);
    }

    public Backbone backbone() {
        return backbone;
    }

    /** The {@code topK} most probable tokens for the first {@code [MASK]} in {@code text}, most probable first. */
    public List<Prediction> fillMask(String text, int topK) {
        return fillMaskAll(text, topK).get(0);
    }

    /**
     * One list of the {@code topK} most probable tokens per {@code [MASK]} in {@code text}, in text order; each
     * position is predicted independently from one forward pass (the other masks stay masked in the input).
     */
    public List<List<Prediction>> fillMaskAll(String text, int topK) {
        if (topK < 1) throw new IllegalArgumentException("topK must be at least 1, got " + topK);
        if (!text.contains(MASK_TOKEN)) {
            throw new ModelException("fill-mask needs the text to contain " + MASK_TOKEN + ": \"" + abbreviate(text) + "\"");
        }
        Encoding enc = backbone.tokenizer().encode(text, config.maxPositions());
        int[] ids = enc.inputIds();
        int maskId = backbone.tokenizer().maskId();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) if (ids[i] == maskId) positions.add(i);
        if (positions.isEmpty()) {
            throw new ModelException("no " + MASK_TOKEN + " left after tokenizing (the text is longer than the model's "
                    + config.maxPositions() + " positions and was cut before it): \"" + abbreviate(text) + "\"");
        }
        INDArray hidden = encoder.forward(new int[][]{ids}, new int[][]{enc.tokenTypeIds()},
                new int[][]{enc.attentionMask()}).lastHidden();                 // [1, T, H]
        INDArray rows = hidden.reshape(ids.length, config.hiddenSize())
                .getRows(positions.stream().mapToInt(Integer::intValue).toArray());
        INDArray logits = logits(rows);
        List<List<Prediction>> out = new ArrayList<>();
        for (int m = 0; m < positions.size(); m++) out.add(top(logits.getRow(m).dup().data().asDouble(), topK));
        return out;
    }

    /** The head: hidden states [N, H] → vocabulary logits [N, V] (float32). */
    public INDArray logits(INDArray hidden) {
        INDArray x = hidden.castTo(DataType.FLOAT).mmul(denseW.transpose()).addiRowVector(denseB);
        // exact GELU: x/2 · (1 + erf(x/√2))
        INDArray erf = x.div(Math.sqrt(2.0));
        Nd4j.getExecutioner().exec(new Erf(erf, erf));
        x.muli(erf.addi(1.0)).muli(0.5);
        // LayerNorm over the hidden dimension
        x.subiColumnVector(x.mean(true, 1));
        INDArray var = x.mul(x).mean(true, 1);
        x.diviColumnVector(Transforms.sqrt(var.addi(config.layerNormEps()), false));
        x.muliRowVector(normW).addiRowVector(normB);
        return x.mmul(decoder.transpose()).addiRowVector(bias);
    }

    /** Softmax over one row of logits (in double), then the k largest. */
    private List<Prediction> top(double[] logits, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) max = Math.max(max, l);
        double sum = 0;
        for (double l : logits) sum += Math.exp(l - max);
        double logZ = max + Math.log(sum);
        PriorityQueue<Integer> heap = new PriorityQueue<>((a, b) -> Double.compare(logits[a], logits[b]));
        for (int i = 0; i < logits.length; i++) {
            if (heap.size() < k) heap.add(i);
            else if (logits[i] > logits[heap.peek()]) {
                heap.poll();
                heap.add(i);
            }
        }
        List<Prediction> out = new ArrayList<>(heap.size());
        while (!heap.isEmpty()) {
            int id = heap.poll();
            out.add(0, new Prediction(backbone.tokenizer().idToToken(id), id, Math.exp(logits[id] - logZ)));
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
