package io.finetune4j.framework.baselines;

import io.finetune4j.framework.baselines.SentenceEmbeddings.Pooling;
import io.finetune4j.framework.data.Example;
import io.finetune4j.framework.data.TextDataset;
import io.finetune4j.framework.eval.ClassificationReport;
import io.finetune4j.framework.eval.RocAuc;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The classifiers that need no fine-tuning, side by side on one train/test split:
 * <ul>
 *   <li>{@code logistic_regression}: {@link LogisticRegression} on the sentence embeddings ({@code pooling});</li>
 *   <li>{@code centroid}: {@link NearestCentroid} on the same embeddings;</li>
 *   <li>{@code zero_shot}: {@link ZeroShot} against the label descriptions (no training rows used);</li>
 *   <li>{@code dummy}: {@link MostFrequentDummy} (the majority class);</li>
 *   <li>{@code feature_extraction}: {@link LogisticRegression} on the raw [CLS] hidden states.</li>
 * </ul>
 * The training texts are embedded once (one forward pass gives both poolings); each method's
 * {@code embedSeconds} is that pass (the descriptions' for zero-shot, none for the dummy), {@code fitSeconds} its fit.
 */
public final class EmbeddingMethods {
    public static final String LOGISTIC_REGRESSION = "logistic_regression";
    public static final String CENTROID = "centroid";
    public static final String ZERO_SHOT = "zero_shot";
    public static final String DUMMY = "dummy";
    public static final String FEATURE_EXTRACTION = "feature_extraction";
    public static final List<String> METHODS = List.of(LOGISTIC_REGRESSION, CENTROID, ZERO_SHOT, DUMMY,
            FEATURE_EXTRACTION);

    /** How the methods are set up; {@code labelDescriptions} may be empty (label names are used). */
    public record Settings(Pooling pooling, double l2, boolean standardize, Map<String, String> labelDescriptions) {
        public static Settings defaults() {
            return new Settings(Pooling.MEAN, 1.0, false, Map.of());
        }
    }

    /** One method's result on the test rows. */
    public record Outcome(String method, EmbeddingClassifier classifier, EmbeddingClassifier.Predictions predictions,
                          ClassificationReport report, Map<String, Object> test, double embedSeconds,
                          double fitSeconds, double testEmbedSeconds) {
        /** Embedding the training rows plus fitting. */
        public double trainSeconds() {
            return embedSeconds + fitSeconds;
        }
    }

    private EmbeddingMethods() {
    }

    /** Runs {@code methods} (from {@link #METHODS}, in that order) on {@code train} → {@code test}. */
    public static List<Outcome> run(SentenceEmbeddings embeddings, TextDataset train, TextDataset test,
                                    List<String> methods, Settings s) {
        for (String m : methods) {
            if (!METHODS.contains(m)) throw new IllegalArgumentException("unknown method '" + m + "' (known: "
                    + String.join(", ", METHODS) + ")");
        }
        if (train.multiLabel()) throw new IllegalArgumentException("embedding classifiers are single-label");
        List<String> labels = train.labelNames();
        if (s.labelDescriptions() != null) {
            for (String k : s.labelDescriptions().keySet()) {
                if (!labels.contains(k)) throw new IllegalArgumentException("label_descriptions: '" + k
                        + "' is not a label of the data (labels: " + String.join(", ", labels) + ")");
            }
        }
        int k = labels.size();
        int[] yTrain = labels(train), yTest = labels(test);
        List<String> trainTexts = texts(train), testTexts = texts(test);

        Set<Pooling> trainPoolings = EnumSet.noneOf(Pooling.class), testPoolings = EnumSet.noneOf(Pooling.class);
        for (String m : methods) {
            if (m.equals(LOGISTIC_REGRESSION) || m.equals(CENTROID)) trainPoolings.add(s.pooling());
            if (m.equals(FEATURE_EXTRACTION)) trainPoolings.add(Pooling.CLS);
            if (!m.equals(DUMMY)) testPoolings.add(m.equals(FEATURE_EXTRACTION) ? Pooling.CLS : s.pooling());
        }
        long t0 = System.nanoTime();
        Map<Pooling, double[][]> xTrain = trainPoolings.isEmpty() ? Map.of()
                : embeddings.embedAll(trainTexts, trainPoolings);
        double trainEmbed = seconds(t0);
        t0 = System.nanoTime();
        Map<Pooling, double[][]> xTest = testPoolings.isEmpty() ? Map.of() : embeddings.embedAll(testTexts, testPoolings);
        double testEmbed = seconds(t0);

        List<Outcome> out = new ArrayList<>();
        for (String m : METHODS) {
            if (!methods.contains(m)) continue;
            EmbeddingClassifier c;
            double embed = trainEmbed, fit;
            double[][] x = xTest.get(m.equals(FEATURE_EXTRACTION) ? Pooling.CLS : s.pooling());
            t0 = System.nanoTime();
            switch (m) {
                case LOGISTIC_REGRESSION -> c = new LogisticRegression(s.l2(), s.standardize(), 1000)
                        .fit(xTrain.get(s.pooling()), yTrain, k);
                case FEATURE_EXTRACTION -> c = new LogisticRegression(s.l2(), s.standardize(), 1000)
                        .fit(xTrain.get(Pooling.CLS), yTrain, k);
                case CENTROID -> c = NearestCentroid.fit(xTrain.get(s.pooling()), yTrain, k);
                case ZERO_SHOT -> {
                    c = ZeroShot.of(embeddings, s.pooling(), labels, s.labelDescriptions());
                    embed = 0;
                }
                default -> {
                    c = MostFrequentDummy.fit(yTrain, k);
                    embed = 0;
                    x = new double[yTest.length][0];
                }
            }
            fit = seconds(t0);
            EmbeddingClassifier.Predictions p = c.predictions(x);
            ClassificationReport r = ClassificationReport.of(yTest, p.labels(), labels);
            out.add(new Outcome(m, c, p, r, metrics(r, yTest, p.probabilities()), m.equals(ZERO_SHOT) ? fit : embed,
                    m.equals(ZERO_SHOT) ? 0 : fit, m.equals(DUMMY) ? 0 : testEmbed));
        }
        return out;
    }

    /** The test metrics, under the same keys as a fine-tuning run's. */
    public static Map<String, Object> metrics(ClassificationReport r, int[] yTrue, double[][] probabilities) {
        Map<String, Object> m = r.headline();
        double loss = 0;
        for (int i = 0; i < yTrue.length; i++) loss -= Math.log(Math.max(probabilities[i][yTrue[i]], 1e-15));
        m.put("loss", loss / Math.max(1, yTrue.length));
        double auc = RocAuc.fromProbabilities(yTrue, probabilities);
        if (Double.isFinite(auc)) m.put("roc_auc", auc);
        m.put("examples", yTrue.length);
        return m;
    }

    public static int[] labels(TextDataset ds) {
        return ds.examples().stream().mapToInt(Example::label).toArray();
    }

    public static List<String> texts(TextDataset ds) {
        return ds.examples().stream().map(Example::text).toList();
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
