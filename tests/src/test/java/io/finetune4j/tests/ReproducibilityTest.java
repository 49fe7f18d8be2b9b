package io.finetune4j.tests;

import io.finetune4j.framework.config.RunConfig.TrainingArgs;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.framework.train.Trainer;
import io.finetune4j.framework.model.TrainingData;
import io.finetune4j.framework.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded training reproduces across processes (two JVMs write byte-identical {@code metrics.json}), and early
 * stopping ends with the best epoch's weights, on the tiny classifier of {@code hf-golden/}.
 */
class ReproducibilityTest {
    @TempDir
    Path tmp;

    @Test
    void sameSeedInTwoProcessesWritesTheSameMetricsByteForByte() throws Exception {
        Path data = tmp.resolve("train.jsonl");
        StringBuilder sb = new StringBuilder();
        TrainingData b = HfGolden.data("batch8", false, null);
        List<String> labels = List.of("negative", "neutral", "positive");
        for (int r = 0; r < 6; r++) {
            for (int i = 0; i < b.size(); i++) {
                String pair = b.textPairs().get(i) == null ? "" : b.textPairs().get(i);
                sb.append(HfGolden.JSON.writeValueAsString(Map.of("text", b.texts().get(i), "text_pair", pair,
                        "label", labels.get(Trainer.argmax(b.targets()[i]))))).append('\n');
            }
        }
        Files.writeString(data, sb.toString(), StandardCharsets.UTF_8);
        List<byte[]> metrics = new ArrayList<>();
        for (String run : List.of("a", "b")) {
            Path out = tmp.resolve(run);
            Process p = new ProcessBuilder(java(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    "io.finetune4j.cli.Main", "train", "--model", HfGolden.path("tiny-bert").toString(),
                    "--train-data", data.toString(), "--text-pair-field", "text_pair", "--validation-fraction", "0.25",
                    "--max-length", "16", "--batch-size", "8", "--epochs", "2", "--learning-rate", "1e-3",
                    "--hidden-dropout-prob", "0.1", "--attention-probs-dropout-prob", "0.1", "--seed", "5",
                    "--progress", "none", "--output-dir", out.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve(run + ".log").toFile()).start();
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "run " + run + " timed out");
            assertEquals(0, p.exitValue(), Files.readString(tmp.resolve(run + ".log")));
            metrics.add(Files.readAllBytes(out.resolve("metrics.json")));
            assertTrue(Files.isRegularFile(out.resolve("timing.json")), "times live apart from metrics.json");
        }
        assertArrayEquals(metrics.get(0), metrics.get(1), "metrics.json of two processes");
        String text = new String(metrics.get(0), StandardCharsets.UTF_8);
        assertTrue(text.contains("\"val_loss\"") && !text.contains("seconds"), text);
    }

    @Test
    void earlyStoppingRestoresTheBestEpochsWeights() {
        TrainingData train = HfGolden.data("batch8", false, null), validation = HfGolden.data("batch4", false, null);
        TrainingArgs a = HfGolden.training(HfGolden.json("ce.json").get("hyperparameters"), 2, 12);
        a = Settings.with(a, "learning_rate", 0.05);            // large: the validation loss rises again soon
        a = Settings.with(a, "early_stopping_patience", 2);
        TextClassifier model = HfGolden.model("tiny-bert");
        Map<Integer, Map<String, double[]>> byEpoch = new LinkedHashMap<>();
        List<Double> valLoss = new ArrayList<>();
        Trainer.Result r = new Trainer(model, a, new TrainingListener() {
            @Override
            public void onEpochEnd(Trainer.EpochResult e) {
                Map<String, double[]> w = new LinkedHashMap<>();
                model.weights().forEach((k, v) -> w.put(k, v.dup().data().asDouble()));
                byEpoch.put(e.epoch(), w);
                valLoss.add(e.validationLoss());
            }
        }).fit(train, validation);

        int best = 1;
        for (int e = 2; e <= valLoss.size(); e++) if (valLoss.get(e - 1) < valLoss.get(best - 1)) best = e;
        System.out.printf("validation losses %s: best epoch %d, stopped after %d%n", valLoss, best, valLoss.size());
        assertEquals(best, r.bestEpoch());
        assertTrue(valLoss.size() < 12, "stopped early: " + valLoss);
        assertEquals(best + 2, valLoss.size(), "patience 2: two epochs without improvement, then stop");
        assertTrue(r.restored());
        for (Map.Entry<String, double[]> w : byEpoch.get(best).entrySet()) {
            assertArrayEquals(w.getValue(), model.weights().get(w.getKey()).data().asDouble(), 0.0, w.getKey());
        }
        assertFalse(Arrays.equals(byEpoch.get(best).get("classifier.weight"),
                byEpoch.get(valLoss.size()).get("classifier.weight")), "the last epoch's weights were different");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
