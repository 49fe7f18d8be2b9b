package io.finetune4j.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.models.checkpoint.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Classifiers in and out as Hugging Face folders: a folder the reference wrote as transformers writes a
 * {@code BertForSequenceClassification} opens with its head and predicts what the reference predicted; the folder we
 * save has exactly the reference's tensor names and shapes (so {@code load_state_dict(strict=True)} takes it) and
 * the keys transformers reads; a checkpoint with a tensor or a config option we do not implement is a one-line error
 * naming the file and the key.
 */
class HfFolderTest {
    @TempDir
    Path tmp;

    @Test
    void referenceFoldersPredictTheReferenceProbabilities() {
        for (String folder : List.of("tiny-bert", "tiny-distilbert")) {
            TextClassifier m = HfGolden.model(folder);
            JsonNode want = HfGolden.json(folder + "/expected_probabilities.json");
            double worst = 0;
            for (JsonNode t : want.get("texts")) {
                double[] p = m.predict(List.of(t.get("text").asText()), null, want.get("max_length").asInt(), 8)[0];
                for (int k = 0; k < p.length; k++) worst = Math.max(worst, Math.abs(p[k] - t.get("probabilities").get(k).asDouble()));
            }
            System.out.printf("[hf golden] %s: %d texts, max |probability difference| %.1e%n", folder,
                    want.get("texts").size(), worst);
            assertTrue(worst < 1e-12, folder + ": " + worst);
        }
    }

    @Test
    void savedFolderHasTheReferencesTensorsAndConfigKeys() throws IOException {
        for (String folder : List.of("tiny-bert", "tiny-distilbert")) {
            TextClassifier m = HfGolden.model(folder);
            Path out = tmp.resolve(folder);
            m.save(out, Map.of());
            Map<String, long[]> ours = shapes(out.resolve("model.safetensors")),
                    reference = shapes(HfGolden.path(folder + "/model.safetensors"));
            assertEquals(reference.keySet(), ours.keySet(), folder + ": tensor names");
            for (String k : reference.keySet()) assertArrayEquals(reference.get(k), ours.get(k), folder + ": " + k);
            JsonNode c = HfGolden.JSON.readTree(out.resolve("config.json").toFile());
            JsonNode r = HfGolden.JSON.readTree(HfGolden.path(folder + "/config.json").toFile());
            for (String key : List.of("architectures", "model_type", "id2label", "label2id", "problem_type")) {
                assertEquals(r.get(key), c.get(key), folder + ": " + key);
            }
            for (String f : List.of("vocab.txt", "tokenizer_config.json", "special_tokens_map.json")) {
                assertTrue(Files.isRegularFile(out.resolve(f)), folder + ": " + f);
            }
            // and it reads back to the same predictions
            TextClassifier back = TextClassifier.load(out);
            double[][] a = m.predict(List.of("the movie was good"), null, 16, 4), b = back.predict(
                    List.of("the movie was good"), null, 16, 4);
            assertArrayEquals(a[0], b[0], 0.0);
        }
    }

    @Test
    void aTensorTheArchitectureDoesNotUseIsAnErrorNamingIt() throws IOException {
        Path dir = copy("tiny-bert");
        Path weights = dir.resolve("model.safetensors");
        LinkedHashMap<String, INDArray> w = SafetensorsFile.read(weights);
        w.put("bert.encoder.layer.0.attention.self.distance_embedding.weight", Nd4j.zeros(DataType.DOUBLE, 3, 2));
        SafetensorsFile.write(weights, w, Map.of("format", "pt"));
        CliTest.Result r = CliTest.cli("predict", "--model", dir.toString(), "good");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains(weights.toString()) && r.err().contains("distance_embedding"), r.err());
    }

    @Test
    void aConfigOptionWeDoNotImplementIsAnErrorNamingTheKey() throws IOException {
        Path dir = copy("tiny-bert");
        Path config = dir.resolve("config.json");
        ObjectNode c = (ObjectNode) HfGolden.JSON.readTree(config.toFile());
        c.put("position_embedding_type", "relative_key");
        Files.writeString(config, c.toString());
        CliTest.Result r = CliTest.cli("predict", "--model", dir.toString(), "good");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains(config.toString()) && r.err().contains("position_embedding_type 'relative_key'"),
                r.err());
    }

    @Test
    void aBackboneWithoutATrainedHeadIsNotAClassifier() throws IOException {
        Path dir = copy("tiny-bert");
        Path config = dir.resolve("config.json");
        ObjectNode c = (ObjectNode) HfGolden.JSON.readTree(config.toFile());
        c.putArray("architectures").add("BertModel");
        Files.writeString(config, c.toString());
        CliTest.Result r = CliTest.cli("predict", "--model", dir.toString(), "good");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("without a trained classification head"), r.err());
    }

    private Path copy(String folder) throws IOException {
        Path dir = tmp.resolve(folder);
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(HfGolden.path(folder))) {
            for (Path f : s.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        return dir;
    }

    private static Map<String, long[]> shapes(Path safetensors) {
        Map<String, long[]> m = new TreeMap<>();
        SafetensorsFile.read(safetensors).forEach((k, v) -> m.put(k, v.shape()));
        return m;
    }

    static String shape(long[] s) {
        return Arrays.toString(s);
    }
}
