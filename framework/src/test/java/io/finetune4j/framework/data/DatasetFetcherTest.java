package io.finetune4j.framework.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The converters and the tar reader, without a network: fine_foods, reuters and wordnet on real excerpts of their
 * Debian packages ({@code src/test/resources/datasets/}, cut by {@code make_fixtures.py}), whose expected output
 * is the matching rows of the {@code shared/data} files, byte for byte; imdb, mr and uci on small hand-made
 * fixtures shaped like their packages.
 */
class DatasetFetcherTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static byte[] resource(String name) throws IOException {
        try (InputStream in = DatasetFetcherTest.class.getResourceAsStream("/datasets/" + name)) {
            assertNotNull(in, "test resource datasets/" + name);
            return in.readAllBytes();
        }
    }

    static String resourceText(String name) throws IOException {
        return new String(resource(name), StandardCharsets.UTF_8);
    }

    @Test
    void everyCatalogueDatasetHasAConverter() {
        // a subset is taken from its parent's converted file, every other dataset has a converter of its own
        assertEquals(DatasetCatalogue.ENTRIES.stream().filter(e -> e.parent() == null)
                        .map(DatasetCatalogue.Entry::name).collect(Collectors.toSet()),
                DatasetFetcher.CONVERSIONS.keySet());
    }

    @Test
    void jsonLinesAreWrittenAsPythonJsonDumpsWritesThem() throws Exception {
        StringWriter w = new StringWriter();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("text", "a\"b\\c\b\f\n\r\t\u0000\u001f\u007f/\u00e9\u2028\uD83D\uDE00");
        row.put("labels", List.of("x", ""));
        row.put("k", List.of());
        JsonLine.write(w, row);
        // python3 -c 'import json; print(json.dumps({...}, ensure_ascii=False))'
        assertEquals("{\"text\": \"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0000\\u001f\u007f/\u00e9\u2028\uD83D\uDE00\", "
                + "\"labels\": [\"x\", \"\"], \"k\": []}\n", w.toString());
    }

    @Test
    void fineFoodsFromTheRLazyLoadDatabase() throws Exception {
        StringWriter w = new StringWriter();
        int n = DatasetConverters.convertFineFoods(new ByteArrayInputStream(resource("fine_foods/Rdata.rdx")),
                resource("fine_foods/Rdata.rdb"), w);
        assertEquals(6, n);
        assertEquals(resourceText("fine_foods/expected.jsonl"), w.toString());
        assertTrue(w.toString().contains("103\uFFFD fever"), "non-ASCII text written as it is");
    }

    @Test
    void fineFoodsNamesTheFileOfACorruptChunk() throws Exception {
        byte[] rdb = resource("fine_foods/Rdata.rdb");
        for (int i = rdb.length - 200; i < rdb.length; i++) rdb[i] ^= 0x5a;
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetConverters.convertFineFoods(
                new ByteArrayInputStream(resource("fine_foods/Rdata.rdx")), rdb, new StringWriter()));
        assertTrue(e.getMessage().startsWith("usr/lib/R/site-library/modeldata/data/Rdata.rdb (training_data): corrupt"),
                e.getMessage());
        assertThrows(DatasetException.class, () -> DatasetConverters.convertFineFoods(
                new ByteArrayInputStream(resource("fine_foods/Rdata.rdx")), new byte[100], new StringWriter()));
    }

    @Test
    void reutersCornAndGrainArffsMergedIntoMultiLabelRows() throws Exception {
        Map<String, byte[]> arffs = new LinkedHashMap<>();
        for (String f : ReutersArff.REUTERS_FILES) arffs.put("usr/share/doc/weka/examples/" + f, resource("reuters/" + f));
        StringWriter w = new StringWriter();
        assertEquals(11, ReutersArff.convertReuters(arffs, w));
        assertEquals(resourceText("reuters/expected.jsonl"), w.toString());
        List<JsonNode> l = lines(w.toString());
        assertEquals(List.of("grain", "corn"), JSON.convertValue(l.get(3).get("labels"), List.class));
        assertEquals(List.of("corn"), JSON.convertValue(l.get(6).get("labels"), List.class), "the one corn-only document");
    }

    @Test
    void reutersRefusesFilesThatDoNotPair() throws Exception {
        Map<String, byte[]> arffs = new LinkedHashMap<>();
        for (String f : ReutersArff.REUTERS_FILES) arffs.put(f, resource("reuters/" + f));
        String grain = new String(arffs.get("ReutersGrain-test.arff"), StandardCharsets.UTF_8);
        arffs.put("ReutersGrain-test.arff", grain.replace("U.K. MONEY MARKET", "U.K. HONEY MARKET").getBytes(StandardCharsets.UTF_8));
        DatasetException e = assertThrows(DatasetException.class, () -> ReutersArff.convertReuters(arffs, new StringWriter()));
        assertTrue(e.getMessage().startsWith("ReutersCorn-test.arff and ReutersGrain-test.arff: document 4 differs"), e.getMessage());
        arffs.put("ReutersGrain-test.arff", (grain + "'one more',1\n").getBytes(StandardCharsets.UTF_8));
        e = assertThrows(DatasetException.class, () -> ReutersArff.convertReuters(arffs, new StringWriter()));
        assertTrue(e.getMessage().contains("has 4 documents but ReutersGrain-test.arff has 5"), e.getMessage());
        arffs.put("ReutersGrain-test.arff", (grain + "'unterminated,1\n").getBytes(StandardCharsets.UTF_8));
        e = assertThrows(DatasetException.class, () -> ReutersArff.convertReuters(arffs, new StringWriter()));
        assertTrue(e.getMessage().startsWith("ReutersGrain-test.arff: line 11: expected ,0 or ,1"), e.getMessage());
        arffs.remove("ReutersCorn-train.arff");
        e = assertThrows(DatasetException.class, () -> ReutersArff.convertReuters(arffs, new StringWriter()));
        assertTrue(e.getMessage().contains("no usr/share/doc/weka/examples/ReutersCorn-train.arff"), e.getMessage());
    }

    @Test
    void arffEscapes() {
        List<String[]> rows = ReutersArff.reutersArff("@relation r\n@attribute Text string\n@attribute c {0,1}\n"
                + "@data\n% a comment\n\n'it\\'s \\\"q\\\" a\\\\b\\tc\\nd \\x 5\\%',1\n\"dq\",0\n", "t.arff");
        assertEquals(2, rows.size());
        assertEquals("it's \"q\" a\\b\tc\nd \\x 5%", rows.get(0)[0]);
        assertEquals("1", rows.get(0)[1]);
        assertEquals("dq", rows.get(1)[0]);
        DatasetException e = assertThrows(DatasetException.class, () -> ReutersArff.reutersArff(
                "@attribute a numeric\n@data\n1\n", "n.arff"));
        assertTrue(e.getMessage().startsWith("n.arff: expected a string attribute and a {0,1} class"), e.getMessage());
    }

    @Test
    void wordnetGlossesLabelledWithTheirLexicographerFile() throws Exception {
        StringWriter w = new StringWriter();
        int n = DatasetConverters.convertWordnet(new StringReader(resourceText("wordnet/data.noun")),
                new StringReader(resourceText("wordnet/data.verb")), w);
        assertEquals(10, n, "8 noun synsets less the 2 of noun.Tops, and 4 verb synsets");
        assertEquals(resourceText("wordnet/expected.jsonl"), w.toString());
        assertEquals(45, DatasetConverters.WORDNET_LEXNAMES.size());
        assertEquals("noun.food", DatasetConverters.WORDNET_LEXNAMES.get(13));
        assertEquals("verb.weather", DatasetConverters.WORDNET_LEXNAMES.get(43));
    }

    @Test
    void wordnetNamesTheLineOfABadSynset() {
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetConverters.convertWordnet(
                new StringReader("  licence\n00001740 03 n 01 entity 0 000 | that which is\n00001741 99 n 01 x 0 000 | y\n"),
                new StringReader(""), new StringWriter()));
        assertTrue(e.getMessage().startsWith("data.noun: line 3: not a WordNet noun. synset line"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> DatasetConverters.convertWordnet(new StringReader(""),
                new StringReader("00001740 04 v 01 breathe 0 000 | draw air\n"), new StringWriter()));
        assertTrue(e.getMessage().startsWith("data.verb: line 1:"), e.getMessage());
    }

    static List<JsonNode> lines(String s) throws IOException {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String l : s.split("\n")) if (!l.isBlank()) out.add(JSON.readTree(l));
        return out;
    }

    @Test
    void imdbReviewsJson() throws Exception {
        String json = "[{\"t\":\"Once again Mr. Costner...<br /><br />bad\",\"s\":0},{\"t\":\"A \\\"great\\\" film\",\"s\":1}]";
        StringWriter w = new StringWriter();
        assertEquals(2, DatasetConverters.convertImdb(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), w));
        List<JsonNode> l = lines(w.toString());
        assertEquals("Once again Mr. Costner...<br /><br />bad", l.get(0).get("text").asText());
        assertEquals("neg", l.get(0).get("label").asText());
        assertEquals("A \"great\" film", l.get(1).get("text").asText());
        assertEquals("pos", l.get(1).get("label").asText());
        assertThrows(DatasetException.class, () -> DatasetConverters.convertImdb(
                new ByteArrayInputStream("[{\"t\":\"x\",\"s\":7}]".getBytes(StandardCharsets.UTF_8)), new StringWriter()));
    }

    @Test
    void imdbRowsAreWrittenAsTheSharedFileWritesThem() throws Exception {
        StringWriter w = new StringWriter();
        DatasetConverters.convertImdb(new ByteArrayInputStream("[{\"t\":\"caf\u00e9 \\u0010 x\",\"s\":1}]"
                .getBytes(StandardCharsets.UTF_8)), w);
        assertEquals("{\"text\": \"caf\u00e9 \\u0010 x\", \"label\": \"pos\"}\n", w.toString());
    }

    @Test
    void mrPangLeeCsvWithBomQuotesAndNewlines() throws Exception {
        String csv = "\uFEFF\"1\",\"the rock is destined to be the 21st century's new \"\" conan \"\" , and more . \n\"\n"
                + "\"-1\",\"simplistic , silly and tedious . \n\"\n";
        StringWriter w = new StringWriter();
        assertEquals(2, DatasetConverters.convertMr(new StringReader(csv), w));
        List<JsonNode> l = lines(w.toString());
        assertEquals("the rock is destined to be the 21st century's new \" conan \" , and more .",
                l.get(0).get("text").asText());
        assertEquals("pos", l.get(0).get("label").asText());
        assertEquals("en", l.get(0).get("lang").asText());
        assertEquals("neg", l.get(1).get("label").asText());
        assertEquals("simplistic , silly and tedious .", l.get(1).get("text").asText());
    }

    @Test
    void uciFixturesInSourceOrder() throws Exception {
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put("package/test/fixtures/yelp.json", "[{\"text\":\"Wow... Loved this place.\",\"class\":1}]".getBytes());
        f.put("package/test/fixtures/amazon.json", "[{\"text\":\"No way to plug it in.\",\"class\":0}]".getBytes());
        f.put("package/test/fixtures/imdb.json", "[{\"text\":\"A very slow movie.  \",\"class\":0},{\"text\":\"\",\"class\":0}]".getBytes());
        StringWriter w = new StringWriter();
        assertEquals(3, DatasetConverters.convertUci(f, w));
        List<JsonNode> l = lines(w.toString());
        assertEquals(List.of("amazon", "imdb", "yelp"), l.stream().map(n -> n.get("source").asText()).toList());
        assertEquals("pos", l.get(2).get("label").asText());
        assertEquals("A very slow movie.", l.get(1).get("text").asText());
    }

    /** A ustar .tgz written by hand: one short name, one name split into prefix + name. */
    @Test
    void readsTarGzEntries(@TempDir Path tmp) throws Exception {
        Path tgz = tmp.resolve("p.tgz");
        String longDir = "package/" + "d".repeat(120);
        try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(tgz))) {
            tarEntry(os, "", "package/reviews.json", "[1,2,3]".getBytes());
            tarEntry(os, longDir, "x.json", "x".repeat(700).getBytes());
            os.write(new byte[1024]);
        }
        Map<String, byte[]> all = Tgz.tgzEntries(tgz, n -> true);
        assertEquals(List.of("package/reviews.json", longDir + "/x.json"), List.copyOf(all.keySet()));
        assertArrayEquals("[1,2,3]".getBytes(), all.get("package/reviews.json"));
        assertEquals(700, all.get(longDir + "/x.json").length);
        assertEquals(1, Tgz.tgzEntries(tgz, "package/reviews.json"::equals).size());
        Path bad = Files.write(tmp.resolve("bad.tgz"), "not gzip".getBytes());
        DatasetException e = assertThrows(DatasetException.class, () -> Tgz.tgzEntries(bad, n -> true));
        assertTrue(e.getMessage().startsWith(bad + ": not a readable .tgz"), e.getMessage());
    }

    private static void tarEntry(OutputStream os, String prefix, String name, byte[] data) throws IOException {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", data.length));
        put(h, 136, "00000000000");
        h[156] = '0';
        put(h, 257, "ustar");
        put(h, 263, "00");
        put(h, 345, prefix);
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        os.write(h);
        os.write(data);
        os.write(new byte[(512 - data.length % 512) % 512]);
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
