package io.finetune4j.models.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.models.ModelException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The shape of a BERT-family encoder, as in Hugging Face's {@code configuration_bert.py} /
 * {@code configuration_distilbert.py}. Config is data: read from {@code config.json}, or derived from the weights
 * of checkpoints that ship without one (the TF and ONNX jars).
 *
 * @param modelType       {@code bert} or {@code distilbert}
 * @param typeVocabSize   0 for DistilBERT (no token-type embeddings)
 * @param hasPooler       BERT's dense+tanh over [CLS]; false for DistilBERT and for exports without one (MiniLM)
 * @param doLowerCase     the tokenizer's case handling (uncased vocabularies lower-case and strip accents)
 * @param hiddenDropout   dropout after the embeddings and each sublayer output: BERT's {@code hidden_dropout_prob},
 *                        DistilBERT's {@code dropout} (DistilBERT has none after the attention output)
 * @param attentionDropout dropout on the attention probabilities: {@code attention_probs_dropout_prob},
 *                        DistilBERT's {@code attention_dropout}
 * @param classifierDropout the classification head's dropout: BERT's {@code classifier_dropout}, DistilBERT's
 *                        {@code seq_classif_dropout}; null = Hugging Face's fallback ({@link #headDropout})
 */
public record BertConfig(String modelType, int vocabSize, int hiddenSize, int numLayers, int numHeads,
                         int intermediateSize, int maxPositions, int typeVocabSize, double layerNormEps,
                         String hiddenAct, boolean doLowerCase, boolean hasPooler, double hiddenDropout,
                         double attentionDropout, Double classifierDropout) {

    public static final String BERT = "bert";
    public static final String DISTILBERT = "distilbert";
    /** Hugging Face's defaults of hidden_dropout_prob / attention_probs_dropout_prob (and DistilBERT's dropouts). */
    public static final double DEFAULT_DROPOUT = 0.1;
    /** DistilBERT's default seq_classif_dropout. */
    public static final double DISTILBERT_HEAD_DROPOUT = 0.2;
    /** BERT's initializer_range: new weights are normal(0, 0.02). */
    public static final double INITIALIZER_RANGE = 0.02;
    private static final ObjectMapper JSON = new ObjectMapper();

    public BertConfig {
        if (hiddenSize % numHeads != 0) {
            throw new ModelException("hidden size " + hiddenSize + " is not divisible by " + numHeads + " heads");
        }
        if (!hiddenAct.equals("gelu")) {
            throw new ModelException("activation '" + hiddenAct + "' is not supported (only exact 'gelu')");
        }
        for (double p : new double[]{hiddenDropout, attentionDropout, classifierDropout == null ? 0 : classifierDropout}) {
            if (!(p >= 0 && p < 1)) throw new ModelException("a dropout rate must be in [0, 1), not " + p);
        }
    }

    /** A config with Hugging Face's default dropout rates. */
    public BertConfig(String modelType, int vocabSize, int hiddenSize, int numLayers, int numHeads,
                      int intermediateSize, int maxPositions, int typeVocabSize, double layerNormEps,
                      String hiddenAct, boolean doLowerCase, boolean hasPooler) {
        this(modelType, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions, typeVocabSize,
                layerNormEps, hiddenAct, doLowerCase, hasPooler, DEFAULT_DROPOUT, DEFAULT_DROPOUT, null);
    }

    public boolean isDistilBert() {
        return DISTILBERT.equals(modelType);
    }

    public int headSize() {
        return hiddenSize / numHeads;
    }

    /**
     * The dropout of the classification head, as Hugging Face falls back: {@code classifier_dropout} if set, else
     * BERT's {@code hidden_dropout_prob}; DistilBERT's {@code seq_classif_dropout} defaults to 0.2.
     */
    public double headDropout() {
        if (classifierDropout != null) return classifierDropout;
        return isDistilBert() ? DISTILBERT_HEAD_DROPOUT : hiddenDropout;
    }

    public BertConfig withPooler(boolean pooler) {
        return new BertConfig(modelType, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, hiddenAct, doLowerCase, pooler, hiddenDropout, attentionDropout,
                classifierDropout);
    }

    public BertConfig withLayers(int layers) {
        return new BertConfig(modelType, vocabSize, hiddenSize, layers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, hiddenAct, doLowerCase, hasPooler, hiddenDropout, attentionDropout,
                classifierDropout);
    }

    public BertConfig withModelType(String type) {
        return new BertConfig(type, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                type.equals(DISTILBERT) ? 0 : typeVocabSize, layerNormEps, hiddenAct, doLowerCase,
                !type.equals(DISTILBERT) && hasPooler, hiddenDropout, attentionDropout, classifierDropout);
    }

    /** The same shape with other dropout rates ({@code classifier} null = Hugging Face's fallback). */
    public BertConfig withDropout(double hidden, double attention, Double classifier) {
        return new BertConfig(modelType, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, hiddenAct, doLowerCase, hasPooler, hidden, attention, classifier);
    }

    /** Reads a Hugging Face {@code config.json} (BERT or DistilBERT keys). */
    public static BertConfig read(Path configJson) {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readAllBytes(configJson));
        } catch (IOException e) {
            throw new ModelException(configJson + ": cannot read config (" + e.getMessage() + ")");
        }
        if (n == null || !n.isObject()) {
            throw new ModelException(configJson + ": not a JSON object");
        }
        String type = n.path("model_type").asText(BERT);
        try {
            if (type.equals(DISTILBERT)) {
                if (n.path("sinusoidal_pos_embds").asBoolean(false)) {
                    throw new ModelException(configJson + ": sinusoidal_pos_embds=true is not supported");
                }
                return new BertConfig(DISTILBERT, req(n, "vocab_size", configJson), req(n, "dim", configJson),
                        req(n, "n_layers", configJson), req(n, "n_heads", configJson),
                        req(n, "hidden_dim", configJson), n.path("max_position_embeddings").asInt(512), 0,
                        1e-12, act(n, "activation", configJson), n.path("do_lower_case").asBoolean(true), false,
                        rate(n, "dropout", DEFAULT_DROPOUT, configJson),
                        rate(n, "attention_dropout", DEFAULT_DROPOUT, configJson),
                        rate(n, "seq_classif_dropout", DISTILBERT_HEAD_DROPOUT, configJson));
            }
            if (!type.equals(BERT)) {
                throw new ModelException(configJson + ": model_type '" + type + "' is not bert or distilbert");
            }
            String positions = n.path("position_embedding_type").asText("absolute");
            if (!positions.equals("absolute")) {
                throw new ModelException(configJson + ": position_embedding_type '" + positions + "' is not supported "
                        + "(only absolute)");
            }
            return new BertConfig(BERT, req(n, "vocab_size", configJson), req(n, "hidden_size", configJson),
                    req(n, "num_hidden_layers", configJson), req(n, "num_attention_heads", configJson),
                    req(n, "intermediate_size", configJson), n.path("max_position_embeddings").asInt(512),
                    n.path("type_vocab_size").asInt(2), n.path("layer_norm_eps").asDouble(1e-12),
                    act(n, "hidden_act", configJson), n.path("do_lower_case").asBoolean(true),
                    n.path("has_pooler").asBoolean(true),
                    rate(n, "hidden_dropout_prob", DEFAULT_DROPOUT, configJson),
                    rate(n, "attention_probs_dropout_prob", DEFAULT_DROPOUT, configJson),
                    n.hasNonNull("classifier_dropout") ? rate(n, "classifier_dropout", 0, configJson) : null);
        } catch (ModelException e) {
            if (e.getMessage().startsWith(configJson.toString())) throw e;
            throw new ModelException(configJson + ": " + e.getMessage());
        }
    }

    /** The exact erf GELU ("gelu"); the tanh approximations ("gelu_new", "gelu_pytorch_tanh") are refused. */
    private static String act(JsonNode n, String key, Path file) {
        String a = n.path(key).asText("gelu");
        if (!a.equals("gelu")) {
            throw new ModelException(file + ": " + key + " '" + a + "' is not supported (only exact 'gelu')");
        }
        return a;
    }

    private static double rate(JsonNode n, String key, double dflt, Path file) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() < 1)) {
            throw new ModelException(file + ": " + key + " must be a number in [0, 1), not " + v);
        }
        return v.asDouble();
    }

    private static int req(JsonNode n, String key, Path file) {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new ModelException(file + ": missing or non-integer key '" + key + "'");
        }
        return v.asInt();
    }

    /**
     * This config as Hugging Face writes it for the model type ({@code configuration_bert.py} /
     * {@code configuration_distilbert.py} keys), with {@code architectures} = {@code architecture}.
     */
    public ObjectNode toJson(String architecture) {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add(architecture);
        n.put("model_type", modelType);
        if (isDistilBert()) {
            n.put("vocab_size", vocabSize).put("dim", hiddenSize).put("n_layers", numLayers).put("n_heads", numHeads)
                    .put("hidden_dim", intermediateSize).put("max_position_embeddings", maxPositions)
                    .put("activation", hiddenAct).put("sinusoidal_pos_embds", false)
                    .put("dropout", hiddenDropout).put("attention_dropout", attentionDropout)
                    .put("seq_classif_dropout", headDropout()).put("qa_dropout", DEFAULT_DROPOUT);
        } else {
            n.put("vocab_size", vocabSize).put("hidden_size", hiddenSize).put("num_hidden_layers", numLayers)
                    .put("num_attention_heads", numHeads).put("intermediate_size", intermediateSize)
                    .put("max_position_embeddings", maxPositions).put("type_vocab_size", typeVocabSize)
                    .put("layer_norm_eps", layerNormEps).put("hidden_act", hiddenAct)
                    .put("hidden_dropout_prob", hiddenDropout).put("attention_probs_dropout_prob", attentionDropout)
                    .put("position_embedding_type", "absolute");
            if (classifierDropout == null) n.putNull("classifier_dropout");
            else n.put("classifier_dropout", classifierDropout);
        }
        n.put("initializer_range", INITIALIZER_RANGE).put("pad_token_id", 0);
        n.put("do_lower_case", doLowerCase);
        return n;
    }

    /** Writes {@link #toJson} as {@code config.json} of a backbone ({@code BertModel} / {@code DistilBertModel}). */
    public void write(Path configJson) throws IOException {
        write(configJson, toJson(isDistilBert() ? "DistilBertModel" : "BertModel"));
    }

    /** Writes a config tree as Hugging Face does: indented, one trailing newline. */
    public static void write(Path configJson, ObjectNode tree) throws IOException {
        Files.createDirectories(configJson.toAbsolutePath().getParent());
        Files.writeString(configJson, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree) + "\n");
    }

    /**
     * Derives a BERT config from the weights of a checkpoint that has no config.json (TF and ONNX jars).
     * Head count is not stored in the weights: the caller supplies it (from the catalogue or the ONNX graph).
     */
    public static BertConfig inferBert(Map<String, INDArray> weights, int numHeads, boolean doLowerCase) {
        INDArray word = need(weights, "embeddings.word_embeddings.weight");
        int layers = 0;
        while (weights.containsKey("encoder.layer." + layers + ".attention.self.query.weight")) layers++;
        if (layers == 0) throw new ModelException("checkpoint has no encoder.layer.0 weights");
        INDArray inter = need(weights, "encoder.layer.0.intermediate.dense.weight");
        INDArray types = weights.get("embeddings.token_type_embeddings.weight");
        return new BertConfig(BERT, (int) word.size(0), (int) word.size(1), layers, numHeads, (int) inter.size(0),
                (int) need(weights, "embeddings.position_embeddings.weight").size(0),
                types == null ? 0 : (int) types.size(0), 1e-12, "gelu", doLowerCase,
                weights.containsKey("pooler.dense.weight"));
    }

    private static INDArray need(Map<String, INDArray> w, String key) {
        INDArray a = w.get(key);
        if (a == null) throw new ModelException("checkpoint has no tensor '" + key + "'");
        return a;
    }
}
