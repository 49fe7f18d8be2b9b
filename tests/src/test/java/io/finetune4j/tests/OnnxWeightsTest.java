package io.finetune4j.tests;

import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.ModelException;
import io.finetune4j.models.checkpoint.ModelJar;
import io.finetune4j.models.checkpoint.OnnxWeights;
import io.finetune4j.models.checkpoint.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Reads the real all-MiniLM-L6-v2 ONNX export (90 MB) from its langchain4j jar. */
class OnnxWeightsTest {
    /** The 16 tensors of one Hugging Face BertLayer, as suffixes of encoder.layer.N. */
    private static final String[] LAYER_TENSORS = {
            "attention.self.query.weight", "attention.self.query.bias", "attention.self.key.weight",
            "attention.self.key.bias", "attention.self.value.weight", "attention.self.value.bias",
            "attention.output.dense.weight", "attention.output.dense.bias", "attention.output.LayerNorm.weight",
            "attention.output.LayerNorm.bias", "intermediate.dense.weight", "intermediate.dense.bias",
            "output.dense.weight", "output.dense.bias", "output.LayerNorm.weight", "output.LayerNorm.bias"};

    @TempDir
    Path tmp;

    static Path minilmOnnx() {
        Path dir = ModelJar.extract(TestModels.minilmJar(), TestModels.cacheDir());
        return dir.resolve("all-minilm-l6-v2.onnx");
    }

    @Test
    void miniLmHasAllWeightsInHuggingFaceLayout() {
        Path onnx = minilmOnnx();
        LinkedHashMap<String, INDArray> w = OnnxWeights.read(onnx);

        // 5 embedding tensors + 6 layers × 16; this export has no pooler and no MLM head.
        assertEquals(5 + 6 * LAYER_TENSORS.length, w.size(), w.keySet().toString());
        assertFalse(w.containsKey("pooler.dense.weight"));
        assertFalse(w.containsKey("embeddings.position_ids"));
        for (int l = 0; l < 6; l++) {
            for (String t : LAYER_TENSORS) assertTrue(w.containsKey("encoder.layer." + l + "." + t), l + "." + t);
        }
        assertArrayEquals(new long[]{30522, 384}, w.get("embeddings.word_embeddings.weight").shape());
        assertArrayEquals(new long[]{512, 384}, w.get("embeddings.position_embeddings.weight").shape());
        assertArrayEquals(new long[]{2, 384}, w.get("embeddings.token_type_embeddings.weight").shape());
        assertArrayEquals(new long[]{384, 384}, w.get("encoder.layer.0.attention.self.query.weight").shape());
        // [out, in] as in PyTorch: intermediate 384 → 1536, output 1536 → 384.
        assertArrayEquals(new long[]{1536, 384}, w.get("encoder.layer.5.intermediate.dense.weight").shape());
        assertArrayEquals(new long[]{384, 1536}, w.get("encoder.layer.5.output.dense.weight").shape());
        for (var e : w.entrySet()) {
            assertEquals(org.nd4j.linalg.api.buffer.DataType.FLOAT, e.getValue().dataType(), e.getKey());
            assertFalse(e.getValue().isInfinite().any() || e.getValue().isNaN().any(), e.getKey());
        }
        // Sanity of values: LayerNorm gains are near 1, weight matrices have a small spread, nothing is all zeros.
        double gain = w.get("encoder.layer.0.attention.output.LayerNorm.weight").meanNumber().doubleValue();
        assertTrue(gain > 0.3 && gain < 3, "LayerNorm gain mean " + gain);
        double std = w.get("encoder.layer.0.attention.self.query.weight").stdNumber().doubleValue();
        assertTrue(std > 0.01 && std < 0.5, "query weight std " + std);

        BertConfig c = BertConfig.inferBert(w, OnnxWeights.attentionHeads(onnx), true);
        assertEquals(new BertConfig("bert", 30522, 384, 6, 12, 1536, 512, 2, 1e-12, "gelu", true, false), c);
    }

