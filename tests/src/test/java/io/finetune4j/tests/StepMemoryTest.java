package io.finetune4j.tests;

import io.finetune4j.framework.model.ClassifierGraph;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.config.RunConfig.LossNormalisation;
import io.finetune4j.framework.model.ClassifierHead;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.framework.model.Batch;
import io.finetune4j.framework.model.Batches;
import io.finetune4j.framework.train.GradientStep;
import io.finetune4j.framework.train.Trainer;
import io.finetune4j.framework.model.TrainingData;
import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.BertModel;
import io.finetune4j.models.pretrained.ModelCatalogue;
import io.finetune4j.models.tokenizer.Encoding;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training step whose arrays are reused from step to step (StepMemory) gives the same loss and gradients as a
 * fresh SameDiff graph with SameDiff's own memory, over batches of changing shapes; the dropout-free inference
 * path gives the same probabilities batch after batch.
 */
class StepMemoryTest {
    /** The dense head: pooling → dense(hidden, tanh) → dropout → output, on two labels. */
    static ClassifierHead head(String pooling, int hidden, double dropout) {
        return new ClassifierHead(RunConfig.HeadType.DENSE, RunConfig.Pooling.valueOf(pooling.toUpperCase()), hidden,
                RunConfig.Activation.TANH, dropout, List.of("neg", "pos"), false);
    }

    @Test
    void reusedArraysGiveTheSameGradientsAsAFreshGraph() throws Exception {
        Backbone loaded = ModelCatalogue.load("all-MiniLM-L6-v2");
        // no dropout anywhere (rates 0): the step's graph and the fresh one compute the same function
        Backbone miniLm = new Backbone(loaded.name(), loaded.config().withDropout(0, 0, null), loaded.weights(),
                loaded.tokenizer());
        ClassifierHead head = head("cls", 32, 0.0);
        TextClassifier model = TextClassifier.create(miniLm, head, 3);
        TrainingData data = TrainerTest.imdb(0, 12);
        List<Encoding> enc = model.encode(data.texts(), null, 40);
        List<Batch> batches = new ArrayList<>();
        for (int size : new int[]{4, 6, 2}) {   // three batch shapes, then the first shape again
            batches.add(Batches.inOrder(enc.subList(0, size), subset(data, size), size, model.tokenizer().padId()).get(0));
        }
        batches.add(batches.get(0));
        Set<String> trainable = Trainer.trainable(model, "none");
        GradientStep step = new GradientStep(model, trainable, 1, LossNormalisation.PYTORCH);
        ClassifierGraph fresh = new ClassifierGraph(model.config(), head, model.weights(), true,
                LossNormalisation.PYTORCH);
        List<String> names = new ArrayList<>();
        for (String n : trainable) if (fresh.sd.hasVariable(n)) names.add(n);

        for (Batch b : batches) {
            assertTrue(BertModel.dropoutMasks(model.config(), b.size(), b.length()).isEmpty());
            OutAndGrad ref = fresh.sd.calculateGradientsAndOutputs(model.placeholders(fresh, b, Map.of()),
                    List.of(ClassifierGraph.LOSS), names);
            try (GradientStep.Output out = step.run(b)) {
                assertEquals(ref.getOutputs().get(ClassifierGraph.LOSS).getDouble(0), out.loss(), 1e-6, "loss, batch of " + b.size());
                int compared = 0;
                for (String n : names) {
                    float[] want = ref.getGradients().get(n).dup().data().asFloat();
                    float[] got = out.gradients().get(n).dup().data().asFloat();
                    assertArrayEquals(want, got, 1e-6f, n + ", batch of " + b.size() + "x" + b.length());
                    compared++;
                }
                assertTrue(compared > 90, "compared " + compared + " gradients");
            }
        }
    }

    /** BERT checkpoints carry a pooler; a head on [CLS] leaves it off the loss's path, so it has no gradient. */
    @Test
    void aPoolerTheHeadDoesNotUseGetsNoGradientAndTrainingRuns() throws Exception {
        Backbone miniLm = ModelCatalogue.load("all-MiniLM-L6-v2");
        java.util.LinkedHashMap<String, INDArray> w = new java.util.LinkedHashMap<>(miniLm.weights());
        int h = miniLm.config().hiddenSize();
        w.put("pooler.dense.weight", Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, h, h).subi(0.5).muli(0.1));
        w.put("pooler.dense.bias", Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, h));
        Backbone withPooler = new Backbone("minilm+pooler", miniLm.config().withPooler(true), w, miniLm.tokenizer());
        TrainingData data = TrainerTest.imdb(0, 4);
        for (String pooling : new String[]{"cls", "pooler"}) {
            TextClassifier model = TextClassifier.create(withPooler, head(pooling, 16, 0.1), 3);
            List<Encoding> enc = model.encode(data.texts(), null, 24);
            Batch b = Batches.inOrder(enc, data, 4, model.tokenizer().padId()).get(0);
            GradientStep step = new GradientStep(model, Trainer.trainable(model, "none"), 1, LossNormalisation.PYTORCH);
            try (GradientStep.Output out = step.run(b)) {
                assertTrue(Double.isFinite(out.loss()));
                INDArray poolerGrad = out.gradients().get("pooler.dense.weight");
                if (pooling.equals("cls")) {
                    assertTrue(poolerGrad == null, "cls pooling: no pooler gradient");
                } else {
                    assertTrue(poolerGrad != null && poolerGrad.norm2Number().doubleValue() > 0, "pooler pooling trains the pooler");
                }
            }
        }
    }

    @Test
    void inferenceGivesTheSameProbabilitiesBatchAfterBatch() throws Exception {
        Backbone miniLm = ModelCatalogue.load("all-MiniLM-L6-v2");
        TextClassifier model = TextClassifier.create(miniLm, head("cls", 32, 0.1), 3);
        TrainingData data = TrainerTest.imdb(0, 10);
        double[][] together = model.evaluate(data, 48, 4).probabilities();   // batches of 4, 4, 2
        for (int i = 0; i < data.size(); i++) {
            double[][] alone = model.evaluate(subset(data, i, i + 1), 48, 1).probabilities();
            assertArrayEquals(together[i], alone[0], 1e-5, "text " + i);
        }
    }

    static TrainingData subset(TrainingData d, int n) {
        return subset(d, 0, n);
    }

    static TrainingData subset(TrainingData d, int from, int to) {
        return new TrainingData(d.texts().subList(from, to), null,
                java.util.Arrays.copyOfRange(d.targets(), from, to), java.util.Arrays.copyOfRange(d.weights(), from, to));
    }
}
