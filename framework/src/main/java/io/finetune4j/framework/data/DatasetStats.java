package io.finetune4j.framework.data;

import io.finetune4j.framework.io.TextTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToIntFunction;

/** Class distributions and token-length statistics, as numbers and as plain-text tables. */
public final class DatasetStats {

    private DatasetStats() {
    }

    /**
     * Token lengths of a dataset's examples.
     *
     * @param count        number of examples
     * @param min          shortest
     * @param mean         mean
     * @param median       median (mean of the two middle values for an even count)
     * @param p90          90th percentile (nearest rank)
     * @param p95          95th percentile (nearest rank)
     * @param max          longest
     * @param maxLength    the length limit compared against
     * @param fractionOver fraction of examples longer than {@code maxLength} (would be truncated)
     */
    public record LengthStats(int count, int min, double mean, double median, int p90, int p95, int max,
                              int maxLength, double fractionOver) {
    }

    /**
     * Token lengths under {@code tokenCounter}; for a pair example, the two texts' counts are added.
     * An empty dataset gives all zeros.
     */
    public static LengthStats lengths(TextDataset ds, ToIntFunction<String> tokenCounter, int maxLength) {
        int n = ds.size();
        if (n == 0) {
            return new LengthStats(0, 0, 0, 0, 0, 0, 0, maxLength, 0);
        }
        int[] len = new int[n];
        long sum = 0;
        int over = 0;
        for (int i = 0; i < n; i++) {
            Example e = ds.get(i);
            len[i] = tokenCounter.applyAsInt(e.text()) + (e.textPair() == null ? 0 : tokenCounter.applyAsInt(e.textPair()));
            sum += len[i];
            over += len[i] > maxLength ? 1 : 0;
        }
        Arrays.sort(len);
        double median = n % 2 == 1 ? len[n / 2] : (len[n / 2 - 1] + len[n / 2]) / 2.0;
        return new LengthStats(n, len[0], sum / (double) n, median, nearestRank(len, 0.90), nearestRank(len, 0.95),
                len[n - 1], maxLength, over / (double) n);
    }

    private static int nearestRank(int[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /**
     * Examples per label in each named split, with percentages, plus (multi-label) a "(no label)" row. The splits
     * must share label names. Example:
     * <pre>
     * label         test         train
     * great  658   65.8%  2600   65.0%
     * other  342   34.2%  1400   35.0%
     * total         1000          4000
     * </pre>
     */
    public static String classTable(Map<String, TextDataset> splits) {
        if (splits.isEmpty()) {
            return "";
        }
        TextDataset first = splits.values().iterator().next();
        List<String> names = first.labelNames();
        List<String> header = new ArrayList<>(List.of("label"));
        header.addAll(splits.keySet());
        List<List<String>> rows = new ArrayList<>();
        Map<String, int[]> counts = new LinkedHashMap<>();
        splits.forEach((k, d) -> {
            if (!d.labelNames().equals(names)) {
                throw new IllegalArgumentException("split '" + k + "' has other label names: " + d.labelNames());
            }
            counts.put(k, d.labelCounts());
        });
        for (int c = 0; c < names.size(); c++) {
            List<String> row = new ArrayList<>(List.of(names.get(c)));
            for (Map.Entry<String, TextDataset> s : splits.entrySet()) {
                row.add(countAndShare(counts.get(s.getKey())[c], s.getValue().size()));
            }
            rows.add(row);
        }
        if (first.multiLabel()) {
            List<String> row = new ArrayList<>(List.of("(no label)"));
            splits.values().forEach(d -> row.add(countAndShare(d.unlabelledCount(), d.size())));
            rows.add(row);
        }
        List<String> total = new ArrayList<>(List.of("total"));
        splits.values().forEach(d -> total.add(Integer.toString(d.size())));
        rows.add(total);
        return table(header, rows);
    }

    /** {@link #lengths} of each named split as a table (one row per split). */
    public static String lengthTable(Map<String, TextDataset> splits, ToIntFunction<String> tokenCounter,
                                     int maxLength) {
        List<String> header = List.of("split", "n", "min", "mean", "median", "p90", "p95", "max",
                "> " + maxLength);
        List<List<String>> rows = new ArrayList<>();
        splits.forEach((k, d) -> {
            LengthStats s = lengths(d, tokenCounter, maxLength);
            rows.add(List.of(k, Integer.toString(s.count()), Integer.toString(s.min()), fmt("%.1f", s.mean()),
                    fmt("%.1f", s.median()), Integer.toString(s.p90()), Integer.toString(s.p95()),
                    Integer.toString(s.max()), fmt("%.1f%%", 100 * s.fractionOver())));
        });
        return table(header, rows);
    }

    /** Both tables for one dataset's splits. */
    public static String report(Map<String, TextDataset> splits, ToIntFunction<String> tokenCounter, int maxLength) {
        return classTable(splits) + "\n" + lengthTable(splits, tokenCounter, maxLength);
    }

    private static String countAndShare(int count, int size) {
        return count + (size == 0 ? "" : fmt("  %5.1f%%", 100.0 * count / size));
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }

    /** Left-aligned first column, right-aligned others, two spaces between columns. */
    static String table(List<String> header, List<List<String>> rows) {
        TextTable t = TextTable.numbers(header);
        rows.forEach(t::row);
        return t.plain();
    }
}
