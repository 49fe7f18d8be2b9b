package io.finetune4j.tests;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.config.RunConfig.LossNormalisation;
import io.finetune4j.framework.config.RunConfig.TrainingArgs;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.model.ClassifierHead;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.framework.train.Trainer;
import io.finetune4j.framework.model.TrainingData;
import io.finetune4j.framework.train.TrainingListener;
import io.finetune4j.models.tokenizer.Encoding;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One or more optimizer updates of our trainer against PyTorch with Hugging Face's recipe, from identical weights
 * (the tiny float64 classifiers of {@code hf-golden/}, dropout 0): the loss, then every updated weight within
 * {@value #WEIGHTS}. Covers cross-entropy, class weights normalised as PyTorch's {@code CrossEntropyLoss(weight)}
 * (and Keras's), binary cross-entropy for multi-label data, global-norm clipping, AdamW with Hugging Face's decay
 * exclusions, gradient accumulation, the linear schedule with warm-up, and DistilBERT's head.
 */
class HfTrainingStepTest {
    /** The largest difference allowed in a weight after the updates (the issue asks for 1e-5; float64 gives more). */
    static final double WEIGHTS = 1e-9;

    /** What a run of the trainer gave: the loss and learning rate at each batch, and the updates made. */
    record Run(TextClassifier model, List<Double> losses, List<Double> rates, int updates) {
    }

    static Run train(TextClassifier model, TrainingData data, TrainingArgs args) {
        List<Double> losses = new ArrayList<>(), rates = new ArrayList<>();
        Trainer.Result r = new Trainer(model, args, new TrainingListener() {
            @Override
            public void onStep(int epoch, int batch, int batches, double loss, double lr, double sps, double tps,
                               double eta) {
                losses.add(loss);
                rates.add(lr);
            }
        }).fit(data, null);
        return new Run(model, losses, rates, r.steps());
    }

    static Run golden(String caseName, TrainingData data, int batchSize) {
        JsonNode c = HfGolden.json(caseName + ".json");
        TextClassifier model = HfGolden.model(c.get("model_folder").asText());
        return train(model, data, HfGolden.training(c.get("hyperparameters"), batchSize, 1));
    }

    static void assertWeights(Run r, String goldenFile) {
        double d = HfGolden.maxDifference(r.model().weights(), HfGolden.tensors(goldenFile));
        System.out.printf("[hf golden] %s: max |weight difference| %.2e%n", goldenFile, d);
        assertTrue(d <= WEIGHTS, goldenFile + ": max |weight difference| " + d);
    }

    @Test
    void theTinyFoldersLoadAsFloat64ClassifiersAndTokenizeAsTheReference() {
        TextClassifier bert = HfGolden.model("tiny-bert"), distil = HfGolden.model("tiny-distilbert");
        assertEquals(DataType.DOUBLE, bert.dtype());
        assertEquals(List.of("negative", "neutral", "positive"), bert.head().labels());
        assertTrue(bert.head().isHf() && distil.head().isHf());
        assertEquals(0.0, bert.config().hiddenDropout());
        assertEquals(0.0, bert.head().dropout(), "classifier_dropout null: hidden_dropout_prob's 0");
        JsonNode b = HfGolden.json("batch.json").get("batch8");
        for (int i = 0; i < b.get("texts").size(); i++) {
            JsonNode t = b.get("texts").get(i);
            Encoding e = t.size() > 1 ? bert.tokenizer().encode(t.get(0).asText(), t.get(1).asText(), 16)
                    : bert.tokenizer().encode(t.get(0).asText(), 16);
            int[] want = new int[e.length()], types = new int[e.length()];
            for (int j = 0; j < e.length(); j++) {
                want[j] = b.get("input_ids").get(i).get(j).asInt();
                types[j] = b.get("token_type_ids").get(i).get(j).asInt();
            }
            assertArrayEquals(want, e.inputIds(), t.toString());
            assertArrayEquals(types, e.tokenTypeIds(), t.toString());
        }
    }

    @Test
    void crossEntropyStepWithClippingAndAdamWDecayExclusions() {
        Run r = golden("ce", HfGolden.data("batch4", false, null), 4);
        assertEquals(HfGolden.json("ce.json").get("loss").asDouble(), r.losses().get(0), 1e-12);
        assertWeights(r, "ce.safetensors");
    }

    @Test
    void clippingActiveAtASmallMaxNorm() {
        Run r = golden("clip", HfGolden.data("batch4", false, null), 4);
        assertTrue(HfGolden.json("clip.json").get("clip_active").asBoolean());
        assertWeights(r, "clip.safetensors");
    }

    @Test
    void classWeightsNormalisedAsPyTorchAndOptionallyAsKeras() {
        JsonNode c = HfGolden.json("ce_class_weights.json");
        double[] w = new double[3];
        for (int i = 0; i < 3; i++) w[i] = c.get("hyperparameters").get("class_weights").get(i).asDouble();
        Run r = golden("ce_class_weights", HfGolden.data("batch4", false, w), 4);
        assertEquals(c.get("loss").asDouble(), r.losses().get(0), 1e-12, "sum of w*loss / sum of w");
        assertWeights(r, "ce_class_weights.safetensors");

        TrainingArgs keras = Settings.with(HfGolden.training(c.get("hyperparameters"), 4, 1),
                "class_weights_normalisation", LossNormalisation.KERAS);
        Run k = train(HfGolden.model("tiny-bert"), HfGolden.data("batch4", false, w), keras);
        assertEquals(c.get("loss_keras_style").asDouble(), k.losses().get(0), 1e-12, "mean of w*loss");
    }

    @Test
    void multiLabelBinaryCrossEntropyStep() {
        JsonNode c = HfGolden.json("bce_multilabel.json");
        TextClassifier single = HfGolden.model("tiny-bert");
        ClassifierHead h = single.head();
        TextClassifier multi = new TextClassifier(single.backboneName(), single.config(), new ClassifierHead(h.type(),
                h.pooling(), h.hiddenSize(), h.activation(), h.dropout(), h.labels(), true), single.weights(),
                single.tokenizer());
        Run r = train(multi, HfGolden.data("batch4", true, null), HfGolden.training(c.get("hyperparameters"), 4, 1));
        assertEquals(c.get("loss").asDouble(), r.losses().get(0), 1e-12, "mean over batch x labels");
        assertWeights(r, "bce_multilabel.safetensors");
    }

    @Test
    void twoAccumulatedBatchesOfFourAreOneStepOfEight() {
        JsonNode c = HfGolden.json("accumulation.json");   // its hyperparameters are the one step of 8
        TrainingArgs a = Settings.with(HfGolden.training(c.get("hyperparameters"), 4, 1),
                "gradient_accumulation_steps", c.get("gradient_accumulation_steps").asInt());
        Run r = train(HfGolden.model("tiny-bert"), HfGolden.data("batch8", false, null), a);
        assertEquals(2, r.losses().size(), "two micro-batches");
        assertEquals(1, r.updates(), "one update");
        assertWeights(r, "accumulation.safetensors");
    }

    @Test
    void threeUpdatesOfTheLinearScheduleWithWarmup() {
        JsonNode c = HfGolden.json("three_steps.json");
        Run r = train(HfGolden.model("tiny-bert"), HfGolden.data("batch4", false, null),
                HfGolden.training(c.get("hyperparameters"), 4, 3));
        List<Double> want = new ArrayList<>();
        for (JsonNode s : c.get("steps")) want.add(s.get("lr").asDouble());
        assertEquals(want, r.rates(), "the first update of a warm-up uses lr 0");
        for (int i = 0; i < 3; i++) {
            assertEquals(c.get("steps").get(i).get("loss").asDouble(), r.losses().get(i), 1e-11, "update " + (i + 1));
        }
        assertWeights(r, "three_steps.step3.safetensors");
    }

    @Test
    void distilBertHeadStep() {
        Run r = golden("distilbert_ce", HfGolden.data("batch4", false, null), 4);
        assertEquals(HfGolden.json("distilbert_ce.json").get("loss").asDouble(), r.losses().get(0), 1e-12);
        assertWeights(r, "distilbert_ce.safetensors");
    }

    @Test
    void frozenTensorsStayBitIdentical() {
        JsonNode hp = HfGolden.json("ce.json").get("hyperparameters");
        for (String freeze : List.of("backbone", "top:1")) {
            TextClassifier m = HfGolden.model("tiny-bert");
            List<String> names = new ArrayList<>(m.weights().keySet());
            List<double[]> before = names.stream().map(n -> m.weights().get(n).dup().data().asDouble()).toList();
            train(m, HfGolden.data("batch4", false, null),
                    Settings.with(HfGolden.training(hp, 4, 1), "freeze", freeze));
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                boolean learns = n.startsWith("classifier.") || (freeze.equals("top:1")
                        && (n.startsWith("encoder.layer.1.") || n.startsWith("pooler.")));
                boolean same = Arrays.equals(before.get(i), m.weights().get(n).data().asDouble());
                assertEquals(!learns, same, freeze + ": " + n + (learns ? " should learn" : " is frozen"));
            }
        }
    }

    @Test
    void theSettingsOfTheGoldenCasesAreHuggingFacesDefaultsWhereTheyHaveOne() {
        TrainingArgs d = Settings.defaults(TrainingArgs.class);
        assertEquals(0.9, d.adamBeta1());
        assertEquals(0.999, d.adamBeta2());
        assertEquals(1e-8, d.adamEpsilon());
        assertEquals(1.0, d.maxGradNorm());
        assertEquals(RunConfig.SchedulerType.LINEAR, d.lrSchedulerType());
        assertEquals(5e-5, d.learningRate());
    }
}
