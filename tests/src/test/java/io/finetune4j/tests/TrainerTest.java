package io.finetune4j.tests;

import io.finetune4j.framework.data.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.config.RunConfig.TrainingArgs;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.model.ClassifierHead;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.framework.train.Trainer;
import io.finetune4j.framework.model.TrainingData;
import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.pretrained.ModelCatalogue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Fine-tuning MiniLM on a few real IMDB reviews: seeded runs reproduce exactly, saved models predict the same. */
class TrainerTest {
    static Backbone miniLm;
    static TrainingData train, validation;
    static final ClassifierHead HEAD = new ClassifierHead(RunConfig.HeadType.DENSE, RunConfig.Pooling.CLS, 32,
            RunConfig.Activation.TANH, 0.1, List.of("neg", "pos"), false);
    static final TrainingArgs OPTS = training("max_length", 48, "per_device_train_batch_size", 8,
            "num_train_epochs", 2, "warmup_ratio", 0.1);

    /** The training settings with some changed: name, value, name, value, ... */
    static TrainingArgs training(Object... nameValue) {
        TrainingArgs t = Settings.defaults(TrainingArgs.class);
        for (int i = 0; i < nameValue.length; i += 2) t = Settings.with(t, (String) nameValue[i], nameValue[i + 1]);
        return t;
    }

    @BeforeAll
    static void load() throws Exception {
        miniLm = ModelCatalogue.load("all-MiniLM-L6-v2");
        train = imdb(0, 32);
        validation = imdb(100, 16);
    }

    /** {@code n} reviews alternating neg/pos, from the {@code offset}-th review of each label of the IMDB fixture. */
    static TrainingData imdb(int offset, int n) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<List<String>> byLabel = List.of(new ArrayList<>(), new ArrayList<>());   // neg, pos
        for (String line : Files.readAllLines(Fixtures.file("imdb_train.jsonl"))) {
            var node = json.readTree(line);
            byLabel.get(node.get("label").asText().equals("pos") ? 1 : 0).add(node.get("text").asText());
        }
        List<String> texts = new ArrayList<>();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            texts.add(byLabel.get(labels[i]).get(offset + i / 2));
        }
        return TrainingData.multiClass(texts, null, labels, 2, null);
    }

    static Trainer.Result run(TextClassifier model, TrainingArgs opts) {
        return new Trainer(model, opts, null).fit(train, validation);
    }

    @Test
    void sameSeedSameNumbersOtherSeedOtherNumbers() {
        TextClassifier a = TextClassifier.create(miniLm, HEAD, 42), b = TextClassifier.create(miniLm, HEAD, 42);
        Trainer.Result ra = run(a, OPTS), rb = run(b, OPTS);
        for (int e = 0; e < ra.epochs().size(); e++) {
            assertEquals(ra.epochs().get(e).trainLoss(), rb.epochs().get(e).trainLoss(), 0.0, "epoch " + (e + 1));
            assertEquals(ra.epochs().get(e).validationLoss(), rb.epochs().get(e).validationLoss(), 0.0);
        }
        double[][] pa = a.evaluate(validation, 48, 16).probabilities(), pb = b.evaluate(validation, 48, 16).probabilities();
        for (int i = 0; i < pa.length; i++) assertArrayEquals(pa[i], pb[i], 0.0);

        TextClassifier c = TextClassifier.create(miniLm, HEAD, 7);
        Trainer.Result rc = run(c, Settings.with(OPTS, "seed", 7L));
        assertNotEquals(ra.epochs().get(0).trainLoss(), rc.epochs().get(0).trainLoss());
        System.out.printf("seed 42 train loss %s, seed 7 %s; %.1f samples/s%n", ra.epochs().get(0).trainLoss(),
                rc.epochs().get(0).trainLoss(), ra.samplesPerSecond());
    }

    @Test
    void trainingLowersTheLossAndSavedModelPredictsTheSame(@TempDir Path dir) throws Exception {
        TextClassifier model = TextClassifier.create(miniLm, HEAD, 1);
        double before = model.evaluate(train, 48, 16).meanLoss();
        TrainingArgs opts = training("max_length", 48, "per_device_train_batch_size", 8, "learning_rate", 2e-4,
                "num_train_epochs", 6, "lr_scheduler_type", RunConfig.SchedulerType.CONSTANT, "weight_decay", 0.0,
                "seed", 1L);
        new Trainer(model, opts, null).fit(train, null);
        double after = model.evaluate(train, 48, 16).meanLoss();
        System.out.printf("train loss before %.4f after %.4f%n", before, after);
        assertTrue(after < before * 0.8, "loss " + before + " -> " + after);

        model.save(dir.resolve("model"), java.util.Map.of());
        TextClassifier loaded = TextClassifier.load(dir.resolve("model"));
        double[][] p1 = model.predict(validation.texts(), null, 48, 16), p2 = loaded.predict(validation.texts(), null, 48, 16);
        for (int i = 0; i < p1.length; i++) assertArrayEquals(p1[i], p2[i], 0.0);
        assertEquals(List.of("neg", "pos"), loaded.head().labels());
    }

    @Test
    void frozenBackboneOnlyChangesTheHead() {
        TextClassifier model = TextClassifier.create(miniLm, HEAD, 3);
        var q = model.weights().get("encoder.layer.0.attention.self.query.weight").dup();
        var emb = model.weights().get("embeddings.word_embeddings.weight").dup();
        var out = model.weights().get("dense_head.out_proj.weight").dup();
        TrainingArgs opts = training("max_length", 32, "per_device_train_batch_size", 8, "learning_rate", 1e-3,
                "lr_scheduler_type", RunConfig.SchedulerType.CONSTANT, "seed", 3L, "freeze", "backbone");
        new Trainer(model, opts, null).fit(train, null);
        assertEquals(q, model.weights().get("encoder.layer.0.attention.self.query.weight"));
        assertEquals(emb, model.weights().get("embeddings.word_embeddings.weight"));
        assertNotEquals(out, model.weights().get("dense_head.out_proj.weight"));
    }
}
