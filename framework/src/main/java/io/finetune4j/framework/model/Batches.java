package io.finetune4j.framework.model;

import io.finetune4j.models.tokenizer.Encoding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Cuts tokenized examples into batches padded to their longest member (dynamic padding). Training order is a
 * seeded shuffle; with length bucketing, examples of similar length share a batch (less padding) and the
 * batches themselves are shuffled.
 */
public final class Batches {
    private Batches() {
    }

    public static List<Batch> inOrder(List<Encoding> enc, TrainingData data, int batchSize, int padId) {
        int[] order = new int[enc.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        return cut(order, enc, data, batchSize, padId);
    }

    public static List<Batch> shuffled(List<Encoding> enc, TrainingData data, int batchSize, int padId, Random rng,
                                       boolean bucketByLength) {
        int n = enc.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        // Fisher-Yates with the run's RNG: the same seed gives the same order on every machine.
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Integer t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        if (bucketByLength) {
            // Sort within windows of 50 batches, so batches stay random but padding is small.
            int window = batchSize * 50;
            for (int s = 0; s < n; s += window) {
                Arrays.sort(order, s, Math.min(n, s + window), (a, b) -> Integer.compare(enc.get(a).length(), enc.get(b).length()));
            }
        }
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = order[i];
        List<Batch> batches = cut(o, enc, data, batchSize, padId);
        if (bucketByLength) java.util.Collections.shuffle(batches, rng);
        return batches;
    }

    private static List<Batch> cut(int[] order, List<Encoding> enc, TrainingData data, int batchSize, int padId) {
        List<Batch> out = new ArrayList<>();
        for (int s = 0; s < order.length; s += batchSize) {
            int b = Math.min(batchSize, order.length - s);
            int t = 0;
            for (int i = 0; i < b; i++) t = Math.max(t, enc.get(order[s + i]).length());
            int[][] ids = new int[b][t], types = new int[b][t], mask = new int[b][t];
            double[][] targets = new double[b][];
            double[] weights = new double[b];
            int[] idx = new int[b];
            for (int i = 0; i < b; i++) {
                int k = order[s + i];
                Encoding e = enc.get(k);
                Arrays.fill(ids[i], padId);
                System.arraycopy(e.inputIds(), 0, ids[i], 0, e.length());
                System.arraycopy(e.tokenTypeIds(), 0, types[i], 0, e.length());
                Arrays.fill(mask[i], 0, e.length(), 1);
                targets[i] = data.targets()[k];
                weights[i] = data.weights()[k];
                idx[i] = k;
            }
            out.add(new Batch(ids, types, mask, targets, weights, idx));
        }
        return out;
    }
}
