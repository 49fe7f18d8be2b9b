package io.finetune4j.framework.finetune;

import io.finetune4j.framework.io.Ordered;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.config.RunConfig.TrainingArgs;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.data.Splits;
import io.finetune4j.framework.data.TextDataset;
import io.finetune4j.framework.eval.PredictionsWriter;
import io.finetune4j.framework.model.ClassifierHead;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.framework.train.Trainer;
import io.finetune4j.framework.model.TrainingData;
import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.pretrained.ModelCatalogue;
import io.finetune4j.models.checkpoint.HfCheckpoint;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.finetune4j.framework.io.Files2.deleteTree;
import static io.finetune4j.framework.io.Files2.writeAtomically;

/**
 * One fine-tuning run, start to finish: read and check the data (before any model is loaded), build the
 * classifier, train, evaluate on the test set and write the run's folder:
 * <ul>
 *   <li>{@code metrics.json}: the test (and validation) metrics, the epochs' losses and validation metrics, the
 *   settings and what they resolved to. No times: the same seed gives the same file, byte for byte;</li>
 *   <li>{@code timing.json}: seconds and throughput of the training, per epoch and in all;</li>
 *   <li>{@code report.txt}, {@code confusion.png} / {@code confusion_normalised.png}, {@code predictions.jsonl}
 *   (and {@code validation_predictions.jsonl}), and the model folder {@code model/} ({@code ClassifierFolder}).</li>
 * </ul>
 * The {@code train} command and every experiment trial run through here.
 */
public final class FineTuneRun {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What a run produced: its folder, {@code metrics.json}'s and {@code timing.json}'s contents and the report. */
    public record Result(Path outputDir, Map<String, Object> metrics, Map<String, Object> timing, String report) {
    }

    private FineTuneRun() {
    }

    /**
     * Runs {@code c}; progress and the final report go to {@code out}.
     *
     * @param base the folder relative data and model paths start from (an experiment file's; the current one)
     */
    public static Result run(RunConfig c, Path base, PrintWriter out) throws IOException {
        Settings.checkRelations(c, "");
        TrainingArgs t = c.training();
        Path dir = c.output().outputDir() != null ? c.output().outputDir()
                : Path.of("runs", "train-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(dir.resolve("metrics.json")) && !c.output().overwriteOutputDir()) {
            throw new IllegalArgumentException(dir + " already holds a run (metrics.json): choose another "
                    + "--output-dir or pass --overwrite-output-dir to replace it");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": not a directory");

        RunData data = RunData.prepare(c.data(), base, t.seed(), note -> {
            out.println("finetune4j: " + note);
            out.flush();
        });
        TextClassifier model = classifier(c, base, data.train(), out);
        int positions = model.config().maxPositions();
        if (t.maxLength() > positions) {
            throw new IllegalArgumentException("max_length " + t.maxLength() + " exceeds the " + positions
                    + " positions of " + model.backboneName());
        }
        TextDataset trainSet = t.oversample() ? Splits.oversample(data.train(), t.seed()) : data.train();
        double[] classWeights = ClassWeights.of(t.classWeights(), trainSet);
        TrainingData train = RunEvaluation.trainingData(trainSet, classWeights);
        TrainingData validation = data.validation() == null ? null
                : RunEvaluation.trainingData(data.validation(), classWeights);
        List<String> labels = model.head().labels();
        out.println("finetune4j: fine-tuning " + model.backboneName() + " on " + trainSet.size() + " examples ("
                + labels.size() + (model.head().multiLabel() ? " labels, multi-label" : " classes") + "), validation "
                + (validation == null ? "none" : validation.size()) + ", test " + data.test().size() + "; max length "
                + t.maxLength() + ", batch " + t.perDeviceTrainBatchSize() + ", " + t.numTrainEpochs()
                + (t.numTrainEpochs() == 1 ? " epoch" : " epochs") + ", " + Settings.text(model.head().type())
                + " head -> " + dir);
        out.flush();

        Trainer.Result fit;
        try (StdoutFilter ignored = StdoutFilter.install()) {
            fit = new Trainer(model, t, ProgressListener.create(c.output().progress(), out)).fit(train, validation);
        }
        RunEvaluation ev = RunEvaluation.of(model, data, t.maxLength(), t.evalBatchSize());
        Map<String, Object> metrics = metrics(c, model, data, fit, ev);
        Map<String, Object> timing = timing(fit);
        writeOutputs(dir, model, ev, metrics, timing);

        out.println();
        out.print(ev.report());
        out.println(summary(ev, model.head().multiLabel(), fit, dir));
        out.flush();
        return new Result(dir, metrics, timing, ev.report());
    }

