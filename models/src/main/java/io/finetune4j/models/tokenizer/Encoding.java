package io.finetune4j.models.tokenizer;

import java.util.Arrays;

/**
 * One encoded sequence ({@code [CLS] A [SEP]} or {@code [CLS] A [SEP] B [SEP]}), as Hugging Face's
 * {@code Encoding}: token ids, token type ids (0 for the first segment, 1 for the second) and the attention mask
 * (1 for real tokens, 0 for padding). The arrays are owned by this object; callers must not modify them.
 */
public final class Encoding {
    private final int[] inputIds;
    private final int[] tokenTypeIds;
    private final int[] attentionMask;

    public Encoding(int[] inputIds, int[] tokenTypeIds, int[] attentionMask) {
        if (inputIds.length != tokenTypeIds.length || inputIds.length != attentionMask.length) {
            throw new IllegalArgumentException("ids, type ids and mask differ in length");
        }
        this.inputIds = inputIds;
        this.tokenTypeIds = tokenTypeIds;
        this.attentionMask = attentionMask;
    }

    public int[] inputIds() {
        return inputIds;
    }

    public int[] tokenTypeIds() {
        return tokenTypeIds;
    }

    public int[] attentionMask() {
        return attentionMask;
    }

    /** Number of positions, padding included. */
    public int length() {
        return inputIds.length;
    }

    @Override
    public String toString() {
        return "Encoding" + Arrays.toString(inputIds);
    }
}
