package io.finetune4j.framework.train;

import io.finetune4j.framework.model.TrainingData;
import io.finetune4j.framework.model.Batches;
import io.finetune4j.framework.model.Batch;
import io.finetune4j.framework.config.RunConfig.BestMetric;
import io.finetune4j.framework.config.RunConfig.LossNormalisation;
import io.finetune4j.framework.config.RunConfig.TrainingArgs;
import io.finetune4j.framework.eval.ClassificationReport;
import io.finetune4j.framework.eval.MultiLabelMetrics;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.BertNames;
import io.finetune4j.models.tokenizer.Encoding;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.*;

/**
 * Fine-tunes a {@link TextClassifier} as Hugging Face's Trainer does (docs/hf-semantics.md): seeded shuffling,
 * dynamic padding, dropout masks from the seed; per optimizer update, the batches of its accumulation group (each
 * batch's loss divided by the group's size), global-norm clipping, AdamW with the learning rate of
 * {@link LearningRateSchedule}; an evaluation on the validation set each epoch, the best epoch by
 * {@code metric_for_best_model}, early stopping, and the best weights restored at the end. Same seed, same data,
 * same machine: bit-identical results.
 */
public final class Trainer {
    private final TextClassifier model;
    private final TrainingArgs args;
    private final TrainingListener listener;

    public record EpochResult(int epoch, double trainLoss, double validationLoss, double validationAccuracy,
                              double validationMacroF1, double seconds, double samplesPerSecond,
                              double tokensPerSecond) {
        /** The value of a metric for the best model (NaN without validation). */
        public double metric(BestMetric m) {
            return switch (m) {
                case LOSS -> validationLoss;
                case ACCURACY -> validationAccuracy;
                case MACRO_F1 -> validationMacroF1;
            };
        }
    }

    /**
     * @param bestEpoch the epoch with the best {@code metric_for_best_model} on the validation set (without
     *                  validation: the last)
     * @param restored  whether the model holds the best epoch's weights instead of the last epoch's
     */
    public record Result(List<EpochResult> epochs, int bestEpoch, boolean restored, double trainSeconds,
                         double samplesPerSecond, double tokensPerSecond, int steps, long trainedSamples) {
    }

    public Trainer(TextClassifier model, TrainingArgs args, TrainingListener listener) {
        this.model = model;
        this.args = args;
        this.listener = listener == null ? TrainingListener.NONE : listener;
    }

    /**
     * Which weights learn under the freeze policy: the head always; {@code none}: everything; {@code top:N}: also the
     * pooler and the top N layers; {@code backbone}: the head only, and a pooler the head brought in new.
     */
    public static Set<String> trainable(TextClassifier model, String freeze) {
        BertConfig config = model.config();
        Set<String> out = new LinkedHashSet<>();
        BertNames n = BertNames.of(config);
        for (String name : model.weights().keySet()) {
            boolean pooler = n.pooler() != null && name.startsWith(n.pooler() + ".");
            if (model.head().owns(name, config) || freeze.equals("none")) out.add(name);
            else if (pooler && (freeze.startsWith("top:") || model.hasNewPooler())) out.add(name);
            else if (freeze.startsWith("top:")) {
                int top = Integer.parseInt(freeze.substring(4));
                for (int l = Math.max(0, config.numLayers() - top); l < config.numLayers(); l++) {
                    String layerPrefix = n.query(l).substring(0, n.query(l).indexOf(".attention"));
                    if (name.startsWith(layerPrefix + ".")) out.add(name);
                }
            }
        }
        return out;
    }

