package io.finetune4j.models.tokenizer;

/**
 * A padded batch: every row has the same length ({@link #sequenceLength()}), either the requested maximum length
 * or the longest row of the batch (dynamic padding). Padding positions hold the {@code [PAD]} id, token type 0 and
 * mask 0. The arrays are owned by this object; callers must not modify them.
 */
public final class BatchEncoding {
    private final int[][] inputIds;
    private final int[][] tokenTypeIds;
    private final int[][] attentionMask;

    public BatchEncoding(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
        if (inputIds.length != tokenTypeIds.length || inputIds.length != attentionMask.length) {
            throw new IllegalArgumentException("ids, type ids and mask differ in batch size");
        }
        this.inputIds = inputIds;
        this.tokenTypeIds = tokenTypeIds;
        this.attentionMask = attentionMask;
    }

    public int[][] inputIds() {
        return inputIds;
    }

    public int[][] tokenTypeIds() {
        return tokenTypeIds;
    }

    public int[][] attentionMask() {
        return attentionMask;
    }

    public int size() {
        return inputIds.length;
    }

    /** Length of every row (0 for an empty batch). */
    public int sequenceLength() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    /** Number of non-padding tokens in row {@code i}. */
    public int length(int i) {
        int n = 0;
        for (int m : attentionMask[i]) {
            n += m;
        }
        return n;
    }
}
