package io.finetune4j.models.bert;

import io.finetune4j.models.ModelException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DistilBERT initialised from BERT weights, as the DistilBERT paper did it ({@code extract_distilbert.py} in
 * Hugging Face's distillation example): the student keeps some of the teacher's layers (every other one for the
 * original 6-of-12), its embeddings are BERT's with token-type row 0 folded into every position row (DistilBERT has
 * no token types; BERT single-segment input always adds row 0), and each kept layer is renamed
 * {@code encoder.layer.i.*} → {@code transformer.layer.j.*}. The pooler, the NSP head and the other token-type rows
 * are dropped. A BERT masked-LM head ({@code cls.predictions.*}) becomes DistilBertForMaskedLM's
 * {@code vocab_transform}, {@code vocab_layer_norm} and {@code vocab_projector.bias}, as DistilBERT's extraction
 * script does.
 *
 * <p>With every layer kept, the DistilBERT computes exactly BERT's hidden states for inputs whose token types are
 * all 0 (only the order of one float addition differs).
 */
public final class DistilBertConversion {
    private DistilBertConversion() {
    }

    /** The converted weights and their config. */
    public record Result(BertConfig config, LinkedHashMap<String, INDArray> weights) {
    }

    /**
     * DistilBERT-named copies of {@code weights} (canonical BERT names, as a {@code Backbone} holds them) keeping the
     * BERT layers {@code keepLayers} in that order. The arrays are fresh copies: training the DistilBERT does not
     * change the BERT.
     */
    public static LinkedHashMap<String, INDArray> fromBert(BertConfig bert, Map<String, INDArray> weights,
                                                           int[] keepLayers) {
        return convert(bert, weights, keepLayers).weights();
    }

    /** The DistilBERT config for {@code keepLayers} of {@code bert}: same sizes, no token types, no pooler. */
    public static BertConfig config(BertConfig bert, int[] keepLayers) {
        checkLayers(bert, keepLayers);
        return bert.withModelType(BertConfig.DISTILBERT).withLayers(keepLayers.length);
    }

    /** Weights and config together. */
    public static Result convert(BertConfig bert, Map<String, INDArray> weights, int[] keepLayers) {
        if (bert.isDistilBert()) throw new ModelException("the source model is already a DistilBERT");
        BertConfig distil = config(bert, keepLayers);
        BertNames.validate("BERT weights", bert, weights);
        BertNames b = BertNames.BERT, d = BertNames.DISTILBERT;
        LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
        copy(weights, b.wordEmbeddings(), out, d.wordEmbeddings(), ".weight");

        INDArray position = weights.get(b.positionEmbeddings() + ".weight").dup('c');
        if (bert.typeVocabSize() > 0) {
            INDArray typeRow0 = weights.get(b.tokenTypeEmbeddings() + ".weight")
                    .get(NDArrayIndex.interval(0, 1), NDArrayIndex.all());
            position.addiRowVector(typeRow0.reshape(1, bert.hiddenSize()).castTo(position.dataType()));
        }
        out.put(d.positionEmbeddings() + ".weight", position);
        linearOrNorm(weights, b.embeddingsNorm(), out, d.embeddingsNorm());

        for (int j = 0; j < keepLayers.length; j++) {
            int i = keepLayers[j];
            linearOrNorm(weights, b.query(i), out, d.query(j));
            linearOrNorm(weights, b.key(i), out, d.key(j));
            linearOrNorm(weights, b.value(i), out, d.value(j));
            linearOrNorm(weights, b.attentionOutput(i), out, d.attentionOutput(j));
            linearOrNorm(weights, b.attentionNorm(i), out, d.attentionNorm(j));
            linearOrNorm(weights, b.intermediate(i), out, d.intermediate(j));
            linearOrNorm(weights, b.output(i), out, d.output(j));
            linearOrNorm(weights, b.outputNorm(i), out, d.outputNorm(j));
        }
        if (weights.containsKey("cls.predictions.bias") && weights.containsKey("cls.predictions.transform.dense.weight")) {
            // DistilBertForMaskedLM's head; vocab_projector.weight is tied to the word embeddings and, as in
            // Hugging Face's own files, not stored.
            linearOrNorm(weights, "cls.predictions.transform.dense", out, "vocab_transform");
            linearOrNorm(weights, "cls.predictions.transform.LayerNorm", out, "vocab_layer_norm");
            copy(weights, "cls.predictions.bias", out, "vocab_projector.bias", "");
        }
        BertNames.validate("converted DistilBERT", distil, out);
        return new Result(distil, out);
    }

    /** DistilBERT's own choice for a 12-layer teacher: layers 0, 2, 4, …: every other layer, starting at 0. */
    public static int[] everyOtherLayer(BertConfig bert) {
        int[] keep = new int[(bert.numLayers() + 1) / 2];
        for (int j = 0; j < keep.length; j++) keep[j] = 2 * j;
        return keep;
    }

    private static void checkLayers(BertConfig bert, int[] keepLayers) {
        if (keepLayers == null || keepLayers.length == 0) throw new ModelException("keep at least one layer");
        for (int l : keepLayers) {
            if (l < 0 || l >= bert.numLayers()) {
                throw new ModelException("layer " + l + " does not exist: the BERT has layers 0.." + (bert.numLayers() - 1)
                        + " (asked to keep " + Arrays.toString(keepLayers) + ")");
            }
        }
    }

    private static void linearOrNorm(Map<String, INDArray> in, String from, Map<String, INDArray> out, String to) {
        copy(in, from, out, to, ".weight");
        copy(in, from, out, to, ".bias");
    }

    private static void copy(Map<String, INDArray> in, String from, Map<String, INDArray> out, String to, String suffix) {
        INDArray a = in.get(from + suffix);
        if (a == null) throw new ModelException("BERT weights: missing tensor '" + from + suffix + "'");
        out.put(to + suffix, a.dup('c'));
    }
}