    public Result fit(TrainingData train, TrainingData validation) {
        if (train.size() == 0) throw new IllegalArgumentException("the training set is empty");
        Map<String, INDArray> weights = model.weights();
        Set<String> trainable = trainable(model, args.freeze());
        GradientStep gradientStep = new GradientStep(model, trainable, args.seed(), args.classWeightsNormalisation());

        Random order = new Random(args.seed());
        AdamW adamw = new AdamW(args.adamBeta1(), args.adamBeta2(), args.adamEpsilon(), args.weightDecay());
        List<Encoding> enc = model.encode(train.texts(), train.textPairs(), args.maxLength());
        int batchesPerEpoch = (train.size() + args.perDeviceTrainBatchSize() - 1) / args.perDeviceTrainBatchSize();
        int totalSteps = LearningRateSchedule.updatesPerEpoch(batchesPerEpoch, args.gradientAccumulationSteps())
                * args.numTrainEpochs();
        LearningRateSchedule schedule = LearningRateSchedule.of(args, totalSteps);
        boolean validating = validation != null && validation.size() > 0;
        if (args.earlyStoppingPatience() > 0 && !validating) {
            throw new IllegalArgumentException("early_stopping_patience needs validation data (validation_path, "
                    + "validation_fraction, a split with a validation share, or a split field with validation rows)");
        }

        List<EpochResult> history = new ArrayList<>();
        Map<String, INDArray> best = null;
        int bestEpoch = 0, sinceImprovement = 0;
        double bestMetric = Double.NaN, trainSeconds = 0;
        long samples = 0, tokens = 0;
        int step = 0;
        Map<String, INDArray> accumulated = null;
        GradientStep.Output unreleased = null;
        int accumulatedBatches = 0;

        for (int epoch = 1; epoch <= args.numTrainEpochs(); epoch++) {
            long epochStart = System.nanoTime();
            long epochSamples = 0, epochTokens = 0;
            double lossSum = 0;
            List<Batch> batches = Batches.shuffled(enc, train, args.perDeviceTrainBatchSize(),
                    model.tokenizer().padId(), order, args.groupByLength());
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
                boolean accumulate = args.gradientAccumulationSteps() > 1;
                if (accumulated == null) {
                    accumulated = accumulate ? dup(grads) : grads;
                } else {
                    for (Map.Entry<String, INDArray> g : grads.entrySet()) accumulated.get(g.getKey()).addi(g.getValue());
                }
                if (accumulate) out.close();
                else unreleased = out;
                accumulatedBatches++;
                boolean lastBatch = bi == batches.size() - 1;
                if (accumulatedBatches == args.gradientAccumulationSteps() || lastBatch) {
                    if (accumulatedBatches > 1) {          // each batch's loss over the batches of its group
                        double scale = 1.0 / accumulatedBatches;
                        accumulated.values().forEach(g -> g.muli(scale));
                    }
                    clip(accumulated, args.maxGradNorm());
                    adamw.step(weights, accumulated, schedule.at(step));
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
            if (validating) {
                TextClassifier.Evaluation ev = model.evaluate(validation, args.maxLength(), args.evalBatchSize());
                valLoss = weightedLoss(ev.exampleLoss(), validation.weights(), args.classWeightsNormalisation());
                double[] accF1 = accuracyAndMacroF1(validation, ev.probabilities(), model.head().multiLabel());
                valAcc = accF1[0];
                valF1 = accF1[1];
            }
            EpochResult r = new EpochResult(epoch, lossSum / epochSamples, valLoss, valAcc, valF1, seconds,
                    epochSamples / seconds, epochTokens / seconds);
            history.add(r);
            listener.onEpochEnd(r);
            if (!validating) continue;

            // Hugging Face's order: early stopping compares with the best metric of the epochs before this one
            // (EarlyStoppingCallback, with its threshold), then the best model is chosen by a strict comparison.
            double value = r.metric(args.metricForBestModel());
            boolean greater = args.greaterIsBetterOrDefault();
            boolean better = Double.isNaN(bestMetric) || (greater ? value > bestMetric : value < bestMetric);
            boolean improved = Double.isNaN(bestMetric)
                    || (better && Math.abs(value - bestMetric) > args.earlyStoppingThreshold());
            sinceImprovement = improved ? 0 : sinceImprovement + 1;
            if (better) {
                bestMetric = value;
                bestEpoch = epoch;
                if (args.restoresBestModel() && epoch < args.numTrainEpochs()) {
                    if (best != null) best.values().forEach(INDArray::close);
                    best = snapshot(weights, trainable);
                }
            }
            if (args.earlyStoppingPatience() > 0 && sinceImprovement >= args.earlyStoppingPatience()) break;
        }
        boolean restored = args.restoresBestModel() && best != null && bestEpoch != history.size();
        if (restored) best.forEach((k, v) -> weights.get(k).assign(v));   // the best epoch's weights
        return new Result(history, validating ? bestEpoch : history.size(), restored, trainSeconds,
                samples / trainSeconds, tokens / trainSeconds, step, samples);
    }

    /**
     * The loss of a set under the training objective's weighting: {@code Σ wᵢ·lossᵢ / Σ wᵢ} (PyTorch) or
     * {@code mean(wᵢ·lossᵢ)} (Keras); without class weights, the mean.
     */
    public static double weightedLoss(double[] exampleLoss, double[] weights, LossNormalisation normalisation) {
        double sum = 0, wsum = 0;
        for (int i = 0; i < exampleLoss.length; i++) {
            sum += weights[i] * exampleLoss[i];
            wsum += weights[i];
        }
        return normalisation == LossNormalisation.KERAS ? sum / exampleLoss.length : sum / wsum;
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

    /**
     * Clips the gradients' global L2 norm to {@code maxNorm} as {@code torch.nn.utils.clip_grad_norm_}: every
     * gradient times {@code min(1, maxNorm / (norm + 1e-6))}; 0 = off. Returns the norm before clipping.
     */
    static double clip(Map<String, INDArray> grads, double maxNorm) {
        double sq = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            sq += n * n;
        }
        double norm = Math.sqrt(sq);
        if (maxNorm <= 0) return norm;
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) grads.values().forEach(g -> g.muli(coef));
        return norm;
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
