package io.finetune4j.framework.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The converters and the tar reader on small fixtures shaped like the real packages (no network). */
class DatasetFetcherTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonNode> lines(String s) throws IOException {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String l : s.split("\n")) if (!l.isBlank()) out.add(JSON.readTree(l));
        return out;
    }

    @Test
    void imdbReviewsJson() throws Exception {
        String json = "[{\"t\":\"Once again Mr. Costner...<br /><br />bad\",\"s\":0},{\"t\":\"A \\\"great\\\" film\",\"s\":1}]";
        StringWriter w = new StringWriter();
        assertEquals(2, DatasetFetcher.convertImdb(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), w));
        List<JsonNode> l = lines(w.toString());
        assertEquals("Once again Mr. Costner...<br /><br />bad", l.get(0).get("text").asText());
        assertEquals("neg", l.get(0).get("label").asText());
        assertEquals("A \"great\" film", l.get(1).get("text").asText());
        assertEquals("pos", l.get(1).get("label").asText());
        assertThrows(DatasetException.class, () -> DatasetFetcher.convertImdb(
                new ByteArrayInputStream("[{\"t\":\"x\",\"s\":7}]".getBytes(StandardCharsets.UTF_8)), new StringWriter()));
    }

    @Test
    void mrPangLeeCsvWithBomQuotesAndNewlines() throws Exception {
        String csv = "\uFEFF\"1\",\"the rock is destined to be the 21st century's new \"\" conan \"\" , and more . \n\"\n"
                + "\"-1\",\"simplistic , silly and tedious . \n\"\n";
        StringWriter w = new StringWriter();
        assertEquals(2, DatasetFetcher.convertMr(new StringReader(csv), w));
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
        assertEquals(3, DatasetFetcher.convertUci(f, w));
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
        Map<String, byte[]> all = DatasetFetcher.tgzEntries(tgz, n -> true);
        assertEquals(List.of("package/reviews.json", longDir + "/x.json"), List.copyOf(all.keySet()));
        assertArrayEquals("[1,2,3]".getBytes(), all.get("package/reviews.json"));
        assertEquals(700, all.get(longDir + "/x.json").length);
        assertEquals(1, DatasetFetcher.tgzEntries(tgz, "package/reviews.json"::equals).size());
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
