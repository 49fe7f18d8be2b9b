package io.finetune4j.tests;

import io.finetune4j.framework.data.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.finetune4j.tests.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code finetune4j train} and {@code predict} end to end on small slices of the shared data (MiniLM). */
class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    @TempDir
    Path tmp;

    private String[] imdbArgs(Path out) {
        return new String[]{"train", "--train-data", Fixtures.file("imdb_train.jsonl").toString(),
                "--test-data", Fixtures.file("imdb_test.jsonl").toString(), "--train-limit", "48",
                "--test-limit", "32", "--max-length", "32", "--batch-size", "16", "--epochs", "1",
                "--progress", "log", "--output", out.toString()};
    }

    @Test
    void trainWritesEverythingIsReproducibleAndPredictLoadsTheModel() throws Exception {
        Path a = tmp.resolve("run-a");
        CliTest.Result r = cli(imdbArgs(a));
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("Added differentiated op"), "SameDiff's gradient log leaks to stdout");
        assertTrue(r.out().contains("macro avg"), r.out());
        assertTrue(r.out().contains("finetune4j: test accuracy"), r.out());

        JsonNode m = JSON.readTree(a.resolve("metrics.json").toFile());
        for (String k : List.of("test", "epochs", "best_epoch", "seed", "model", "config", "resolved")) {
            assertTrue(m.has(k), "metrics.json lacks " + k + ": " + m);
        }
        JsonNode timing = JSON.readTree(a.resolve("timing.json").toFile());
        for (String k : List.of("train_seconds", "train_samples_per_second", "train_tokens_per_second", "epochs")) {
            assertTrue(timing.has(k), "timing.json lacks " + k + ": " + timing);
        }
        // the settings by their Hugging Face names; the old option names were accepted as aliases
        assertEquals(48, m.get("config").get("data").get("max_train_samples").asInt());
        assertEquals(16, m.get("config").get("training").get("per_device_train_batch_size").asInt());
        JsonNode test = m.get("test");
        for (String k : List.of("accuracy", "macro_f1", "weighted_f1", "per_class")) {
            assertTrue(test.has(k), "test metrics lack " + k);
        }
        double acc = test.get("accuracy").asDouble();
        assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
        assertEquals(1, m.get("epochs").size());
        assertEquals(32, test.get("examples").asInt());
        assertEquals(48, m.get("resolved").get("train_examples").asInt());
        assertEquals(42, m.get("seed").asInt());
        assertTrue(test.get("per_class").has("neg") && test.get("per_class").has("pos"));

        assertTrue(Files.readString(a.resolve("report.txt")).contains("macro avg"));
        for (String png : List.of("confusion.png", "confusion_normalised.png")) {
            byte[] head = new byte[4];
            System.arraycopy(Files.readAllBytes(a.resolve(png)), 0, head, 0, 4);
            assertArrayEquals(PNG, head, png + " is not a PNG");
            String svg = Files.readString(a.resolve(png.replace(".png", ".svg")));
            assertTrue(svg.contains("<svg") && svg.contains("<title>Confusion matrix"), png + ": no SVG beside it");
        }
        List<String> preds = Files.readAllLines(a.resolve("predictions.jsonl"), StandardCharsets.UTF_8);
        assertEquals(32, preds.size());
        JsonNode p0 = JSON.readTree(preds.get(0));
        for (String k : List.of("text", "true", "predicted", "confidence", "loss", "probabilities")) {
            assertTrue(p0.has(k), "prediction lacks " + k + ": " + p0);
        }
        assertTrue(Files.isRegularFile(a.resolve("model/model.safetensors")));
        JsonNode modelConfig = JSON.readTree(a.resolve("model/config.json").toFile());
        assertEquals("BertForSequenceClassification", modelConfig.get("architectures").get(0).asText());
        assertEquals("pos", modelConfig.get("id2label").get("1").asText());

        // refuses to overwrite a finished run without --force (before any training)
        CliTest.Result again = cli(imdbArgs(a));
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--overwrite-output-dir"), again.err());

        // same seed, another folder: identical test metrics
        Path b = tmp.resolve("run-b");
        CliTest.Result rb = cli(imdbArgs(b));
        assertEquals(0, rb.code(), rb.err());
        assertEquals(test, JSON.readTree(b.resolve("metrics.json").toFile()).get("test"));

        // predict with the saved model
        CliTest.Result pr = cli("predict", "--model", a.resolve("model").toString(), "a great film",
                "a dull, boring mess");
        assertEquals(0, pr.code(), pr.err());
        List<String> lines = pr.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(2, lines.size(), pr.out());
        assertTrue(lines.get(0).contains("neg") && lines.get(0).contains("pos"), pr.out());
        assertTrue(lines.get(0).startsWith("neg\t") || lines.get(0).startsWith("pos\t"), pr.out());

        // not a model folder: one line
        CliTest.Result bad = cli("predict", "--model", tmp.toString(), "text");
        assertEquals(2, bad.code());
        assertEquals(1, bad.errLines().size(), bad.err());
        assertTrue(bad.err().contains("config.json"), bad.err());
    }

    @Test
    void multiLabelReutersReportsMicroF1AndRocAuc() throws Exception {
        Path out = tmp.resolve("reuters");
        CliTest.Result r = cli("train", "--train-data",
                Fixtures.file("reuters.jsonl").toString(), "--multi-label",
                "--split-field", "split", "--train-limit", "64", "--test-limit", "48", "--validation-fraction", "0.25",
                "--max-length", "32", "--batch-size", "16", "--progress", "log", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
        JsonNode test = m.get("test");
        for (String k : List.of("micro_f1", "macro_f1", "roc_auc_micro", "subset_accuracy", "hamming_loss",
                "thresholds")) {
            assertTrue(test.has(k), "test metrics lack " + k + ": " + test);
        }
        assertTrue(m.has("validation"), "validation metrics missing");
        JsonNode none = m.get("baseline_predict_nothing");
        assertEquals(0.0, none.get("micro_f1").asDouble(), 0.0, "predicting nothing finds no label");
        assertTrue(none.get("hamming_loss").asDouble() > 0, none.toString());
        assertTrue(m.get("thresholds").has("corn") && m.get("thresholds").has("grain"), m.toString());
        assertEquals(48, Files.readAllLines(out.resolve("predictions.jsonl")).size());
        assertTrue(Files.isRegularFile(out.resolve("model/thresholds.json")));
        assertTrue(Files.readString(out.resolve("report.txt")).contains("micro avg"));

        CliTest.Result pr = cli("predict", "--model", out.resolve("model").toString(), "corn and grain exports rise");
        assertEquals(0, pr.code(), pr.err());
        assertTrue(pr.out().contains("corn") && pr.out().contains("grain"), pr.out());
    }

    // ---- bad input: one line, exit 2, before any training ---------------------------------------------------------

    private CliTest.Result badRun(Path train, Path test, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--train-data", train.toString(),
                "--test-data", test.toString(), "--max-length", "16", "--output", tmp.resolve("bad").toString()));
        args.addAll(List.of(extra));
        long t0 = System.nanoTime();
        CliTest.Result r = cli(args.toArray(String[]::new));
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("finetune4j: error: "), r.err());
        assertFalse(r.out().contains("fine-tuning"), "training started: " + r.out());
        assertTrue(s < 10, "took " + s + " s to fail");
        assertFalse(Files.exists(tmp.resolve("bad/metrics.json")));
        return r;
    }

    private Path write(String name, String content) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void missingLabelFieldFailsFast() throws Exception {
        Path train = write("train.jsonl", "{\"text\": \"good\", \"label\": \"pos\"}\n{\"text\": \"bad\", \"label\": \"neg\"}\n");
        CliTest.Result r = badRun(train, train, "--label-field", "nope");
        assertTrue(r.err().contains("train.jsonl") && r.err().contains("line 1") && r.err().contains("nope"), r.err());
    }

    @Test
    void unknownTestLabelFailsFast() throws Exception {
        Path train = write("train.jsonl", "{\"text\": \"good\", \"label\": \"pos\"}\n{\"text\": \"bad\", \"label\": \"neg\"}\n");
        Path test = write("test.jsonl", "{\"text\": \"fine\", \"label\": \"pos\"}\n{\"text\": \"meh\", \"label\": \"neutral\"}\n");
        CliTest.Result r = badRun(train, test);
        assertTrue(r.err().contains("test.jsonl") && r.err().contains("line 2") && r.err().contains("neutral"), r.err());
    }

    @Test
    void emptyTrainingFileFailsFast() throws Exception {
        Path train = write("empty.jsonl", "");
        Path test = write("test.jsonl", "{\"text\": \"fine\", \"label\": \"pos\"}\n");
        CliTest.Result r = badRun(train, test);
        assertTrue(r.err().contains("empty.jsonl"), r.err());
    }

    @Test
    void invalidUtf8FailsFast() throws Exception {
        Path train = write("train.jsonl", "{\"text\": \"good\", \"label\": \"pos\"}\n{\"text\": \"bad\", \"label\": \"neg\"}\n");
        Path test = tmp.resolve("broken.jsonl");
        byte[] good = "{\"text\": \"fine\", \"label\": \"pos\"}\n{\"text\": \"".getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\", \"label\": \"neg\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[good.length + 2 + tail.length];
        System.arraycopy(good, 0, all, 0, good.length);
        all[good.length] = (byte) 0xC3;
        all[good.length + 1] = (byte) 0x28;
        System.arraycopy(tail, 0, all, good.length + 2, tail.length);
        Files.write(test, all);
        CliTest.Result r = badRun(train, test);
        assertTrue(r.err().contains("broken.jsonl") && r.err().contains("line 2") && r.err().contains("UTF-8"), r.err());
    }
}
