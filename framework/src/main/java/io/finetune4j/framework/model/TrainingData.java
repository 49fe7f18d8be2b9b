package io.finetune4j.framework.model;

import java.util.List;

/**
 * Texts (optionally pairs) with targets as the loss sees them: {@code [N, C]} one-hot (multi-class) or multi-hot
 * (multi-label), and a weight per example (class weights; 1 when unweighted).
 */
public record TrainingData(List<String> texts, List<String> textPairs, double[][] targets, double[] weights) {
    public TrainingData {
        if (texts.size() != targets.length || texts.size() != weights.length) {
            throw new IllegalArgumentException("texts, targets and weights differ in length");
        }
        if (textPairs != null && textPairs.size() != texts.size()) {
            throw new IllegalArgumentException("texts and text pairs differ in length");
        }
    }

    public int size() {
        return texts.size();
    }

    /** One-hot targets for class ids, each example weighted by {@code classWeights[label]} (null = 1). */
    public static TrainingData multiClass(List<String> texts, List<String> pairs, int[] labels, int numClasses,
                                          double[] classWeights) {
        double[][] t = new double[labels.length][numClasses];
        double[] w = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            t[i][labels[i]] = 1;
            w[i] = classWeights == null ? 1 : classWeights[labels[i]];
        }
        return new TrainingData(texts, pairs, t, w);
    }

    /** Multi-hot targets; every example has weight 1. */
    public static TrainingData multiLabel(List<String> texts, List<String> pairs, int[][] multiHot) {
        double[][] t = new double[multiHot.length][];
        double[] w = new double[multiHot.length];
        for (int i = 0; i < multiHot.length; i++) {
            t[i] = new double[multiHot[i].length];
            for (int j = 0; j < multiHot[i].length; j++) t[i][j] = multiHot[i][j];
            w[i] = 1;
        }
        return new TrainingData(texts, pairs, t, w);
    }
}