    @Test
    void anonymousMatMulWeightsAreTransposedToOutIn() throws IOException {
        // Golden values read with numpy from the same file (peers/onnx_inspect.py): the ONNX initializer
        // onnx::MatMul_787 (layer 0 query) is stored [in, out], so a[i, j] must land at W[j, i].
        Path onnx = minilmOnnx();
        LinkedHashMap<String, INDArray> w = OnnxWeights.read(onnx);
        INDArray q = w.get("encoder.layer.0.attention.self.query.weight");
        assertEquals(0.035969656f, q.getFloat(1, 0));    // a[0, 1]
        assertEquals(0.043580376f, q.getFloat(0, 1));    // a[1, 0]
        assertEquals(0.09488579f, q.getFloat(200, 3));   // a[3, 200]
        // onnx::MatMul_798, layer 0 intermediate, stored [384, 1536]: a[10, 1000] → W[1000, 10].
        assertEquals(0.031064223f, w.get("encoder.layer.0.intermediate.dense.weight").getFloat(1000, 10));
        // A named initializer keeps its layout.
        assertEquals(-0.017619397f, w.get("embeddings.word_embeddings.weight").getFloat(101, 0));
        assertEquals(0.003606284f, w.get("embeddings.word_embeddings.weight").getFloat(2023, 5));

        // And the whole map survives a safetensors round trip exactly.
        Path f = tmp.resolve("minilm.safetensors");
        SafetensorsFile.write(f, w, Map.of("format", "pt"));
        var back = SafetensorsFile.read(f);
        assertEquals(w.keySet(), back.keySet());
        for (var e : w.entrySet()) assertEquals(e.getValue(), back.get(e.getKey()), e.getKey());
    }

    @Test
    void attentionHeadsOfMiniLmAndBge() {
        assertEquals(12, OnnxWeights.attentionHeads(minilmOnnx()));
        Path bge = ModelJar.extract(TestModels.bgeSmallJar(), TestModels.cacheDir());
        Path onnx = bge.resolve("bge-small-en-v1.5.onnx");
        assertEquals(12, OnnxWeights.attentionHeads(onnx));
        var w = OnnxWeights.read(onnx);
        BertConfig c = BertConfig.inferBert(w, 12, true);
        assertEquals(12, c.numLayers());
        assertEquals(384, c.hiddenSize());
    }

    @Test
    void quantizedModelIsRejected() throws IOException {
        // A minimal ModelProto by hand: graph { initializer { dims: 2, data_type: INT8, name: "w", raw_data } }.
        byte[] tensor = concat(varintField(1, 2), varintField(2, 3), lenField(8, "w".getBytes()),
                lenField(9, new byte[]{1, -1}));
        byte[] model = concat(varintField(1, 7), lenField(7, lenField(5, tensor)));
        Path f = tmp.resolve("model_quantized.onnx");
        Files.write(f, model);
        ModelException e = assertThrows(ModelException.class, () -> OnnxWeights.read(f));
        assertEquals(f + ": quantized model (int8 initializer 'w'): int8 weights cannot be fine-tuned, "
                + "use the fp32 export", e.getMessage());
    }

    private static byte[] varintField(int field, int value) {
        return new byte[]{(byte) (field << 3), (byte) value};   // small field numbers and values only
    }

    private static byte[] lenField(int field, byte[] payload) {
        assertTrue(payload.length < 128);
        return concat(new byte[]{(byte) (field << 3 | 2), (byte) payload.length}, payload);
    }

    private static byte[] concat(byte[]... parts) {
        var out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    void notAnOnnxFileIsAModelException() throws IOException {
        Path f = tmp.resolve("junk.onnx");
        Files.write(f, new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02});
        ModelException e = assertThrows(ModelException.class, () -> OnnxWeights.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
    }
}
