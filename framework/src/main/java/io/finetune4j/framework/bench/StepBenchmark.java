package io.finetune4j.framework.bench;

import io.finetune4j.framework.config.RunConfig.Activation;
import io.finetune4j.framework.config.RunConfig.HeadType;
import io.finetune4j.framework.config.RunConfig.LossNormalisation;
import io.finetune4j.framework.config.RunConfig.Pooling;
import io.finetune4j.framework.model.ClassifierHead;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.framework.finetune.StdoutFilter;
import io.finetune4j.framework.train.AdamW;
import io.finetune4j.framework.model.Batch;
import io.finetune4j.framework.train.GradientStep;
import io.finetune4j.framework.train.Trainer;
import io.finetune4j.models.pretrained.Backbone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The same measurement as the PyTorch peer's {@code torch_bert.py bench}: a [CLS] → dense(tanh) → dropout →
 * linear classifier on random token ids in [1000, vocab) without padding; a training step is forward + backward
 * + AdamW (lr 2e-5, weight decay 0.01); inference is a forward pass. Two warm-up steps, then the median of
 * {@code steps}. Output fields match the peer's JSON line so the two can be set side by side.
 */
public final class StepBenchmark {
    private StepBenchmark() {
    }

    public static Map<String, Object> run(Backbone backbone, int batch, int seq, int steps) {
        int hidden = backbone.config().hiddenSize();
        ClassifierHead head = new ClassifierHead(HeadType.DENSE, Pooling.CLS, hidden, Activation.TANH, 0.1,
                List.of("0", "1"), false);
        TextClassifier model = TextClassifier.create(backbone, head, 0);
        Batch b = randomBatch(batch, seq, backbone.config().vocabSize(), 0);

        AdamW adamw = new AdamW(0.01);
        double[] train = new double[steps + 2];
        try (StdoutFilter quiet = StdoutFilter.install()) {   // SameDiff prints a line per differentiated op
            GradientStep step = new GradientStep(model, Trainer.trainable(model, "none"), 0, LossNormalisation.PYTORCH);
            for (int i = 0; i < train.length; i++) {
                long t = System.nanoTime();
                try (GradientStep.Output out = step.run(b)) {
                    adamw.step(model.weights(), out.gradients(), 2e-5);
                }
                train[i] = (System.nanoTime() - t) / 1e9;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        double[] infer = new double[steps + 2];
        for (int i = 0; i < infer.length; i++) {
            long t = System.nanoTime();
            model.forwardProbabilities(b);
            infer[i] = (System.nanoTime() - t) / 1e9;
        }
        double tr = median(train), inf = median(infer);
        long flopsPerStep = trainingFlops(backbone, batch, seq);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("impl", "finetune4j-samediff-1.0.0-M2.1");
        out.put("threads", Integer.parseInt(System.getenv().getOrDefault("OMP_NUM_THREADS",
                String.valueOf(Runtime.getRuntime().availableProcessors()))));
        out.put("model", backbone.name());
        out.put("layers", backbone.config().numLayers());
        out.put("hidden", hidden);
        out.put("batch", batch);
        out.put("seq", seq);
        out.put("train_step_s", round(tr, 4));
        out.put("train_samples_per_s", round(batch / tr, 2));
        out.put("infer_batch_s", round(inf, 4));
        out.put("infer_samples_per_s", round(batch / inf, 2));
        out.put("train_gflops_per_s", round(flopsPerStep / tr / 1e9, 1));
        out.put("peak_rss_mb", peakRssMb());
        return out;
    }

    static Batch randomBatch(int batch, int seq, int vocab, long seed) {
        Random r = new Random(seed);
        int[][] ids = new int[batch][seq], types = new int[batch][seq], mask = new int[batch][seq];
        double[][] targets = new double[batch][2];
        double[] weights = new double[batch];
        int[] idx = new int[batch];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < seq; j++) ids[i][j] = 1000 + r.nextInt(vocab - 1000);
            Arrays.fill(mask[i], 1);
            targets[i][r.nextInt(2)] = 1;
            weights[i] = 1;
            idx[i] = i;
        }
        return new Batch(ids, types, mask, targets, weights, idx);
    }

    /**
     * Matmul FLOPs of a training step (forward ×3 for backward): per layer 4 projections (4·2·B·T·H²), the FFN
     * (2·2·B·T·H·I) and attention scores and context (2·2·B·T²·H).
     */
    static long trainingFlops(Backbone backbone, int b, int t) {
        long h = backbone.config().hiddenSize(), i = backbone.config().intermediateSize();
        long perLayer = 8L * b * t * h * h + 4L * b * t * h * i + 4L * b * t * t * h;
        return 3L * perLayer * backbone.config().numLayers();
    }

    /** The process's peak resident set (VmHWM), heap and native memory together. */
    public static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: report unknown
        }
        return -1;
    }

    private static double median(double[] times) {
        double[] t = Arrays.copyOfRange(times, 2, times.length);
        Arrays.sort(t);
        return t[t.length / 2];
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