    /**
     * The model of a run: a new head on the backbone; or, when {@code model.backbone} is a classifier folder whose
     * head has the data's labels, that classifier, to train on.
     */
    static TextClassifier classifier(RunConfig c, Path base, TextDataset train, PrintWriter out) {
        String name = backbone(c.model().backbone(), base);
        List<String> labels = train.labelNames();
        Backbone backbone;
        if (isClassifierFolder(name)) {
            TextClassifier saved = TextClassifier.load(Path.of(name));
            if (saved.head().labels().equals(labels) && saved.head().multiLabel() == train.multiLabel()) {
                out.println("finetune4j: training on from the classifier in " + name + " (its head has these labels)");
                return saved.withConfig(dropout(saved.config(), c.model()));
            }
            out.println("finetune4j: the classifier in " + name + " has the labels " + saved.head().labels()
                    + ", the data " + labels + ": a new head on its encoder");
            backbone = Backbone.fromDirectory(Path.of(name));
        } else {
            backbone = Backbone.load(name);
        }
        BertConfig config = dropout(backbone.config(), c.model());
        ClassifierHead head = ClassifierHead.of(c.model().head(), config, labels, train.multiLabel());
        return TextClassifier.create(new Backbone(backbone.name(), config, backbone.weights(), backbone.tokenizer()),
                head, c.training().seed());
    }

    /** The backbone's dropout rates with the run's overrides. */
    private static BertConfig dropout(BertConfig config, RunConfig.ModelArgs m) {
        return config.withDropout(m.hiddenDropoutProb() != null ? m.hiddenDropoutProb() : config.hiddenDropout(),
                m.attentionProbsDropoutProb() != null ? m.attentionProbsDropoutProb() : config.attentionDropout(),
                config.classifierDropout());
    }

    /** A catalogue name as it is; a folder beside {@code base} (an experiment file) or from the current folder. */
    public static String backbone(String name, Path base) {
        if (ModelCatalogue.find(name).isPresent()) return name;
        Path p = Path.of(name);
        if (!p.isAbsolute() && Files.isDirectory(base.resolve(p))) return base.resolve(p).normalize().toString();
        return name;
    }

    private static boolean isClassifierFolder(String name) {
        Path config = Path.of(name).resolve(HfCheckpoint.CONFIG_JSON);
        if (!Files.isRegularFile(config)) return false;
        try {
            var n = JSON.readTree(config.toFile());
            return n.path("architectures").path(0).asText("").endsWith("ForSequenceClassification")
                    || n.path("finetune4j").has("head");
        } catch (IOException e) {
            return false;
        }
    }

    // ---- records -----------------------------------------------------------------------------------------------

