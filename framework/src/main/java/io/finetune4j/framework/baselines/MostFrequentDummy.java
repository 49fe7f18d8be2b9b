package io.finetune4j.framework.baselines;

/**
 * scikit-learn's {@code DummyClassifier(strategy="prior")}: predicts the most frequent training class (the lowest
 * index on ties) for every row, with the training class frequencies as probabilities. The floor every real
 * classifier has to beat.
 */
public final class MostFrequentDummy implements EmbeddingClassifier {
    private final double[] prior;
    private final int majority;

    private MostFrequentDummy(double[] prior) {
        this.prior = prior;
        int best = 0;
        for (int k = 1; k < prior.length; k++) if (prior[k] > prior[best]) best = k;
        this.majority = best;
    }

    /** Fits on the training labels ({@code 0 <= y[i] < numClasses}). */
    public static MostFrequentDummy fit(int[] y, int numClasses) {
        if (y.length == 0) throw new IllegalArgumentException("no training labels");
        double[] prior = new double[numClasses];
        for (int label : y) prior[label]++;
        for (int k = 0; k < numClasses; k++) prior[k] /= y.length;
        return new MostFrequentDummy(prior);
    }

    public int majorityClass() {
        return majority;
    }

    @Override
    public double[][] predictProba(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = prior.clone();
        return out;
    }

    @Override
    public int[] predict(double[][] x) {
        int[] out = new int[x.length];
        java.util.Arrays.fill(out, majority);
        return out;
    }
}
