package io.finetune4j.framework.baselines;

/**
 * A classifier on fixed sentence embeddings (no fine-tuning): class probabilities per row, and the arg-max as the
 * prediction, so {@link io.finetune4j.framework.eval.ClassificationReport} applies to {@link #predict}.
 */
public interface EmbeddingClassifier {

    /** {@code [n][numClasses]}, each row summing to 1. */
    double[][] predictProba(double[][] x);

    /** The most probable class of each row (the first on ties). */
    default int[] predict(double[][] x) {
        return argmax(predictProba(x));
    }

    /** Predictions and probabilities together. */
    default Predictions predictions(double[][] x) {
        double[][] p = predictProba(x);
        return new Predictions(argmax(p), p);
    }

    record Predictions(int[] labels, double[][] probabilities) {
    }

    static int[] argmax(double[][] p) {
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            int best = 0;
            for (int k = 1; k < p[i].length; k++) if (p[i][k] > p[i][best]) best = k;
            out[i] = best;
        }
        return out;
    }

    /** Softmax of {@code scores / temperature}, row by row (max subtracted first). */
    static double[][] softmax(double[][] scores, double temperature) {
        double[][] out = new double[scores.length][];
        for (int i = 0; i < scores.length; i++) {
            double[] s = scores[i];
            double max = Double.NEGATIVE_INFINITY;
            for (double v : s) max = Math.max(max, v);
            double[] e = new double[s.length];
            double sum = 0;
            for (int k = 0; k < s.length; k++) sum += e[k] = Math.exp((s[k] - max) / temperature);
            for (int k = 0; k < s.length; k++) e[k] /= sum;
            out[i] = e;
        }
        return out;
    }

    /** Cosine similarity of every row of {@code x} with every row of {@code refs}: {@code [n][refs.length]}. */
    static double[][] cosine(double[][] x, double[][] refs) {
        double[] refNorm = new double[refs.length];
        for (int k = 0; k < refs.length; k++) refNorm[k] = norm(refs[k]);
        double[][] out = new double[x.length][refs.length];
        for (int i = 0; i < x.length; i++) {
            double n = norm(x[i]);
            for (int k = 0; k < refs.length; k++) {
                double dot = 0;
                for (int j = 0; j < x[i].length; j++) dot += x[i][j] * refs[k][j];
                double d = n * refNorm[k];
                out[i][k] = d == 0 ? 0 : dot / d;
            }
        }
        return out;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double d : v) s += d * d;
        return Math.sqrt(s);
    }
}
