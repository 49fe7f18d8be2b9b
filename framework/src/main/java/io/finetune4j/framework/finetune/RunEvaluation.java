package io.finetune4j.framework.finetune;

import io.finetune4j.framework.io.Ordered;
import io.finetune4j.framework.data.Example;
import io.finetune4j.framework.data.TextDataset;
import io.finetune4j.framework.eval.ClassificationReport;
import io.finetune4j.framework.eval.MultiLabelMetrics;
import io.finetune4j.framework.eval.PredictionRecord;
import io.finetune4j.framework.eval.RocAuc;
import io.finetune4j.framework.eval.ThresholdTuning;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.framework.train.Trainer;
import io.finetune4j.framework.model.TrainingData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model on the test set (and the validation set, when there is one): scikit-learn's numbers
 * ({@link ClassificationReport}, {@link MultiLabelMetrics}), the printed report and one prediction record per
 * example. Multi-label thresholds are tuned per label on the validation set (else 0.5).
 *
 * @param test              the test metrics ({@code metrics.json}'s {@code test} block)
 * @param validation        the validation metrics, or null
 * @param thresholds        multi-label decision thresholds per label, or null
 * @param report            the printed report (classification report and confusion matrix)
 * @param classification    the single-label report (for the confusion pictures), or null
 */
public record RunEvaluation(Map<String, Object> test, Map<String, Object> validation, double[] thresholds,
                            String report, ClassificationReport classification, List<PredictionRecord> testRecords,
                            List<PredictionRecord> validationRecords, Map<String, Object> baseline) {

    public static RunEvaluation of(TextClassifier model, RunData data, int maxLength, int batchSize) {
        List<String> labels = model.head().labels();
        TrainingData test = trainingData(data.test(), null);
        TextClassifier.Evaluation te = model.evaluate(test, maxLength, batchSize);
        TextClassifier.Evaluation ve = data.validation() == null ? null
                : model.evaluate(trainingData(data.validation(), null), maxLength, batchSize);
        List<PredictionRecord> testRecords = new ArrayList<>(), validationRecords = new ArrayList<>();
        List<Example> tex = data.test().examples();
        if (model.head().multiLabel()) {
            double[] thresholds = new double[labels.size()];
            Arrays.fill(thresholds, 0.5);
            Map<String, Object> validation = null;
            if (ve != null) {
                thresholds = ThresholdTuning.bestPerLabelThresholds(multiHot(data.validation()), ve.probabilities())
                        .thresholds();
                validation = multiLabel(data.validation(), ve, thresholds);
            }
            MultiLabelMetrics mm = MultiLabelMetrics.of(multiHot(data.test()), te.probabilities(), thresholds);
            // What a model that never predicts a label scores: most Reuters documents have none, so subset
            // accuracy alone flatters; micro-F1 and Hamming loss against this baseline tell.
            MultiLabelMetrics none = MultiLabelMetrics.of(multiHot(data.test()),
                    new double[data.test().size()][labels.size()], 0.5);
            for (int i = 0; i < tex.size(); i++) {
                testRecords.add(PredictionRecord.multiLabel(i, tex.get(i).text(), tex.get(i).labels(),
                        te.probabilities()[i], thresholds, te.exampleLoss()[i], labels));
            }
            return new RunEvaluation(multiLabel(data.test(), te, thresholds), validation, thresholds,
                    multiLabelReport(mm, labels), null, testRecords, validationRecords,
                    Ordered.map("subset_accuracy", none.subsetAccuracy(), "hamming_loss", none.hammingLoss(),
                            "micro_f1", none.microF1()));
        }
        Map<String, Object> validation = null;
        if (ve != null) {
            validation = singleLabel(data.validation(), ve).metrics;
            List<Example> vex = data.validation().examples();
            for (int i = 0; i < vex.size(); i++) {      // for analyses that calibrate on validation data
                validationRecords.add(PredictionRecord.singleLabel(i, vex.get(i).text(), vex.get(i).label(),
                        ve.probabilities()[i], ve.exampleLoss()[i], labels));
            }
        }
        SingleLabel s = singleLabel(data.test(), te);
        for (int i = 0; i < tex.size(); i++) {
            testRecords.add(PredictionRecord.singleLabel(i, tex.get(i).text(), tex.get(i).label(),
                    te.probabilities()[i], te.exampleLoss()[i], labels));
        }
        String report = s.report.format(4) + "\nConfusion matrix (rows: true, columns: predicted)\n"
                + s.report.confusionMatrix().formatTable(false);
        return new RunEvaluation(s.metrics, validation, null, report, s.report, testRecords, validationRecords, null);
    }

    /** The texts and targets of a dataset as the trainer and the evaluation read them. */
    public static TrainingData trainingData(TextDataset ds, double[] classWeights) {
        List<String> texts = new ArrayList<>(ds.size());
        List<String> pairs = ds.size() > 0 && ds.get(0).textPair() != null ? new ArrayList<>(ds.size()) : null;
        for (Example e : ds.examples()) {
            texts.add(e.text());
            if (pairs != null) pairs.add(e.textPair());
        }
        if (ds.multiLabel()) return TrainingData.multiLabel(texts, pairs, multiHot(ds));
        int[] y = ds.examples().stream().mapToInt(Example::label).toArray();
        return TrainingData.multiClass(texts, pairs, y, ds.numLabels(), classWeights);
    }

    private static int[][] multiHot(TextDataset ds) {
        int[][] y = new int[ds.size()][];
        for (int i = 0; i < ds.size(); i++) y[i] = ds.get(i).labels();
        return y;
    }

    private record SingleLabel(ClassificationReport report, Map<String, Object> metrics) {
    }

    private static SingleLabel singleLabel(TextDataset ds, TextClassifier.Evaluation ev) {
        int[] yTrue = ds.examples().stream().mapToInt(Example::label).toArray();
        int[] yPred = new int[yTrue.length];
        for (int i = 0; i < yPred.length; i++) yPred[i] = Trainer.argmax(ev.probabilities()[i]);
        ClassificationReport r = ClassificationReport.of(yTrue, yPred, ds.labelNames());
        Map<String, Object> m = r.headline();
        m.put("loss", finite(ev.meanLoss()));
        double auc = RocAuc.fromProbabilities(yTrue, ev.probabilities());
        if (Double.isFinite(auc)) m.put("roc_auc", auc);
        m.put("examples", yTrue.length);
        Map<String, Object> perClass = new LinkedHashMap<>();
        Map<String, Object> rm = r.toMap();
        for (String l : ds.labelNames()) perClass.put(l, rm.get(l));
        m.put("per_class", perClass);
        m.put("confusion_matrix", r.confusionMatrix().counts());
        return new SingleLabel(r, m);
    }

    private static Map<String, Object> multiLabel(TextDataset ds, TextClassifier.Evaluation ev, double[] thresholds) {
        MultiLabelMetrics mm = MultiLabelMetrics.of(multiHot(ds), ev.probabilities(), thresholds);
        Map<String, Object> m = new LinkedHashMap<>(mm.toMap());
        m.put("accuracy", mm.subsetAccuracy());
        m.put("loss", finite(ev.meanLoss()));
        m.put("examples", ds.size());
        return m;
    }

    private static String multiLabelReport(MultiLabelMetrics mm, List<String> labels) {
        StringBuilder sb = new StringBuilder();
        int w = Math.max(12, labels.stream().mapToInt(String::length).max().orElse(0));
        String fmt = "%" + w + "s %10s %10s %10s %10s %10s%n";
        sb.append(String.format(fmt, "", "precision", "recall", "f1-score", "support", "threshold")).append('\n');
        double[] p = mm.perLabelPrecision(), r = mm.perLabelRecall(), f = mm.perLabelF1(), t = mm.thresholds();
        long[] s = mm.support();
        long total = Arrays.stream(s).sum();
        for (int j = 0; j < labels.size(); j++) {
            sb.append(String.format("%" + w + "s %10.4f %10.4f %10.4f %10d %10.4f%n", labels.get(j), p[j], r[j], f[j],
                    s[j], t[j]));
        }
        sb.append('\n');
        String avg = "%" + w + "s %10.4f %10.4f %10.4f %10d%n";
        sb.append(String.format(avg, "micro avg", mm.micro().precision(), mm.micro().recall(), mm.micro().f1(), total));
        sb.append(String.format(avg, "macro avg", mm.macro().precision(), mm.macro().recall(), mm.macro().f1(), total));
        sb.append(String.format(avg, "weighted avg", mm.weighted().precision(), mm.weighted().recall(),
                mm.weighted().f1(), total));
        sb.append(String.format(avg, "samples avg", mm.samples().precision(), mm.samples().recall(),
                mm.samples().f1(), total));
        sb.append('\n');
        sb.append(String.format("subset accuracy %.4f, hamming loss %.4f, ROC AUC micro %.4f, macro %.4f%n",
                mm.subsetAccuracy(), mm.hammingLoss(), mm.rocAucMicro(), mm.rocAucMacro()));
        return sb.toString();
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
