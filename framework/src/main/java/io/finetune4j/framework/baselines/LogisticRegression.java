package io.finetune4j.framework.baselines;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Multinomial (softmax) logistic regression with an L2 penalty on the weights (not the biases), fitted by L-BFGS
 * from zero weights: deterministic, the same model on the same data every time. The objective is scikit-learn's
 * {@code LogisticRegression(C = 1 / l2)}: {@code sum_i -log p(y_i | x_i) + l2 / 2 * ||W||^2}. With
 * {@code standardize}, features are first centred and scaled to unit variance on the training rows (a
 * {@code StandardScaler} in front), which makes one {@code l2} fit embeddings of any scale.
 */
public final class LogisticRegression implements EmbeddingClassifier {
    private final double l2;
    private final boolean standardize;
    private final int maxIterations;
    private final double tolerance;

    private int numClasses;
    private int dim;
    private double[] mean;
    private double[] scale;
    /** [k * (dim + 1) + j]: weight j of class k; j = dim is the bias. */
    private double[] theta;
    private int iterations;
    private boolean converged;
    private double objective;

    /** {@code l2 = 1.0} (scikit-learn's default C = 1), features as given, at most 1000 iterations. */
    public LogisticRegression() {
        this(1.0, false, 1000);
    }

    public LogisticRegression(double l2, boolean standardize, int maxIterations) {
        if (!(l2 >= 0)) throw new IllegalArgumentException("l2 must be >= 0, not " + l2);
        if (maxIterations < 1) throw new IllegalArgumentException("maxIterations must be >= 1");
        this.l2 = l2;
        this.standardize = standardize;
        this.maxIterations = maxIterations;
        this.tolerance = 1e-9;   // per example: the minimiser to ~1e-7 in probability (LogisticRegressionGoldenTest)
    }

