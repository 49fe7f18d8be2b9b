package io.finetune4j.framework.model;

/**
 * One padded batch: token ids, token types and attention mask padded to the longest sequence in the batch
 * (dynamic padding), targets ({@code [B, C]} one-hot or multi-hot), per-example loss weights, and the indices
 * of the examples in their dataset.
 */
public record Batch(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, double[][] targets,
                    double[] weights, int[] indices) {
    public int size() {
        return inputIds.length;
    }

    public int length() {
        return inputIds[0].length;
    }

    public long realTokens() {
        long n = 0;
        for (int[] row : attentionMask) for (int m : row) n += m;
        return n;
    }
}
