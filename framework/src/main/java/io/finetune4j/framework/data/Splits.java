package io.finetune4j.framework.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Seeded, stratified ways of cutting a {@link TextDataset}. Every method starts its own
 * {@code SplittableRandom(seed)}, so results depend only on the data and the seed, never on earlier calls.
 * Strata are the label (single-label) or the label set (multi-label, {@link Example#stratum()}), visited in sorted
 * order. Within each returned dataset the examples keep their original order (trainers shuffle per epoch).
 */
public final class Splits {

    private Splits() {
    }

    /** Train / validation / test parts; validation may be empty. */
    public record Split(TextDataset train, TextDataset validation, TextDataset test) {
        @Override
        public String toString() {
            return "Split[train=" + train.size() + ", validation=" + validation.size() + ", test=" + test.size() + "]";
        }
    }

    /**
     * Stratified split by ratios (normalised by their sum). In each stratum of n examples, round(n·train) go to
     * train, round(n·validation) to validation and the rest to test, so each part is within one row per stratum of
     * the exact proportion.
     */
    public static Split stratified(TextDataset ds, double train, double validation, double test, long seed) {
        if (train < 0 || validation < 0 || test < 0 || train + validation + test <= 0) {
            throw new IllegalArgumentException("split ratios must be >= 0 with a positive sum: "
                    + train + "/" + validation + "/" + test);
        }
        double sum = train + validation + test;
        double pTrain = train / sum;
        double pVal = validation / sum;
        SplittableRandom rng = new SplittableRandom(seed);
        List<Integer> tr = new ArrayList<>();
        List<Integer> va = new ArrayList<>();
        List<Integer> te = new ArrayList<>();
        for (int[] stratum : strata(ds).values()) {
            int[] idx = shuffled(stratum, rng);
            int n = idx.length;
            int nTrain = (int) Math.round(n * pTrain);
            int nVal = Math.min(n - nTrain, (int) Math.round(n * pVal));
            for (int i = 0; i < n; i++) {
                (i < nTrain ? tr : i < nTrain + nVal ? va : te).add(idx[i]);
            }
        }
        Collections.sort(tr);
        Collections.sort(va);
        Collections.sort(te);
        String how = " seed " + seed + "]";
        return new Split(part(ds, tr, "[stratified train" + how), part(ds, va, "[stratified validation" + how),
                part(ds, te, "[stratified test" + how));
    }

    /**
     * The parts named by a field, e.g. {@code byField(ds, "split", "train", null, "test")}. Train and test must
     * not be empty ("... has no rows"); a {@code null} validation value gives an empty validation set.
     */
    public static Split byField(TextDataset ds, String field, String trainValue, String validationValue,
                                String testValue) {
        TextDataset train = ds.filter(field, trainValue).requireNonEmpty();
        TextDataset val = validationValue == null ? ds.subset(new int[0], ds.source() + " [no validation]")
                : ds.filter(field, validationValue).requireNonEmpty();
        TextDataset test = ds.filter(field, testValue).requireNonEmpty();
        return new Split(train, val, test);
    }

    /** All values of {@code field} → the examples with that value, in sorted value order (rows without it left out). */
    public static Map<String, TextDataset> groupBy(TextDataset ds, String field) {
        Map<String, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < ds.size(); i++) {
            String v = ds.get(i).get(field);
            if (v != null) {
                groups.computeIfAbsent(v, k -> new ArrayList<>()).add(i);
            }
        }
        Map<String, TextDataset> out = new LinkedHashMap<>();
        groups.forEach((v, idx) -> out.put(v, part(ds, idx, "[" + field + "=" + v + "]")));
        return out;
    }

    /**
     * A stratified subsample keeping fraction {@code f} of every stratum: round(n·f) examples, at least one when
     * the stratum is not empty. {@code f = 1} returns the dataset itself.
     */
    public static TextDataset fraction(TextDataset ds, double f, long seed) {
        if (!(f > 0 && f <= 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1]: " + f);
        }
        if (f == 1) {
            return ds;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<Integer> keep = new ArrayList<>();
        for (int[] stratum : strata(ds).values()) {
            int[] idx = shuffled(stratum, rng);
            int k = Math.max(1, (int) Math.round(idx.length * f));
            for (int i = 0; i < k; i++) {
                keep.add(idx[i]);
            }
        }
        Collections.sort(keep);
        return part(ds, keep, "[fraction " + f + " seed " + seed + "]");
    }

    /**
     * Random oversampling (with replacement) of every stratum smaller than the largest, up to its size. The result
     * holds all original examples in their order followed by the drawn copies, stratum by stratum.
     */
    public static TextDataset oversample(TextDataset ds, long seed) {
        Map<String, int[]> strata = strata(ds);
        int max = strata.values().stream().mapToInt(a -> a.length).max().orElse(0);
        SplittableRandom rng = new SplittableRandom(seed);
        List<Integer> out = new ArrayList<>(max * strata.size());
        for (int i = 0; i < ds.size(); i++) {
            out.add(i);
        }
        for (int[] stratum : strata.values()) {
            for (int i = stratum.length; i < max; i++) {
                out.add(stratum[rng.nextInt(stratum.length)]);
            }
        }
        return part(ds, out, "[oversampled seed " + seed + "]");
    }

    /**
     * sklearn's {@code compute_class_weight('balanced')}: n_samples / (n_classes · count_c), where n_classes counts
     * the classes present; a class with no example gets weight 0. Single-label data only (for multi-label see
     * {@link #positiveWeights(TextDataset)}).
     */
    public static double[] classWeights(TextDataset ds) {
        if (ds.multiLabel()) {
            throw new IllegalArgumentException("classWeights is for single-label data; use positiveWeights");
        }
        int[] counts = ds.labelCounts();
        long present = Arrays.stream(counts).filter(c -> c > 0).count();
        double[] w = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            w[c] = counts[c] == 0 ? 0 : ds.size() / (double) (present * counts[c]);
        }
        return w;
    }

    /**
     * Multi-label: per label, negatives / positives (the {@code pos_weight} of a binary cross-entropy loss); 0 for
     * a label with no positive example.
     */
    public static double[] positiveWeights(TextDataset ds) {
        int[] counts = ds.labelCounts();
        double[] w = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            w[c] = counts[c] == 0 ? 0 : (ds.size() - counts[c]) / (double) counts[c];
        }
        return w;
    }

    // ----------------------------------------------------------------

    /** Stratum key → indices in dataset order; keys sorted (label indices numerically). */
    static Map<String, int[]> strata(TextDataset ds) {
        Map<String, List<Integer>> m = new TreeMap<>((a, b) -> {
            if (!ds.multiLabel()) {
                return Integer.compare(Integer.parseInt(a), Integer.parseInt(b));
            }
            return a.compareTo(b);
        });
        for (int i = 0; i < ds.size(); i++) {
            m.computeIfAbsent(ds.get(i).stratum(), k -> new ArrayList<>()).add(i);
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    private static int[] shuffled(int[] a, SplittableRandom rng) {
        int[] b = a.clone();
        for (int i = b.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
        return b;
    }

    /** The examples at the given indices, in that order, as a dataset tagged with how it was made. */
    private static TextDataset part(TextDataset ds, List<Integer> indices, String tag) {
        int[] idx = indices.stream().mapToInt(Integer::intValue).toArray();
        return ds.subset(idx, ds.source() + " " + tag);
    }

    /** A seeded, unstratified split by ratios (normalised by their sum). */
    public static Split shuffled(TextDataset ds, double[] r, long seed) {
        double sum = r[0] + r[1] + r[2];
        if (r[0] < 0 || r[1] < 0 || r[2] < 0 || sum <= 0) {
            throw new IllegalArgumentException("split ratios must be >= 0 with a positive sum");
        }
        int n = ds.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int nTrain = (int) Math.round(n * r[0] / sum);
        int nVal = Math.min(n - nTrain, (int) Math.round(n * r[1] / sum));
        int[] tr = Arrays.copyOfRange(idx, 0, nTrain), va = Arrays.copyOfRange(idx, nTrain, nTrain + nVal),
                te = Arrays.copyOfRange(idx, nTrain + nVal, n);
        Arrays.sort(tr);
        Arrays.sort(va);
        Arrays.sort(te);
        String how = " seed " + seed + "]";
        return new Split(ds.subset(tr, ds.source() + " [shuffled train" + how),
                ds.subset(va, ds.source() + " [shuffled validation" + how),
                ds.subset(te, ds.source() + " [shuffled test" + how));
    }

    /** A stratified subsample of exactly {@code min(n, size)} examples (largest remainder per stratum). */
    public static TextDataset limit(TextDataset ds, int n, long seed) {
        if (n < 1) throw new IllegalArgumentException("a limit must be at least 1, not " + n);
        if (n >= ds.size()) return ds;
        Map<String, List<Integer>> strata = new TreeMap<>();
        for (int i = 0; i < ds.size(); i++) strata.computeIfAbsent(ds.get(i).stratum(), k -> new ArrayList<>()).add(i);
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> keys = new ArrayList<>(strata.keySet());
        int[] take = new int[keys.size()];
        double[] rem = new double[keys.size()];
        int given = 0;
        for (int k = 0; k < keys.size(); k++) {
            double exact = (double) n * strata.get(keys.get(k)).size() / ds.size();
            take[k] = (int) Math.floor(exact);
            rem[k] = exact - take[k];
            given += take[k];
        }
        Integer[] order = new Integer[keys.size()];
        for (int k = 0; k < order.length; k++) order[k] = k;
        Arrays.sort(order, Comparator.comparingDouble((Integer k) -> -rem[k]).thenComparingInt(k -> k));
        for (int j = 0; given < n; j = (j + 1) % order.length) {
            int k = order[j];
            if (take[k] < strata.get(keys.get(k)).size()) {
                take[k]++;
                given++;
            }
        }
        List<Integer> keep = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            List<Integer> idx = new ArrayList<>(strata.get(keys.get(k)));
            for (int i = idx.size() - 1; i > 0; i--) {            // Fisher-Yates, seeded
                int j = rng.nextInt(i + 1);
                Integer t = idx.get(i);
                idx.set(i, idx.get(j));
                idx.set(j, t);
            }
            keep.addAll(idx.subList(0, take[k]));
        }
        keep.sort(null);
        return ds.subset(keep.stream().mapToInt(Integer::intValue).toArray(), ds.source() + " [first " + n
                + " stratified, seed " + seed + "]");
    }
}
