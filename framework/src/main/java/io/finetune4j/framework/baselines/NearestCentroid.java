package io.finetune4j.framework.baselines;

/**
 * Nearest class centroid by cosine: each class is the mean of its training embeddings; a row goes to the class whose
 * centroid is most cosine-similar. Probabilities are a softmax of the cosines with temperature
 * {@value #TEMPERATURE} (only their order matters for the prediction).
 */
public final class NearestCentroid implements EmbeddingClassifier {
    public static final double TEMPERATURE = 0.05;
    private final double[][] centroids;

    NearestCentroid(double[][] centroids) {
        this.centroids = centroids;
    }

    /** Fits on {@code x[n][d]} with labels {@code y}; a class without rows gets a zero centroid (cosine 0). */
    public static NearestCentroid fit(double[][] x, int[] y, int numClasses) {
        if (x.length == 0 || x.length != y.length) throw new IllegalArgumentException("need as many rows as labels");
        int d = x[0].length;
        double[][] c = new double[numClasses][d];
        int[] n = new int[numClasses];
        for (int i = 0; i < x.length; i++) {
            n[y[i]]++;
            for (int j = 0; j < d; j++) c[y[i]][j] += x[i][j];
        }
        for (int k = 0; k < numClasses; k++) if (n[k] > 0) for (int j = 0; j < d; j++) c[k][j] /= n[k];
        return new NearestCentroid(c);
    }

    public double[][] centroids() {
        return centroids;
    }

    /** Cosine of each row to each centroid. */
    public double[][] scores(double[][] x) {
        return EmbeddingClassifier.cosine(x, centroids);
    }

    @Override
    public double[][] predictProba(double[][] x) {
        return EmbeddingClassifier.softmax(scores(x), TEMPERATURE);
    }
}
