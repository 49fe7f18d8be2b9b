package io.finetune4j.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 */
public record BertConfig(String modelType, int vocabSize, int hiddenSize, int numLayers, int numHeads,
                         int intermediateSize, int maxPositions, int typeVocabSize, double layerNormEps,
                         String hiddenAct, boolean doLowerCase, boolean hasPooler) {

    public static final String BERT = "bert";
    public static final String DISTILBERT = "distilbert";
    private static final ObjectMapper JSON = new ObjectMapper();

    public BertConfig {
        if (hiddenSize % numHeads != 0) {
            throw new ModelException("hidden size " + hiddenSize + " is not divisible by " + numHeads + " heads");
        }
        if (!hiddenAct.equals("gelu")) {
            throw new ModelException("activation '" + hiddenAct + "' is not supported (only exact 'gelu')");
        }
    }

    public boolean isDistilBert() {
        return DISTILBERT.equals(modelType);
    }

    public int headSize() {
        return hiddenSize / numHeads;
    }

    public BertConfig withPooler(boolean pooler) {
        return new BertConfig(modelType, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, hiddenAct, doLowerCase, pooler);
    }

    public BertConfig withLayers(int layers) {
        return new BertConfig(modelType, vocabSize, hiddenSize, layers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, hiddenAct, doLowerCase, hasPooler);
    }

    public BertConfig withModelType(String type) {
        return new BertConfig(type, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                type.equals(DISTILBERT) ? 0 : typeVocabSize, layerNormEps, hiddenAct, doLowerCase,
                !type.equals(DISTILBERT) && hasPooler);
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
                        1e-12, act(n.path("activation").asText("gelu")), n.path("do_lower_case").asBoolean(true),
                        false);
            }
            if (!type.equals(BERT)) {
                throw new ModelException(configJson + ": model_type '" + type + "' is not bert or distilbert");
            }
            return new BertConfig(BERT, req(n, "vocab_size", configJson), req(n, "hidden_size", configJson),
                    req(n, "num_hidden_layers", configJson), req(n, "num_attention_heads", configJson),
                    req(n, "intermediate_size", configJson), n.path("max_position_embeddings").asInt(512),
                    n.path("type_vocab_size").asInt(2), n.path("layer_norm_eps").asDouble(1e-12),
                    act(n.path("hidden_act").asText("gelu")), n.path("do_lower_case").asBoolean(true),
                    n.path("has_pooler").asBoolean(true));
        } catch (ModelException e) {
            if (e.getMessage().startsWith(configJson.toString())) throw e;
            throw new ModelException(configJson + ": " + e.getMessage());
        }
    }

    private static String act(String a) {
        // Hugging Face calls the exact erf GELU "gelu"; "gelu_new"/"gelu_pytorch_tanh" are approximations.
        return a;
    }

    private static int req(JsonNode n, String key, Path file) {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new ModelException(file + ": missing or non-integer key '" + key + "'");
        }
        return v.asInt();
    }

    /** Writes this config as a Hugging Face {@code config.json}, so a saved model opens in transformers too. */
    public void write(Path configJson) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("model_type", modelType);
        if (isDistilBert()) {
            n.putArray("architectures").add("DistilBertModel");
            n.put("vocab_size", vocabSize).put("dim", hiddenSize).put("n_layers", numLayers).put("n_heads", numHeads)
                    .put("hidden_dim", intermediateSize).put("max_position_embeddings", maxPositions)
                    .put("activation", hiddenAct).put("sinusoidal_pos_embds", false);
        } else {
            n.putArray("architectures").add("BertModel");
            n.put("vocab_size", vocabSize).put("hidden_size", hiddenSize).put("num_hidden_layers", numLayers)
                    .put("num_attention_heads", numHeads).put("intermediate_size", intermediateSize)
                    .put("max_position_embeddings", maxPositions).put("type_vocab_size", typeVocabSize)
                    .put("layer_norm_eps", layerNormEps).put("hidden_act", hiddenAct)
                    .put("has_pooler", hasPooler);
        }
        n.put("do_lower_case", doLowerCase);
        Files.createDirectories(configJson.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(configJson.toFile(), n);
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
