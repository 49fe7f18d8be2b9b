package io.finetune4j.models.checkpoint;

import io.finetune4j.models.ModelException;
import io.finetune4j.models.checkpoint.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsFileTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripIsBitForBit() {
        Nd4j.getRandom().setSeed(7);
        Map<String, INDArray> w = new LinkedHashMap<>();
        w.put("encoder.layer.0.attention.self.query.weight", Nd4j.randn(DataType.FLOAT, 8, 6));
        w.put("embeddings.word_embeddings.weight", Nd4j.randn(DataType.FLOAT, 11, 6));
        w.put("classifier.bias", Nd4j.createFromArray(Float.NaN, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE));
        w.put("encoder.layer.0.output.dense.weight", Nd4j.randn(DataType.FLOAT, 6, 8).transpose());   // f-order view
        Path f = tmp.resolve("model.safetensors");
        SafetensorsFile.write(f, w, Map.of("format", "pt"));

        LinkedHashMap<String, INDArray> back = SafetensorsFile.read(f);
        assertEquals(w.keySet(), back.keySet());
        for (var e : w.entrySet()) {
            INDArray got = back.get(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertEquals(DataType.FLOAT, got.dataType());
            int[] want = bits(e.getValue()), have = bits(got);
            assertArrayEquals(want, have, e.getKey() + " differs bit-wise");
        }
        assertEquals(Map.of("format", "pt"), SafetensorsFile.metadata(f));
    }

    @Test
    void writtenLayoutIsWhatSafetensorsExpects() throws IOException {
        Map<String, INDArray> w = new LinkedHashMap<>();
        w.put("b", Nd4j.ones(DataType.FLOAT, 3));
        w.put("a", Nd4j.ones(DataType.FLOAT, 2, 2));
        Path f = tmp.resolve("x.safetensors");
        SafetensorsFile.write(f, w, Map.of());
        byte[] all = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.indexOf("\"a\"") < header.indexOf("\"b\""), "sorted by name: " + header);
        assertTrue(header.contains("\"data_offsets\":[0,16]") && header.contains("\"data_offsets\":[16,28]"), header);
        assertEquals(8 + n + 28, all.length, "no gaps, no trailing bytes");
    }

    @Test
    void readsEveryTensorAsStoredUnderItsOwnName() throws IOException {
        Path f = tmp.resolve("prefixed.safetensors");
        // Hand-made, as a BertForSequenceClassification would save it (with an I64 position_ids buffer).
        write(f, "{\"bert.pooler.dense.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"classifier.bias\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"bert.embeddings.position_ids\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[12,28]},"
                + "\"cls.predictions.bias\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[28,30]},"
                + "\"x.double\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[30,38]}}",
                le(b -> b.putFloat(1.5f).putFloat(-2f).putShort((short) 0x3c00).putShort((short) 0xc000)
                        .putLong(0).putLong(1).putShort((short) 0x3f80).putDouble(0.25), 38));
        var w = SafetensorsFile.read(f);
        assertEquals("[bert.pooler.dense.bias, classifier.bias, bert.embeddings.position_ids, cls.predictions.bias, "
                + "x.double]", w.keySet().toString());
        assertEquals(-2f, w.get("bert.pooler.dense.bias").getFloat(1));
        assertArrayEquals(new float[]{1f, -2f}, w.get("classifier.bias").toFloatVector());   // F16 1.0, -2.0
        assertEquals(DataType.LONG, w.get("bert.embeddings.position_ids").dataType());
        assertEquals(1L, w.get("bert.embeddings.position_ids").getLong(0, 1));
        assertEquals(1f, w.get("cls.predictions.bias").getFloat(0));                        // BF16 1.0
        assertEquals(DataType.DOUBLE, w.get("x.double").dataType(), "F64 stays float64");
        assertEquals(0.25, w.get("x.double").getDouble(0));
    }

    @Test
    void truncatedFileNamesFileAndTensor() throws IOException {
        Path f = tmp.resolve("model.safetensors");
        write(f, "{\"x\":{\"dtype\":\"F32\",\"shape\":[1024],\"data_offsets\":[0,4096]}}", new byte[1000]);
        ModelException e = assertThrows(ModelException.class, () -> SafetensorsFile.read(f));
        assertEquals(f + ": truncated: tensor 'x' needs bytes 0..4096 but data section has 1000", e.getMessage());
    }

    @Test
    void badDtypeShapeMismatchAndBadJsonAreReported() throws IOException {
        assertFails("bad-dtype", "{\"x\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
                "unsupported dtype 'Q4'");
        assertFails("shape", "{\"x\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,20]}}", 20,
                "does not match its 20 bytes");
        assertFails("offsets", "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8,
                "bad data_offsets");
        assertFails("json", "{\"x\": [1, 2", 0, "not valid JSON");
        assertFails("array", "[1, 2, 3, 4]", 0, "not a JSON object");
    }

    @Test
    void headerLengthIsBoundsChecked() throws IOException {
        Path tooLarge = tmp.resolve("huge.safetensors");
        Files.write(tooLarge, le(b -> b.putLong(200L * 1024 * 1024).put("{}".getBytes()), 10));
        assertTrue(message(tooLarge).contains("exceeds the 100 MB limit"), message(tooLarge));

        Path pastEnd = tmp.resolve("past-end.safetensors");
        Files.write(pastEnd, le(b -> b.putLong(5000).put("{}".getBytes()), 10));
        assertTrue(message(pastEnd).contains("truncated: header length 5000 but only 2 bytes follow"),
                message(pastEnd));

        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[]{1, 2, 3});
        assertTrue(message(tiny).contains("shorter than the 8-byte header length"), message(tiny));

        Path zero = tmp.resolve("zero.safetensors");
        Files.write(zero, new byte[8]);
        assertTrue(message(zero).contains("header length 0 is too small"), message(zero));
    }

    // ---- helpers ----

    private void assertFails(String name, String header, int dataBytes, String expected) throws IOException {
        Path f = tmp.resolve(name + ".safetensors");
        write(f, header, new byte[dataBytes]);
        String m = message(f);
        assertTrue(m.contains(expected), "expected '" + expected + "' in: " + m);
    }

    private static String message(Path f) {
        ModelException e = assertThrows(ModelException.class, () -> SafetensorsFile.read(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    private static void write(Path f, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(f, b.array());
    }

    private static byte[] le(java.util.function.Consumer<ByteBuffer> fill, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static int[] bits(INDArray a) {
        float[] f = a.dup('c').data().asFloat();
        int[] out = new int[(int) a.length()];
        for (int i = 0; i < out.length; i++) out[i] = Float.floatToRawIntBits(f[i]);
        return out;
    }
}
