package io.finetune4j.framework.finetune;

import io.finetune4j.framework.data.Splits;
import io.finetune4j.framework.data.TextDataset;

/** The {@code class_weights} setting as one weight per class of the training data. */
final class ClassWeights {
    private ClassWeights() {
    }

    /** {@code none} → null; {@code balanced} → n / (classes × count); {@code w1,w2,...} → those, one per label. */
    static double[] of(String spec, TextDataset train) {
        if (spec == null || spec.equals("none")) return null;
        if (train.multiLabel()) {
            throw new IllegalArgumentException("class_weights is for single-label data (multi-label trains every label "
                    + "with weight 1)");
        }
        if (spec.equals("balanced")) return Splits.classWeights(train);
        String[] parts = spec.split(",");
        if (parts.length != train.numLabels()) {
            throw new IllegalArgumentException("class_weights " + spec + ": " + parts.length + " weights for "
                    + train.numLabels() + " labels " + train.labelNames());
        }
        double[] w = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                w[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("class_weights: '" + parts[i] + "' is not a number");
            }
            if (!(w[i] >= 0)) throw new IllegalArgumentException("class_weights: weights must be >= 0");
        }
        return w;
    }
}
