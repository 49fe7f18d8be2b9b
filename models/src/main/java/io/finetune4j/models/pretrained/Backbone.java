package io.finetune4j.models.pretrained;

import io.finetune4j.models.ModelException;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.BertNames;
import io.finetune4j.models.checkpoint.HfCheckpoint;
import io.finetune4j.models.checkpoint.SafetensorsFile;
import io.finetune4j.models.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pretrained encoder ready to use: its config, its weights in canonical Hugging Face names (the live arrays a
 * trainer updates) and the tokenizer it was trained with. Keras-Hub's "Backbone" plus its preprocessor's vocabulary.
 */
public record Backbone(String name, BertConfig config, LinkedHashMap<String, INDArray> weights,
                       WordPieceTokenizer tokenizer) {

    public Backbone {
        BertNames.validate(name, config, weights);
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new ModelException(name + ": tokenizer has " + tokenizer.vocabSize() + " tokens but the model's "
                    + "vocabulary has " + config.vocabSize());
        }
    }

    /** Loads a catalogue name ({@link ModelCatalogue}) or a directory holding a Hugging Face checkpoint. */
    public static Backbone load(String nameOrPath) {
        return ModelCatalogue.load(nameOrPath);
    }

    /**
     * A Hugging Face checkpoint folder ({@link HfCheckpoint}): {@code config.json}, {@code model.safetensors} and
     * {@code tokenizer.json} or {@code vocab.txt}. BERT and DistilBERT are recognised by {@code model_type}; a
     * classification head in the folder is not part of the backbone.
     */
    public static Backbone fromDirectory(Path dir) {
        HfCheckpoint c = HfCheckpoint.read(dir);
        return new Backbone(dir.getFileName().toString(), c.config(), c.encoder(), c.tokenizer());
    }

    /** Whether a tensor belongs to a masked-language-model head ({@link MaskedLm}), not to the encoder. */
    public static boolean isMaskedLmTensor(String name) {
        return name.startsWith("cls.") || name.startsWith("vocab_transform.") || name.startsWith("vocab_layer_norm.")
                || name.startsWith("vocab_projector.");
    }

    /**
     * Whether the checkpoint kept its masked-language-model head: BERT's {@code cls.predictions.*} or
     * DistilBERT's {@code vocab_transform} / {@code vocab_layer_norm} / {@code vocab_projector} (see {@link MaskedLm}).
     */
    public boolean hasMaskedLmHead() {
        if (config.isDistilBert()) {
            return weights.containsKey("vocab_transform.weight") && weights.containsKey("vocab_projector.bias");
        }
        return weights.containsKey("cls.predictions.bias") && weights.containsKey("cls.predictions.transform.dense.weight");
    }

    /** Writes config.json, model.safetensors and the tokenizer files: a folder {@link #fromDirectory} reads back. */
    public void save(Path dir, Map<String, String> metadata) throws IOException {
        Files.createDirectories(dir);
        config.write(dir.resolve("config.json"));
        SafetensorsFile.write(dir.resolve("model.safetensors"), weights, metadata);
        tokenizer.save(dir);
    }
}
