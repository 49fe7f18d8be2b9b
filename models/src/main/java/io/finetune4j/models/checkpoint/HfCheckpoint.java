package io.finetune4j.models.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.models.ModelException;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.BertNames;
import io.finetune4j.models.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face checkpoint folder as {@code save_pretrained} writes it: {@code config.json}, {@code model.safetensors}
 * and the tokenizer files. Tensor names are taken as the architecture writes them: a {@code BertModel} without a
 * prefix, a {@code BertFor*} model with {@code bert.} (DistilBERT: {@code distilbert.}) before the encoder's names.
 * Every tensor must belong to the encoder, to a sequence-classification head ({@code classifier.*},
 * {@code pre_classifier.*}) or to a masked-LM head ({@code cls.*}, DistilBERT's {@code vocab_*}); buffers that PyTorch
 * once saved ({@code *.position_ids}) are dropped; anything else is an error naming the file and the tensor.
 *
 * @param config       the encoder's shape and dropout rates (pooler: whether the folder has one)
 * @param configJson   the whole {@code config.json}, for the keys a classifier reads ({@code id2label}, ...)
 * @param encoder      the encoder's tensors (and a masked-LM head's), in the encoder's names without prefix
 * @param head         the sequence-classification head's tensors ({@code classifier.*}, {@code pre_classifier.*});
 *                     empty when there is none
 */
public record HfCheckpoint(Path dir, BertConfig config, ObjectNode configJson, LinkedHashMap<String, INDArray> encoder,
                           LinkedHashMap<String, INDArray> head, WordPieceTokenizer tokenizer) {
    public static final String CONFIG_JSON = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> HEAD_PREFIXES = List.of("classifier.", "pre_classifier.");
    private static final List<String> MASKED_LM_PREFIXES = List.of("cls.", "vocab_transform.", "vocab_layer_norm.",
            "vocab_projector.");

    /** The first entry of {@code architectures} ({@code BertForSequenceClassification}, ...), or "" if none. */
    public String architecture() {
        return configJson.path("architectures").path(0).asText("");
    }

    public static HfCheckpoint read(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelException(dir + ": no such model directory");
        Path configFile = dir.resolve(CONFIG_JSON);
        if (!Files.isRegularFile(configFile)) {
            throw new ModelException(configFile + ": missing (every Hugging Face checkpoint has one)");
        }
        Path weightsFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weightsFile)) {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (only pytorch_model.bin found: convert it with safetensors' convert script)" : "";
            throw new ModelException(weightsFile + ": missing" + hint);
        }
        ObjectNode json;
        try {
            if (!(JSON.readTree(configFile.toFile()) instanceof ObjectNode o)) {
                throw new ModelException(configFile + ": not a JSON object");
            }
            json = o;
        } catch (IOException e) {
            throw new ModelException(configFile + ": cannot read config (" + e.getMessage() + ")");
        }
        BertConfig config = BertConfig.read(configFile);
        String prefix = config.isDistilBert() ? "distilbert." : "bert.";
        LinkedHashMap<String, INDArray> encoder = new LinkedHashMap<>(), head = new LinkedHashMap<>();
        Set<String> expected = new HashSet<>();
        for (BertNames.Param p : BertNames.expected(config.withPooler(!config.isDistilBert()))) expected.add(p.name());
        for (Map.Entry<String, INDArray> e : SafetensorsFile.read(weightsFile).entrySet()) {
            String name = e.getKey().startsWith(prefix) ? e.getKey().substring(prefix.length()) : e.getKey();
            if (expected.contains(name) || MASKED_LM_PREFIXES.stream().anyMatch(name::startsWith)) {
                encoder.put(name, e.getValue());
            } else if (HEAD_PREFIXES.stream().anyMatch(name::startsWith)) {
                head.put(name, e.getValue());
            } else if (!name.endsWith("position_ids") && !name.endsWith("embeddings.token_type_ids")) {
                throw new ModelException(weightsFile + ": tensor '" + e.getKey() + "' is not part of a "
                        + (config.isDistilBert() ? "DistilBERT" : "BERT") + " encoder, classifier or masked-LM head");
            }
        }
        BertNames n = BertNames.of(config);
        config = config.withPooler(n.pooler() != null && encoder.containsKey(n.pooler() + ".weight"));
        try {
            BertNames.validate(weightsFile.toString(), config, encoder);
        } catch (ModelException e) {
            throw new ModelException(e.getMessage() + " (config: " + configFile + ")");
        }
        return new HfCheckpoint(dir, config, json, encoder, head, WordPieceTokenizer.load(dir));
    }
}
