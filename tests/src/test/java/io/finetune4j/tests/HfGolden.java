package io.finetune4j.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.config.RunConfig.TrainingArgs;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.framework.model.TrainingData;
import io.finetune4j.models.checkpoint.SafetensorsFile;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference files that {@code hf-golden/make_hf_golden.py} wrote with PyTorch and re-implemented Hugging Face
 * pieces (docs/hf-semantics.md): the tiny BERT and DistilBERT classifiers ({@code tiny-bert/},
 * {@code tiny-distilbert/}, float64, no dropout), their batches, and what one or more optimizer updates made of them.
 */
final class HfGolden {
    static final ObjectMapper JSON = new ObjectMapper();

    private HfGolden() {
    }

    /** A file or folder of {@code hf-golden/} (a test resource of this module). */
    static Path path(String name) {
        URL url = HfGolden.class.getResource("/hf-golden/" + name);
        if (url == null) throw new IllegalStateException("hf-golden/" + name + " is not on the test class path");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String name) {
        try {
            return JSON.readTree(path(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tiny classifier folder, read as any Hugging Face folder is. */
    static TextClassifier model(String folder) {
        return TextClassifier.load(path(folder));
    }

    /** A batch of {@code batch.json} as training data: its text pairs and labels (single-label, or multi-hot). */
    static TrainingData data(String batch, boolean multiLabel, double[] classWeights) {
        JsonNode b = json("batch.json").get(batch);
        List<String> texts = new ArrayList<>(), pairs = new ArrayList<>();
        for (JsonNode t : b.get("texts")) {
            texts.add(t.get(0).asText());
            pairs.add(t.size() > 1 ? t.get(1).asText() : null);      // the batch mixes single texts and pairs
        }
        int n = texts.size();
        if (multiLabel) {
            int[][] y = new int[n][];
            for (int i = 0; i < n; i++) {
                JsonNode row = b.get("labels_multi_hot").get(i);
                y[i] = new int[row.size()];
                for (int j = 0; j < row.size(); j++) y[i][j] = (int) row.get(j).asDouble();
            }
            return TrainingData.multiLabel(texts, pairs, y);
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = b.get("labels").get(i).asInt();
        return TrainingData.multiClass(texts, pairs, y, 3, classWeights);
    }

    /**
     * The training settings of a golden case: its hyperparameters, one epoch over the whole batch as one batch
     * (or its micro-batches).
     */
    static TrainingArgs training(JsonNode hp, int batchSize, int epochs) {
        TrainingArgs t = Settings.defaults(TrainingArgs.class);
        t = Settings.with(t, "max_length", 16);
        t = Settings.with(t, "learning_rate", hp.get("learning_rate").asDouble());
        t = Settings.with(t, "weight_decay", hp.get("weight_decay").asDouble());
        t = Settings.with(t, "adam_beta1", hp.get("adam_beta1").asDouble());
        t = Settings.with(t, "adam_beta2", hp.get("adam_beta2").asDouble());
        t = Settings.with(t, "adam_epsilon", hp.get("adam_epsilon").asDouble());
        t = Settings.with(t, "max_grad_norm", hp.get("max_grad_norm").asDouble());
        t = Settings.with(t, "lr_scheduler_type", Settings.parse(Settings.field(TrainingArgs.class,
                "lr_scheduler_type"), hp.get("lr_scheduler_type").asText()));
        t = Settings.with(t, "warmup_steps", hp.get("num_warmup_steps").asInt());
        t = Settings.with(t, "gradient_accumulation_steps", hp.get("gradient_accumulation_steps").asInt());
        t = Settings.with(t, "per_device_train_batch_size", batchSize);
        return Settings.with(t, "num_train_epochs", epochs);
    }

    /** Tensors of a golden safetensors file under our names (no {@code bert.} / {@code distilbert.} prefix). */
    static Map<String, INDArray> tensors(String file) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        SafetensorsFile.read(path(file)).forEach((k, v) -> out.put(k.replaceFirst("^(distil)?bert\\.", ""), v));
        return out;
    }

    /** The largest absolute difference between the model's weights and a golden file's, over every tensor. */
    static double maxDifference(Map<String, INDArray> weights, Map<String, INDArray> golden) {
        if (!weights.keySet().equals(golden.keySet())) {
            throw new AssertionError("tensor names differ: ours " + weights.keySet() + ", golden " + golden.keySet());
        }
        double worst = 0;
        for (Map.Entry<String, INDArray> e : golden.entrySet()) {
            INDArray ours = weights.get(e.getKey());
            worst = Math.max(worst, ours.castTo(e.getValue().dataType()).sub(e.getValue()).amaxNumber().doubleValue());
        }
        return worst;
    }
}