    /** {@code metrics.json}: everything but times, so that a seeded run writes it byte for byte the same. */
    private static Map<String, Object> metrics(RunConfig c, TextClassifier model, RunData data, Trainer.Result fit,
                                               RunEvaluation ev) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("test", ev.test());
        if (ev.baseline() != null) m.put("baseline_predict_nothing", ev.baseline());
        if (ev.validation() != null) m.put("validation", ev.validation());
        if (ev.thresholds() != null) m.put("thresholds", thresholdMap(model.head().labels(), ev.thresholds()));
        m.put("train_steps", fit.steps());
        m.put("train_samples", fit.trainedSamples());
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (Trainer.EpochResult e : fit.epochs()) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("epoch", e.epoch());
            em.put("train_loss", RunEvaluation.finite(e.trainLoss()));
            em.put("val_loss", RunEvaluation.finite(e.validationLoss()));
            em.put("val_accuracy", RunEvaluation.finite(e.validationAccuracy()));
            em.put("val_macro_f1", RunEvaluation.finite(e.validationMacroF1()));
            epochs.add(em);
        }
        m.put("epochs", epochs);
        m.put("best_epoch", fit.bestEpoch());
        m.put("restored_best_model", fit.restored());
        m.put("seed", c.training().seed());
        m.put("model", model.backboneName());
        Map<String, Object> config = new LinkedHashMap<>(Settings.toMap(c));
        config.remove("output");
        m.put("config", config);
        m.put("resolved", resolved(model, data));
        return m;
    }

    /** What the settings came to: the data's sizes and labels, the head and the dropout rates in effect. */
    private static Map<String, Object> resolved(TextClassifier model, RunData data) {
        Map<String, Object> r = new LinkedHashMap<>();
        ClassifierHead h = model.head();
        r.put("train_data", data.train().source());
        r.put("validation_data", data.validation() == null ? null : data.validation().source());
        r.put("test_data", data.test().source());
        r.put("train_examples", data.train().size());
        r.put("validation_examples", data.validation() == null ? 0 : data.validation().size());
        r.put("test_examples", data.test().size());
        r.put("labels", h.labels());
        r.put("problem_type", h.problemType());
        r.put("head", Ordered.map("type", Settings.text(h.type()), "pooling", Settings.text(h.pooling()),
                "hidden_size", h.hiddenSize(), "activation", Settings.text(h.activation())));
        r.put("hidden_dropout_prob", model.config().hiddenDropout());
        r.put("attention_probs_dropout_prob", model.config().attentionDropout());
        r.put("classifier_dropout", h.dropout());
        return r;
    }

    /** {@code timing.json}: how long training took, per epoch and in all. */
    private static Map<String, Object> timing(Trainer.Result fit) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("train_seconds", fit.trainSeconds());
        t.put("train_samples_per_second", fit.samplesPerSecond());
        t.put("train_tokens_per_second", fit.tokensPerSecond());
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (Trainer.EpochResult e : fit.epochs()) {
            epochs.add(Ordered.map("epoch", e.epoch(), "seconds", e.seconds(), "samples_per_second", e.samplesPerSecond(),
                    "tokens_per_second", e.tokensPerSecond()));
        }
        t.put("epochs", epochs);
        return t;
    }

    private static void writeOutputs(Path dir, TextClassifier model, RunEvaluation ev, Map<String, Object> metrics,
                                     Map<String, Object> timing) throws IOException {
        Files.createDirectories(dir);
        Path modelDir = dir.resolve("model"), tmp = dir.resolve(".model.tmp");
        deleteTree(tmp);
        Map<String, Object> extra = new LinkedHashMap<>();
        if (ev.thresholds() != null) extra.put("thresholds", thresholdMap(model.head().labels(), ev.thresholds()));
        model.save(tmp, extra);
        if (ev.thresholds() != null) {
            writeAtomically(tmp.resolve("thresholds.json"),
                    JSON.writeValueAsString(thresholdMap(model.head().labels(), ev.thresholds())));
        }
        deleteTree(modelDir);
        Files.move(tmp, modelDir);
        PredictionsWriter.writeJsonl(dir.resolve("predictions.jsonl"), ev.testRecords());
        if (!ev.validationRecords().isEmpty()) {
            PredictionsWriter.writeJsonl(dir.resolve("validation_predictions.jsonl"), ev.validationRecords());
        }
        if (ev.classification() != null) {
            ev.classification().confusionMatrix().writePng(dir.resolve("confusion.png"), false,
                    "Confusion matrix (counts)");
            ev.classification().confusionMatrix().writePng(dir.resolve("confusion_normalised.png"), true,
                    "Confusion matrix (normalised by true class)");
        }
        writeAtomically(dir.resolve("report.txt"), ev.report());
        writeAtomically(dir.resolve("timing.json"), JSON.writeValueAsString(timing));
        writeAtomically(dir.resolve("metrics.json"), JSON.writeValueAsString(metrics));   // last: the run is done
    }

    private static Map<String, Double> thresholdMap(List<String> labels, double[] t) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int j = 0; j < labels.size(); j++) m.put(labels.get(j), t[j]);
        return m;
    }

    private static String summary(RunEvaluation ev, boolean multi, Trainer.Result fit, Path dir) {
        Map<String, Object> t = ev.test();
        String score = multi
                ? String.format("micro F1 %.4f, macro F1 %.4f, subset accuracy %.4f", (Double) t.get("micro_f1"),
                (Double) t.get("macro_f1"), (Double) t.get("subset_accuracy"))
                : String.format("accuracy %.4f, macro F1 %.4f", (Double) t.get("accuracy"), (Double) t.get("macro_f1"));
        return String.format("finetune4j: test %s | trained %d steps in %.1f s (%.1f samples/s, %.0f tokens/s) | -> %s",
                score, fit.steps(), fit.trainSeconds(), fit.samplesPerSecond(), fit.tokensPerSecond(), dir);
    }
}
