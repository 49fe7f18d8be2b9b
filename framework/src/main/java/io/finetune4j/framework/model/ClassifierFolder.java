package io.finetune4j.framework.model;

import io.finetune4j.framework.io.Ordered;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.framework.config.RunConfig.Activation;
import io.finetune4j.framework.config.RunConfig.HeadType;
import io.finetune4j.framework.config.RunConfig.Pooling;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.ModelException;
import io.finetune4j.models.checkpoint.HfCheckpoint;
import io.finetune4j.models.checkpoint.SafetensorsFile;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A classifier as a Hugging Face folder, the way {@code save_pretrained} writes one.
 * <ul>
 *   <li>Hugging Face's head: {@code config.json} with {@code architectures: [BertForSequenceClassification]} (or
 *   DistilBERT's), {@code id2label}, {@code label2id}, {@code problem_type} and the dropout keys;
 *   {@code model.safetensors} with the encoder under {@code bert.} / {@code distilbert.} and the head's
 *   {@code classifier.*} (and {@code pre_classifier.*}); the tokenizer files. transformers opens it with its head.</li>
 *   <li>The dense head, which transformers has no class for: the folder is a {@code BertModel} (transformers opens
 *   the fine-tuned encoder) and the head's tensors are in {@code finetune4j_head.safetensors}, its shape under the
 *   {@code finetune4j} key of {@code config.json}; transformers ignores both.</li>
 * </ul>
 * Anything else finetune4j keeps (the backbone's catalogue name, what {@code extra} holds) is under that
 * {@code finetune4j} key too. {@link #read} opens either kind, and any folder transformers saved for a
 * {@code BertForSequenceClassification} or {@code DistilBertForSequenceClassification}.
 */
public final class ClassifierFolder {
    public static final String HEAD_WEIGHTS = "finetune4j_head.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClassifierFolder() {
    }

    public static void write(TextClassifier m, Path dir, Map<String, Object> extra) throws IOException {
        Files.createDirectories(dir);
        BertConfig config = m.config();
        ClassifierHead head = m.head();
        String model = config.isDistilBert() ? "DistilBert" : "Bert";
        ObjectNode json = config.withDropout(config.hiddenDropout(), config.attentionDropout(), head.dropout())
                .toJson(head.isHf() ? model + "ForSequenceClassification" : model + "Model");
        ObjectNode id2label = json.putObject("id2label"), label2id = json.putObject("label2id");
        for (int i = 0; i < head.numLabels(); i++) {
            id2label.put(String.valueOf(i), head.labels().get(i));
            label2id.put(head.labels().get(i), i);
        }
        json.put("problem_type", head.problemType());
        ObjectNode ours = json.putObject("finetune4j");
        ours.put("backbone", m.backboneName());
        if (!head.isHf()) {
            ours.set("head", JSON.valueToTree(Ordered.map("type", "dense", "pooling", Settings.text(head.pooling()),
                    "hidden_size", head.hiddenSize(), "activation", Settings.text(head.activation()),
                    "dropout", head.dropout())));
        }
        extra.forEach((k, v) -> ours.set(k, JSON.valueToTree(v)));
        BertConfig.write(dir.resolve(HfCheckpoint.CONFIG_JSON), json);

        String prefix = head.isHf() ? (config.isDistilBert() ? "distilbert." : "bert.") : "";
        LinkedHashMap<String, INDArray> encoder = new LinkedHashMap<>(), headWeights = new LinkedHashMap<>();
        m.weights().forEach((k, v) -> {
            if (head.owns(k, config)) headWeights.put(k, v);
            else encoder.put(prefix + k, v);
        });
        Map<String, String> meta = Map.of("format", "pt");
        if (head.isHf()) {
            encoder.putAll(headWeights);
            SafetensorsFile.write(dir.resolve(HfCheckpoint.WEIGHTS), encoder, meta);
        } else {
            SafetensorsFile.write(dir.resolve(HfCheckpoint.WEIGHTS), encoder, meta);
            SafetensorsFile.write(dir.resolve(HEAD_WEIGHTS), headWeights, meta);
        }
        m.tokenizer().save(dir);
    }

    public static TextClassifier read(Path dir) {
        HfCheckpoint c = HfCheckpoint.read(dir);
        Path configFile = dir.resolve(HfCheckpoint.CONFIG_JSON);
        JsonNode ours = c.configJson().path("finetune4j");
        LinkedHashMap<String, INDArray> weights = new LinkedHashMap<>(c.encoder());
        weights.keySet().removeIf(io.finetune4j.models.pretrained.Backbone::isMaskedLmTensor);
        boolean multi = "multi_label_classification".equals(c.configJson().path("problem_type").asText());
        ClassifierHead head;
        if (c.architecture().endsWith("ForSequenceClassification")) {
            weights.putAll(c.head());
            INDArray out = c.head().get(ClassifierHead.CLASSIFIER + ".weight");
            if (out == null) throw new ModelException(dir.resolve(HfCheckpoint.WEIGHTS) + ": no tensor 'classifier.weight'");
            List<String> labels = labels(c.configJson(), (int) out.size(0), configFile);
            BertConfig config = c.config();
            head = new ClassifierHead(HeadType.HF, config.isDistilBert() ? Pooling.CLS : Pooling.POOLER,
                    config.isDistilBert() ? config.hiddenSize() : 0,
                    config.isDistilBert() ? Activation.RELU : Activation.LINEAR, config.headDropout(), labels, multi);
        } else if (ours.has("head")) {
            Path file = dir.resolve(HEAD_WEIGHTS);
            if (!Files.isRegularFile(file)) throw new ModelException(file + ": missing (the dense head's weights)");
            LinkedHashMap<String, INDArray> hw = SafetensorsFile.read(file);
            weights.putAll(hw);
            JsonNode h = ours.get("head");
            INDArray out = hw.get(ClassifierHead.OUT_PROJ + ".weight");
            if (out == null) throw new ModelException(file + ": no tensor '" + ClassifierHead.OUT_PROJ + ".weight'");
            head = new ClassifierHead(HeadType.DENSE, (Pooling) Settings.parse(field("pooling"), h.path("pooling").asText()),
                    h.path("hidden_size").asInt(), (Activation) Settings.parse(field("activation"),
                    h.path("activation").asText()), h.path("dropout").asDouble(),
                    labels(c.configJson(), (int) out.size(0), configFile), multi);
        } else {
            throw new ModelException(configFile + ": architectures is " + c.configJson().path("architectures")
                    + ": a backbone without a trained classification head (train one with 'finetune4j train')");
        }
        checkHeadShapes(head, c.config(), weights, dir);
        String backbone = ours.path("backbone").asText(dir.getFileName().toString());
        BertConfig config = c.config();
        if (head.isHf() && !config.isDistilBert() && !config.hasPooler()) {
            throw new ModelException(dir.resolve(HfCheckpoint.WEIGHTS) + ": no pooler (bert.pooler.dense.*), which "
                    + "BertForSequenceClassification needs");
        }
        return new TextClassifier(backbone, config, head, weights, c.tokenizer());
    }

    private static Settings.Field field(String name) {
        return Settings.field(io.finetune4j.framework.config.RunConfig.HeadArgs.class, name);
    }

    /** {@code id2label} in id order; Hugging Face's default names {@code LABEL_i} when the config has none. */
    private static List<String> labels(JsonNode config, int n, Path file) {
        JsonNode m = config.path("id2label");
        List<String> out = new ArrayList<>();
        if (m.isObject() && m.size() > 0) {
            TreeMap<Integer, String> byId = new TreeMap<>();
            m.fields().forEachRemaining(e -> byId.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
            out.addAll(byId.values());
        } else {
            for (int i = 0; i < n; i++) out.add("LABEL_" + i);
        }
        if (out.size() != n) {
            throw new ModelException(file + ": id2label has " + out.size() + " labels but the classifier " + n);
        }
        return out;
    }

    private static void checkHeadShapes(ClassifierHead head, BertConfig config, Map<String, INDArray> w, Path dir) {
        long in = config.hiddenSize();
        List<String> layers = head.layers(config);
        for (int i = 0; i < layers.size(); i++) {
            INDArray weight = w.get(layers.get(i) + ".weight"), bias = w.get(layers.get(i) + ".bias");
            long out = i == layers.size() - 1 ? head.numLabels() : layers.get(i).equals(ClassifierHead.DENSE)
                    ? head.hiddenSize() : config.hiddenSize();
            if (weight == null || bias == null || !Arrays.equals(weight.shape(), new long[]{out, in})
                    || bias.length() != out) {
                throw new ModelException(dir + ": the head's '" + layers.get(i) + "' should be [" + out + ", " + in
                        + "] with a bias of " + out + (weight == null ? ", and is missing"
                        : ", not " + Arrays.toString(weight.shape())));
            }
            in = out;
        }
    }
}
