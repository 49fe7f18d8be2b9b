package io.finetune4j.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.cli.Main;
import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.BertInference;
import io.finetune4j.models.pretrained.ModelCatalogue;
import io.finetune4j.models.tokenizer.BatchEncoding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code finetune4j} end to end on the real MiniLM jar: listing, encoding to .npy, and broken model folders. */
class CliTest {
    static final String MINILM = "all-MiniLM-L6-v2";
    static Backbone minilm;
    @TempDir
    static Path tmp;
    static Path savedModel;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Result cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void saveMiniLm() throws Exception {
        minilm = ModelCatalogue.load(MINILM);
        savedModel = tmp.resolve("minilm-hf");
        minilm.save(savedModel, Map.of());
    }

    @Test
    void modelsListsMiniLm() {
        Result r = cli("models");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(MINILM + " ")), r.out());
    }

    @Test
    void encodeWritesNumpyFloat32EqualToBertInference() throws Exception {
        List<String> texts = List.of("hello world", "The quick brown fox jumps over the lazy dog.",
                "Tokenization splits unaffordable words into pieces.");
        Path npy = tmp.resolve("out/hidden.npy");
        Result r = cli("encode", "--model", MINILM, "--max-length", "16", "--output", npy.toString(),
                texts.get(0), texts.get(1), texts.get(2));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("shape [3, "), r.err());

        BatchEncoding enc = minilm.tokenizer().encodeBatch(texts, 16, true);
        int t = enc.sequenceLength();
        byte[] bytes = Files.readAllBytes(npy);
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, bytes[6]);
        int headerLen = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
        String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '<f4'"), header);
        assertTrue(header.contains("'fortran_order': False"), header);
        Matcher m = Pattern.compile("'shape': \\((\\d+), (\\d+), (\\d+)\\)").matcher(header);
        assertTrue(m.find(), header);
        assertEquals(3, Integer.parseInt(m.group(1)));
        assertEquals(t, Integer.parseInt(m.group(2)));
        assertEquals(384, Integer.parseInt(m.group(3)));
        int start = 10 + headerLen;
        assertEquals(0, start % 64);
        assertEquals(start + 3L * t * 384 * 4, bytes.length);

        INDArray expected = new BertInference(minilm.config(), minilm.weights())
                .forward(enc.inputIds(), enc.tokenTypeIds(), enc.attentionMask()).lastHidden();
        ByteBuffer data = ByteBuffer.wrap(bytes, start, bytes.length - start).order(ByteOrder.LITTLE_ENDIAN);
        double worst = 0;
        for (int b = 0; b < 3; b++)
            for (int j = 0; j < t; j++)
                for (int h = 0; h < 384; h++) worst = Math.max(worst, Math.abs(data.getFloat() - expected.getFloat(b, j, h)));
        assertTrue(worst < 1e-5, "max |diff| vs BertInference " + worst);

        JsonNode side = new ObjectMapper().readTree(tmp.resolve("out/hidden.tokens.json").toFile());
        assertEquals(3, side.get("texts").size());
        JsonNode first = side.get("texts").get(0);
        assertEquals("[CLS]", first.get("tokens").get(0).asText());
        assertEquals("hello", first.get("tokens").get(1).asText());
        assertEquals(t, first.get("tokens").size());
        assertEquals(t, first.get("attention_mask").size());
        assertEquals(0, first.get("attention_mask").get(t - 1).asInt(), "short text is padded");
    }

    @Test
    void encodeFromInputFilePadToMax() throws Exception {
        Path in = tmp.resolve("texts.txt");
        Files.writeString(in, "first line\n\nsecond line here\n");
        Path npy = tmp.resolve("fromfile.npy");
        Result r = cli("encode", "--model", MINILM, "--max-length", "12", "--pad-to-max", "--input", in.toString(),
                "-o", npy.toString());
        assertEquals(0, r.code(), r.err());
        String header = new String(Files.readAllBytes(npy), 0, 128, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'shape': (2, 12, 384)"), header);
    }

    @Test
    void unknownModelName() {
        assertOneLineError(cli("encode", "--model", "bert-huge-nonexistent", "-o", tmp.resolve("a.npy").toString(), "hi"),
                "bert-huge-nonexistent");
    }

    @Test
    void missingModelDirectory() {
        String dir = tmp.resolve("no/such/model").toString();
        Result r = cli("encode", "--model", dir, "-o", tmp.resolve("a.npy").toString(), "hi");
        assertOneLineError(r, dir);
        assertTrue(r.err().contains("no such model directory"), r.err());
    }

    @Test
    void truncatedSafetensors() throws Exception {
        Path dir = copyOfSaved("truncated");
        Path weights = dir.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        Result r = cli("encode", "--model", dir.toString(), "-o", tmp.resolve("a.npy").toString(), "hi");
        assertOneLineError(r, weights.toString());
        assertTrue(r.err().contains("truncated"), r.err());
    }

    @Test
    void configShapesDoNotMatchWeights() throws Exception {
        Path dir = copyOfSaved("mismatch");
        Path config = dir.resolve("config.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = (ObjectNode) json.readTree(config.toFile());
        n.put("intermediate_size", 1024);   // MiniLM's is 1536
        json.writeValue(config.toFile(), n);
        Result r = cli("encode", "--model", dir.toString(), "-o", tmp.resolve("a.npy").toString(), "hi");
        assertOneLineError(r, "intermediate.dense.weight");
        assertTrue(r.err().contains(config.toString()), "names the config too: " + r.err());
    }

    static Path copyOfSaved(String name) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (var files = Files.list(savedModel)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        return dir;
    }

    static void assertOneLineError(Result r, String mustName) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), "exactly one stderr line:\n" + r.err());
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("finetune4j: error: "), line);
        assertTrue(line.contains(mustName), "names " + mustName + ": " + line);
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(r.err().contains("Exception"), "no exception class names: " + r.err());
    }
}