    /** Fits on {@code x[n][d]} with labels {@code 0 <= y[i] < numClasses}; returns this. */
    public LogisticRegression fit(double[][] x, int[] y, int numClasses) {
        if (x.length == 0 || x.length != y.length) throw new IllegalArgumentException("need as many rows as labels");
        if (numClasses < 2) throw new IllegalArgumentException("need at least two classes");
        this.numClasses = numClasses;
        this.dim = x[0].length;
        mean = new double[dim];
        scale = new double[dim];
        java.util.Arrays.fill(scale, 1.0);
        if (standardize) {
            for (double[] r : x) for (int j = 0; j < dim; j++) mean[j] += r[j];
            for (int j = 0; j < dim; j++) mean[j] /= x.length;
            double[] var = new double[dim];
            for (double[] r : x) for (int j = 0; j < dim; j++) var[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
            for (int j = 0; j < dim; j++) {
                double sd = Math.sqrt(var[j] / x.length);
                scale[j] = sd > 1e-12 ? sd : 1.0;
            }
        }
        double[][] z = transform(x);
        theta = lbfgs(z, y);
        return this;
    }

    public int iterations() {
        return iterations;
    }

    public boolean converged() {
        return converged;
    }

    /** The penalised training loss at the fitted weights. */
    public double objective() {
        return objective;
    }

    @Override
    public double[][] predictProba(double[][] x) {
        if (theta == null) throw new IllegalStateException("not fitted");
        double[][] z = transform(x);
        double[][] out = new double[z.length][];
        for (int i = 0; i < z.length; i++) out[i] = probabilities(theta, z[i]);
        return out;
    }

    // ---- internals -------------------------------------------------------------------------------------------------

    private double[][] transform(double[][] x) {
        double[][] z = new double[x.length][dim];
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != dim) throw new IllegalArgumentException("row " + i + " has " + x[i].length
                    + " features, the model " + dim);
            for (int j = 0; j < dim; j++) z[i][j] = (x[i][j] - mean[j]) / scale[j];
        }
        return z;
    }

    private double[] probabilities(double[] w, double[] row) {
        double[] s = new double[numClasses];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < numClasses; k++) {
            int o = k * (dim + 1);
            double v = w[o + dim];
            for (int j = 0; j < dim; j++) v += w[o + j] * row[j];
            s[k] = v;
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int k = 0; k < numClasses; k++) sum += s[k] = Math.exp(s[k] - max);
        for (int k = 0; k < numClasses; k++) s[k] /= sum;
        return s;
    }

    /** The objective at {@code w}; its gradient into {@code grad}. */
    private double evaluate(double[] w, double[][] z, int[] y, double[] grad) {
        java.util.Arrays.fill(grad, 0);
        double loss = 0;
        for (int i = 0; i < z.length; i++) {
            double[] p = probabilities(w, z[i]);
            loss -= Math.log(Math.max(p[y[i]], 1e-300));
            for (int k = 0; k < numClasses; k++) {
                double g = p[k] - (k == y[i] ? 1 : 0);
                int o = k * (dim + 1);
                for (int j = 0; j < dim; j++) grad[o + j] += g * z[i][j];
                grad[o + dim] += g;
            }
        }
        for (int k = 0; k < numClasses; k++) {
            int o = k * (dim + 1);
            for (int j = 0; j < dim; j++) {
                loss += 0.5 * l2 * w[o + j] * w[o + j];
                grad[o + j] += l2 * w[o + j];
            }
        }
        return loss;
    }

    /** L-BFGS (memory 10) with a backtracking Armijo line search, from zero. */
    private double[] lbfgs(double[][] z, int[] y) {
        int n = numClasses * (dim + 1), m = 10;
        double[] w = new double[n], g = new double[n], gNew = new double[n], wNew = new double[n], d = new double[n];
        double f = evaluate(w, z, y, g);
        Deque<double[][]> memory = new ArrayDeque<>();       // {s, y, {rho}}
        iterations = 0;
        converged = false;
        double gScale = Math.max(1.0, z.length);
        while (iterations < maxIterations) {
            if (maxAbs(g) / gScale < tolerance) {
                converged = true;
                break;
            }
            // two-loop recursion: d = -H g
            System.arraycopy(g, 0, d, 0, n);
            double[] alpha = new double[memory.size()];
            int idx = 0;
            for (double[][] sy : memory) {                     // newest first
                alpha[idx] = sy[2][0] * dot(sy[0], d);
                axpy(-alpha[idx], sy[1], d);
                idx++;
            }
            if (!memory.isEmpty()) {
                double[][] last = memory.peekFirst();
                double gamma = dot(last[0], last[1]) / dot(last[1], last[1]);
                for (int i = 0; i < n; i++) d[i] *= gamma;
            } else {
                double gn = Math.sqrt(dot(g, g));
                for (int i = 0; i < n; i++) d[i] /= Math.max(gn, 1e-12);
            }
            var it = memory.descendingIterator();               // oldest first
            idx = memory.size() - 1;
            while (it.hasNext()) {
                double[][] sy = it.next();
                double beta = sy[2][0] * dot(sy[1], d);
                axpy(alpha[idx] - beta, sy[0], d);
                idx--;
            }
            for (int i = 0; i < n; i++) d[i] = -d[i];
            double slope = dot(g, d);
            if (slope >= 0) {                                   // not a descent direction: restart
                memory.clear();
                for (int i = 0; i < n; i++) d[i] = -g[i];
                slope = dot(g, d);
            }
            double step = 1.0, fNew = f;
            boolean accepted = false;
            for (int ls = 0; ls < 50; ls++) {
                for (int i = 0; i < n; i++) wNew[i] = w[i] + step * d[i];
                fNew = evaluate(wNew, z, y, gNew);
                if (fNew <= f + 1e-4 * step * slope) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            iterations++;
            if (!accepted) {
                converged = true;                               // no further decrease possible in double precision
                break;
            }
            double[] s = new double[n], yy = new double[n];
            for (int i = 0; i < n; i++) {
                s[i] = wNew[i] - w[i];
                yy[i] = gNew[i] - g[i];
            }
            double sy = dot(s, yy);
            if (sy > 1e-12) {
                memory.addFirst(new double[][]{s, yy, {1.0 / sy}});
                if (memory.size() > m) memory.removeLast();
            }
            double decrease = f - fNew;
            System.arraycopy(wNew, 0, w, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            f = fNew;
            if (decrease <= 1e-12 * Math.max(1.0, Math.abs(f))) {
                converged = true;
                break;
            }
        }
        objective = f;
        return w;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) y[i] += a * x[i];
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) m = Math.max(m, Math.abs(d));
        return m;
    }
}
