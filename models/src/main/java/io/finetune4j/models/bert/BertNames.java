package io.finetune4j.models.bert;

import io.finetune4j.models.ModelException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Parameter names as the Hugging Face checkpoints spell them (without the {@code bert.} / {@code distilbert.}
 * prefix), so a state dict maps onto the graph one to one. Linear weights are {@code [out, in]}, as PyTorch stores
 * them; every name below is a prefix to which {@code .weight} / {@code .bias} is appended.
 */
public interface BertNames {
    String wordEmbeddings();

    String positionEmbeddings();

    /** null when the family has no token types (DistilBERT). */
    String tokenTypeEmbeddings();

    String embeddingsNorm();

    String query(int layer);

    String key(int layer);

    String value(int layer);

    String attentionOutput(int layer);

    String attentionNorm(int layer);

    String intermediate(int layer);

    String output(int layer);

    String outputNorm(int layer);

    /** null when the family has no pooler. */
    String pooler();

    static BertNames of(BertConfig config) {
        return config.isDistilBert() ? DISTILBERT : BERT;
    }

    BertNames BERT = new BertNames() {
        public String wordEmbeddings() { return "embeddings.word_embeddings"; }
        public String positionEmbeddings() { return "embeddings.position_embeddings"; }
        public String tokenTypeEmbeddings() { return "embeddings.token_type_embeddings"; }
        public String embeddingsNorm() { return "embeddings.LayerNorm"; }
        public String query(int l) { return "encoder.layer." + l + ".attention.self.query"; }
        public String key(int l) { return "encoder.layer." + l + ".attention.self.key"; }
        public String value(int l) { return "encoder.layer." + l + ".attention.self.value"; }
        public String attentionOutput(int l) { return "encoder.layer." + l + ".attention.output.dense"; }
        public String attentionNorm(int l) { return "encoder.layer." + l + ".attention.output.LayerNorm"; }
        public String intermediate(int l) { return "encoder.layer." + l + ".intermediate.dense"; }
        public String output(int l) { return "encoder.layer." + l + ".output.dense"; }
        public String outputNorm(int l) { return "encoder.layer." + l + ".output.LayerNorm"; }
        public String pooler() { return "pooler.dense"; }
    };

    BertNames DISTILBERT = new BertNames() {
        public String wordEmbeddings() { return "embeddings.word_embeddings"; }
        public String positionEmbeddings() { return "embeddings.position_embeddings"; }
        public String tokenTypeEmbeddings() { return null; }
        public String embeddingsNorm() { return "embeddings.LayerNorm"; }
        public String query(int l) { return "transformer.layer." + l + ".attention.q_lin"; }
        public String key(int l) { return "transformer.layer." + l + ".attention.k_lin"; }
        public String value(int l) { return "transformer.layer." + l + ".attention.v_lin"; }
        public String attentionOutput(int l) { return "transformer.layer." + l + ".attention.out_lin"; }
        public String attentionNorm(int l) { return "transformer.layer." + l + ".sa_layer_norm"; }
        public String intermediate(int l) { return "transformer.layer." + l + ".ffn.lin1"; }
        public String output(int l) { return "transformer.layer." + l + ".ffn.lin2"; }
        public String outputNorm(int l) { return "transformer.layer." + l + ".output_layer_norm"; }
        public String pooler() { return null; }
    };

    /** Every parameter of the encoder with its expected shape, in checkpoint order. */
    static List<Param> expected(BertConfig c) {
        BertNames n = of(c);
        int h = c.hiddenSize(), i = c.intermediateSize();
        List<Param> p = new ArrayList<>();
        p.add(new Param(n.wordEmbeddings() + ".weight", c.vocabSize(), h));
        p.add(new Param(n.positionEmbeddings() + ".weight", c.maxPositions(), h));
        if (n.tokenTypeEmbeddings() != null) p.add(new Param(n.tokenTypeEmbeddings() + ".weight", c.typeVocabSize(), h));
        norm(p, n.embeddingsNorm(), h);
        for (int l = 0; l < c.numLayers(); l++) {
            linear(p, n.query(l), h, h);
            linear(p, n.key(l), h, h);
            linear(p, n.value(l), h, h);
            linear(p, n.attentionOutput(l), h, h);
            norm(p, n.attentionNorm(l), h);
            linear(p, n.intermediate(l), i, h);
            linear(p, n.output(l), h, i);
            norm(p, n.outputNorm(l), h);
        }
        if (c.hasPooler() && n.pooler() != null) linear(p, n.pooler(), h, h);
        return p;
    }

    private static void linear(List<Param> p, String name, long out, long in) {
        p.add(new Param(name + ".weight", out, in));
        p.add(new Param(name + ".bias", out));
    }

    private static void norm(List<Param> p, String name, long h) {
        p.add(new Param(name + ".weight", h));
        p.add(new Param(name + ".bias", h));
    }

    /** Every tensor the config implies is present in {@code weights} with the right shape ({@code source} names them). */
    static void validate(String source, BertConfig config, Map<String, INDArray> weights) {
        for (Param p : expected(config)) {
            INDArray a = weights.get(p.name());
            if (a == null) throw new ModelException(source + ": missing tensor '" + p.name() + "'");
            if (!Arrays.equals(a.shape(), p.shape())) {
                throw new ModelException(source + ": tensor '" + p.name() + "' has shape " + Arrays.toString(a.shape())
                        + " but the config implies " + Arrays.toString(p.shape()));
            }
        }
    }

    record Param(String name, long... shape) {
    }
}
