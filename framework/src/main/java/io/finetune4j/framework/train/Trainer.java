package io.finetune4j.framework.train;

import io.finetune4j.framework.eval.ClassificationReport;
import io.finetune4j.framework.eval.MultiLabelMetrics;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.models.BertConfig;
import io.finetune4j.models.EncoderNames;
import io.finetune4j.models.tokenizer.Encoding;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.*;

/**
 * Fine-tunes a {@link TextClassifier}: seeded shuffling, dynamic padding, dropout masks from the seed, AdamW with
 * warm-up and linear decay, gradient clipping and accumulation, evaluation on a validation set each epoch and
 * early stopping that restores the best weights. Same seed, same data, same machine: bit-identical results.
 */
public final class Trainer {
    private final TextClassifier model;
    private final TrainOptions opts;
    private final TrainingListener listener;

    public record EpochResult(int epoch, double trainLoss, double validationLoss, double validationAccuracy,
                              double validationMacroF1, double seconds, double samplesPerSecond,
                              double tokensPerSecond) {
    }

    public record Result(List<EpochResult> epochs, int bestEpoch, double trainSeconds, double samplesPerSecond,
                         double tokensPerSecond, int steps, long trainedSamples) {
    }

    public Trainer(TextClassifier model, TrainOptions opts, TrainingListener listener) {
        this.model = model;
        this.opts = opts;
        this.listener = listener == null ? TrainingListener.NONE : listener;
    }

