package io.finetune4j.tests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.DistilBertConversion;
import io.finetune4j.models.bert.BertInference;
import io.finetune4j.models.pretrained.ModelCatalogue;
import io.finetune4j.models.ModelException;
import io.finetune4j.models.checkpoint.SafetensorsFile;
import io.finetune4j.models.tokenizer.BatchEncoding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DistilBERT checkpoints built from MiniLM's BERT weights with {@link DistilBertConversion}, written as a Hugging Face
 * {@code DistilBertForSequenceClassification} folder would be (DistilBERT config keys, {@code distilbert.}-prefixed
 * tensor names, a classifier head, tokenizer files), then read back through {@link Backbone#fromDirectory}.
 */
class DistilBertCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Backbone minilm;
    private static BatchEncoding batch;

    @BeforeAll
    static void load() throws Exception {
        minilm = ModelCatalogue.load("all-MiniLM-L6-v2");
        batch = minilm.tokenizer().encodeBatch(TestTexts.varied(12), 128, true);
    }

    @Test
    void allLayersKeptGivesBertsHiddenStates(@TempDir Path tmp) throws Exception {
        int[] all = {0, 1, 2, 3, 4, 5};
        Path dir = tmp.resolve("distil-minilm-6");
        writeHuggingFaceFolder(dir, minilm, all, Map.of());

        Backbone distil = Backbone.fromDirectory(dir);
        BertConfig c = distil.config();
        assertTrue(c.isDistilBert());
        assertEquals(6, c.numLayers());
        assertEquals(384, c.hiddenSize());
        assertEquals(12, c.numHeads());
        assertEquals(1536, c.intermediateSize());
        assertEquals(0, c.typeVocabSize());
        assertFalse(c.hasPooler());
        // The reader strips "distilbert."; the task head's tensors keep their names, apart from the backbone.
        assertTrue(distil.weights().containsKey("transformer.layer.5.ffn.lin2.weight"));
        assertFalse(distil.weights().containsKey("classifier.weight"));
        assertTrue(io.finetune4j.models.checkpoint.HfCheckpoint.read(dir).head().containsKey("classifier.weight"));
        assertTrue(distil.weights().keySet().stream().noneMatch(k -> k.startsWith("distilbert.")),
                distil.weights().keySet().toString());

        // Same ids from the saved tokenizer as from MiniLM's own.
        BatchEncoding enc = distil.tokenizer().encodeBatch(TestTexts.varied(12), 128, true);
        assertTrue(Arrays.deepEquals(batch.inputIds(), enc.inputIds()), "tokenizer round trip changed the ids");
        assertTrue(Arrays.deepEquals(batch.attentionMask(), enc.attentionMask()));
        int padded = 0;
        for (int[] row : enc.attentionMask()) for (int m : row) padded += 1 - m;
        assertTrue(padded > 0, "the batch should contain padding");

        int[][] zeros = new int[batch.size()][batch.sequenceLength()];
        INDArray bert = new BertInference(minilm.config(), minilm.weights())
                .forward(batch.inputIds(), zeros, batch.attentionMask()).lastHidden();
        BertInference.Output out = new BertInference(distil.config(), distil.weights())
                .forward(enc.inputIds(), enc.tokenTypeIds(), enc.attentionMask());
        assertNull(out.pooled());
        assertArrayEquals(bert.shape(), out.lastHidden().shape());

        double worst = 0, worstAll = 0;
        int tokens = 0;
        float[] a = bert.dup('c').data().asFloat(), b = out.lastHidden().dup('c').data().asFloat();
        int t = batch.sequenceLength(), h = 384;
        for (int i = 0; i < batch.size(); i++)
            for (int j = 0; j < t; j++) {
                boolean real = batch.attentionMask()[i][j] == 1;
                if (real) tokens++;
                for (int k = 0; k < h; k++) {
                    double d = Math.abs(a[(i * t + j) * h + k] - b[(i * t + j) * h + k]);
                    worstAll = Math.max(worstAll, d);
                    if (real) worst = Math.max(worst, d);
                }
            }
        System.out.printf("DistilBERT (6 of 6 MiniLM layers) vs BERT: %d sentences, %d tokens, T=%d, max |diff| = %.2e"
                + " (real tokens), %.2e (with padding)%n", batch.size(), tokens, t, worst, worstAll);
        assertTrue(tokens > 12 * 5);
        assertTrue(worst <= 1e-4, "max |diff| " + worst);
    }

    @Test
    void everyOtherLayerLoadsAndRuns(@TempDir Path tmp) {
        int[] keep = DistilBertConversion.everyOtherLayer(minilm.config());
        assertArrayEquals(new int[]{0, 2, 4}, keep);
        // This one goes through Backbone.save: our own config.json writer and unprefixed names.
        DistilBertConversion.Result r = DistilBertConversion.convert(minilm.config(), minilm.weights(), keep);
        Path dir = tmp.resolve("distil-minilm-3");
        try {
            new Backbone("distil-minilm-3", r.config(), r.weights(), minilm.tokenizer())
                    .save(dir, Map.of("source", "all-MiniLM-L6-v2 layers 0,2,4"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Backbone distil = Backbone.fromDirectory(dir);
        assertTrue(distil.config().isDistilBert());
        assertEquals(3, distil.config().numLayers());
        assertFalse(distil.weights().containsKey("transformer.layer.3.attention.q_lin.weight"));
        // Layer 1 of the student is layer 2 of the teacher.
        assertEquals(minilm.weights().get("encoder.layer.2.attention.self.query.weight"),
                distil.weights().get("transformer.layer.1.attention.q_lin.weight"));

        INDArray hidden = new BertInference(distil.config(), distil.weights())
                .forward(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask()).lastHidden();
        assertArrayEquals(new long[]{batch.size(), batch.sequenceLength(), 384}, hidden.shape());
        for (float v : hidden.dup().data().asFloat()) assertTrue(Float.isFinite(v));
        System.out.printf("DistilBERT (layers 0,2,4 of MiniLM): hidden %s, finite%n", Arrays.toString(hidden.shape()));
    }

    @Test
    void conversionRejectsBadLayers() {
        ModelException e = assertThrows(ModelException.class,
                () -> DistilBertConversion.fromBert(minilm.config(), minilm.weights(), new int[]{0, 6}));
        assertTrue(e.getMessage().contains("layer 6"), e.getMessage());
        assertThrows(ModelException.class,
                () -> DistilBertConversion.fromBert(minilm.config(), minilm.weights(), new int[0]));
    }

    @Test
    void configSizeThatDisagreesWithTheWeightsNamesTensorAndFile(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("corrupt");
        // dim 512 with 8 heads is a consistent config on its own; the weights are 384 wide.
        writeHuggingFaceFolder(dir, minilm, new int[]{0, 1, 2}, Map.of("dim", 512, "n_heads", 8, "hidden_dim", 2048));
        ModelException e = assertThrows(ModelException.class, () -> Backbone.fromDirectory(dir));
        String m = e.getMessage();
        System.out.println("corrupt DistilBERT folder: " + m);
        assertTrue(m.contains("embeddings.word_embeddings.weight"), m);
        assertTrue(m.contains(dir.resolve("model.safetensors").toString()), m);
        assertTrue(m.contains("[30522, 384]") && m.contains("[30522, 512]"), m);
        assertTrue(m.contains("config.json"), m);
    }

    /**
     * A folder as {@code DistilBertForSequenceClassification.save_pretrained} and the tokenizer's
     * {@code save_pretrained} write it: config.json with DistilBERT's keys, model.safetensors with
     * {@code distilbert.}-prefixed encoder tensors plus {@code pre_classifier} / {@code classifier}, tokenizer files.
     */
    static void writeHuggingFaceFolder(Path dir, Backbone bert, int[] keep, Map<String, Integer> overrides)
            throws Exception {
        Files.createDirectories(dir);
        BertConfig c = bert.config();
        ObjectNode n = JSON.createObjectNode();
        n.put("_name_or_path", "distilbert-from-" + bert.name());
        n.put("activation", "gelu");
        n.putArray("architectures").add("DistilBertForSequenceClassification");
        n.put("attention_dropout", 0.1);
        n.put("dim", c.hiddenSize());
        n.put("dropout", 0.1);
        n.put("hidden_dim", c.intermediateSize());
        n.putObject("id2label").put("0", "NEGATIVE").put("1", "POSITIVE");
        n.put("initializer_range", 0.02);
        n.putObject("label2id").put("NEGATIVE", 0).put("POSITIVE", 1);
        n.put("max_position_embeddings", c.maxPositions());
        n.put("model_type", "distilbert");
        n.put("n_heads", c.numHeads());
        n.put("n_layers", keep.length);
        n.put("pad_token_id", 0);
        n.put("problem_type", "single_label_classification");
        n.put("qa_dropout", 0.1);
        n.put("seq_classif_dropout", 0.2);
        n.put("sinusoidal_pos_embds", false);
        n.put("tie_weights_", true);
        n.put("torch_dtype", "float32");
        n.put("transformers_version", "4.44.2");
        n.put("vocab_size", c.vocabSize());
        overrides.forEach(n::put);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), n);

        LinkedHashMap<String, INDArray> tensors = new LinkedHashMap<>();
        DistilBertConversion.fromBert(c, bert.weights(), keep).forEach((k, v) -> tensors.put("distilbert." + k, v));
        Nd4j.getRandom().setSeed(7);
        int h = c.hiddenSize();
        tensors.put("pre_classifier.weight", Nd4j.randn(DataType.FLOAT, h, h).muli(0.02));
        tensors.put("pre_classifier.bias", Nd4j.zeros(DataType.FLOAT, h));
        tensors.put("classifier.weight", Nd4j.randn(DataType.FLOAT, 2, h).muli(0.02));
        tensors.put("classifier.bias", Nd4j.zeros(DataType.FLOAT, 2));
        SafetensorsFile.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        bert.tokenizer().save(dir);
        assertTrue(Files.exists(dir.resolve("vocab.txt")) || Files.exists(dir.resolve("tokenizer.json")),
                List.of(dir.toFile().list()).toString());
    }
}