    /** Which weights learn under the freeze policy. */
    public static Set<String> trainable(BertConfig config, Collection<String> all, String freeze) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : all) {
            if (name.startsWith("classifier.")) out.add(name);
            else if (freeze.equals("none")) out.add(name);
            else if (freeze.startsWith("top:")) {
                int top = Integer.parseInt(freeze.substring(4));
                EncoderNames n = EncoderNames.of(config);
                for (int l = Math.max(0, config.numLayers() - top); l < config.numLayers(); l++) {
                    String layerPrefix = n.query(l).substring(0, n.query(l).indexOf(".attention"));
                    if (name.startsWith(layerPrefix + ".")) out.add(name);
                }
                if (n.pooler() != null && name.startsWith(n.pooler() + ".")) out.add(name);
            }
        }
        return out;
    }

    public Result fit(TrainingData train, TrainingData validation) {
        if (train.size() == 0) throw new IllegalArgumentException("the training set is empty");
        BertConfig config = model.config();
        Map<String, INDArray> weights = model.weights();
        Set<String> trainable = trainable(config, weights.keySet(), opts.freeze());
        GradientStep gradientStep = new GradientStep(model, trainable, opts.seed());

        Random order = new Random(opts.seed());
        AdamW adamw = new AdamW(opts.weightDecay());
        List<Encoding> enc = model.encode(train.texts(), train.textPairs(), opts.maxLength());
        int batchesPerEpoch = (train.size() + opts.batchSize() - 1) / opts.batchSize();
        int stepsPerEpoch = (batchesPerEpoch + opts.gradientAccumulation() - 1) / opts.gradientAccumulation();
        int totalSteps = stepsPerEpoch * opts.epochs();
        LearningRateSchedule schedule = new LearningRateSchedule(opts.learningRate(),
                (int) Math.round(opts.warmupRatio() * totalSteps), totalSteps, opts.linearDecay());

        List<EpochResult> history = new ArrayList<>();
        Map<String, INDArray> best = null;
        int bestEpoch = 0, sinceBest = 0;
        double bestScore = Double.NaN, trainSeconds = 0;
        long samples = 0, tokens = 0;
        int step = 0;
        Map<String, INDArray> accumulated = null;
        GradientStep.Output unreleased = null;
        int accumulatedBatches = 0;

        for (int epoch = 1; epoch <= opts.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            long epochSamples = 0, epochTokens = 0;
            double lossSum = 0;
            List<Batch> batches = Batches.shuffled(enc, train, opts.batchSize(), model.tokenizer().padId(), order,
                    opts.bucketByLength());
            for (int bi = 0; bi < batches.size(); bi++) {
                Batch b = batches.get(bi);
                GradientStep.Output out = gradientStep.run(b);
                double loss = out.loss();
                if (!Double.isFinite(loss)) {
                    throw new TrainingException("loss became " + loss + " at step " + (step + 1) + " (epoch " + epoch
                            + ", batch " + (bi + 1) + "): lower the learning rate or check the data");
                }
                Map<String, INDArray> grads = out.gradients();

                // Without accumulation the step's own arrays are used and handed back after the update; with it,
                // the sum lives in arrays of its own, because each step's arrays are reused by the next.
                boolean accumulate = opts.gradientAccumulation() > 1;
                if (accumulated == null) {
                    accumulated = accumulate ? dup(grads) : grads;
                } else {
                    for (Map.Entry<String, INDArray> g : grads.entrySet()) accumulated.get(g.getKey()).addi(g.getValue());
                }
                if (accumulate) out.close();
                else unreleased = out;
                accumulatedBatches++;
                boolean lastBatch = bi == batches.size() - 1;
                if (accumulatedBatches == opts.gradientAccumulation() || lastBatch) {
                    if (accumulatedBatches > 1) {
                        double scale = 1.0 / accumulatedBatches;
                        accumulated.values().forEach(g -> g.muli(scale));
                    }
                    clip(accumulated, opts.maxGradNorm());
                    double lr = schedule.at(step);
                    adamw.step(weights, accumulated, lr);
                    if (unreleased != null) unreleased.close();
                    else accumulated.values().forEach(INDArray::close);
                    unreleased = null;
                    step++;
                    accumulated = null;
                    accumulatedBatches = 0;
                }
                lossSum += loss * b.size();
                epochSamples += b.size();
                epochTokens += b.realTokens();
                double elapsed = (System.nanoTime() - epochStart) / 1e9;
                listener.onStep(epoch, bi + 1, batches.size(), loss, schedule.at(Math.max(0, step - 1)),
                        epochSamples / elapsed, epochTokens / elapsed,
                        elapsed / (bi + 1) * (batches.size() - bi - 1));
            }
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            trainSeconds += seconds;
            samples += epochSamples;
            tokens += epochTokens;

            double valLoss = Double.NaN, valAcc = Double.NaN, valF1 = Double.NaN;
            if (validation != null && validation.size() > 0) {
                TextClassifier.Evaluation ev = model.evaluate(validation, opts.maxLength(), Math.max(opts.batchSize(), 32));
                valLoss = ev.meanLoss();
                double[] accF1 = accuracyAndMacroF1(validation, ev.probabilities(), model.head().multiLabel());
                valAcc = accF1[0];
                valF1 = accF1[1];
            }
            EpochResult r = new EpochResult(epoch, lossSum / epochSamples, valLoss, valAcc, valF1, seconds,
                    epochSamples / seconds, epochTokens / seconds);
            history.add(r);
            listener.onEpochEnd(r);

            if (validation != null && validation.size() > 0) {
                double score = switch (opts.monitor()) {
                    case "val_accuracy" -> valAcc;
                    case "val_macro_f1" -> valF1;
                    default -> -valLoss;
                };
                if (best == null || score > bestScore) {
                    bestScore = score;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    if (opts.epochs() > 1) best = snapshot(weights, trainable);
                } else if (opts.patience() > 0 && ++sinceBest >= opts.patience()) {
                    break;
                }
            } else {
                bestEpoch = epoch;
            }
        }
        if (best != null && bestEpoch != history.size()) {
            best.forEach((k, v) -> weights.get(k).assign(v));   // early stopping restores the best weights
        }
        return new Result(history, bestEpoch, trainSeconds, samples / trainSeconds, tokens / trainSeconds, step, samples);
    }

    private static Map<String, INDArray> dup(Map<String, INDArray> grads) {
        Map<String, INDArray> copy = new HashMap<>();
        grads.forEach((k, v) -> copy.put(k, v.dup()));
        return copy;
    }

    private static Map<String, INDArray> snapshot(Map<String, INDArray> weights, Set<String> names) {
        Map<String, INDArray> s = new HashMap<>();
        for (String n : names) s.put(n, weights.get(n).dup());
        return s;
    }

    /** Scales all gradients together so that their global L2 norm is at most {@code maxNorm} (0 = off). */
    static void clip(Map<String, INDArray> grads, double maxNorm) {
        if (maxNorm <= 0) return;
        double sq = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            sq += n * n;
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            double scale = maxNorm / (norm + 1e-6);
            grads.values().forEach(g -> g.muli(scale));
        }
    }

    /**
     * Accuracy and macro F1 of the validation set, from the evaluation classes that are checked against
     * scikit-learn (multi-label: subset accuracy and macro F1 at threshold 0.5).
     */
    static double[] accuracyAndMacroF1(TrainingData data, double[][] probs, boolean multiLabel) {
        int n = probs.length, c = probs[0].length;
        if (multiLabel) {
            int[][] truth = new int[n][c];
            for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) truth[i][j] = data.targets()[i][j] > 0.5 ? 1 : 0;
            MultiLabelMetrics m = MultiLabelMetrics.of(truth, probs, 0.5);
            return new double[]{m.subsetAccuracy(), m.macroF1()};
        }
        int[] truth = new int[n], predicted = new int[n];
        for (int i = 0; i < n; i++) {
            truth[i] = argmax(data.targets()[i]);
            predicted[i] = argmax(probs[i]);
        }
        List<String> names = new ArrayList<>();
        for (int j = 0; j < c; j++) names.add(String.valueOf(j));
        ClassificationReport r = ClassificationReport.of(truth, predicted, names);
        return new double[]{r.accuracy(), r.macroF1()};
    }

    public static int argmax(double[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }
}
