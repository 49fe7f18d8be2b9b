package io.finetune4j.framework.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small files written into a temp dir: formats, layouts, and every kind of broken input. */
class DatasetReaderTest {
    @TempDir
    Path tmp;

    private Path write(String name, String content) throws IOException {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] content) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    private DatasetException fails(Path p, ReadOptions o) {
        return assertThrows(DatasetException.class, () -> DatasetReader.read(p, o));
    }

    // ------------------------------------------------------------ good input

    @Test
    void jsonlNumericLabelsPairsAndExtras() throws IOException {
        Path p = write("pairs.jsonl", """
                {"premise": "a man sleeps", "hypothesis": "a person rests", "label": 1, "id": 7}

                {"premise": "x", "hypothesis": "y", "label": 10}
                {"premise": "p", "hypothesis": "q", "label": 2}
                """);
        TextDataset ds = DatasetReader.read(p, ReadOptions.defaults().withTextField("premise")
                .withTextPairField("hypothesis"));
        assertEquals(List.of("1", "2", "10"), ds.labelNames(), "integer names sort numerically");
        assertEquals(3, ds.size());
        Example e = ds.get(0);
        assertEquals("a person rests", e.textPair());
        assertEquals("7", e.get("id"));
        assertEquals(0, e.label());
        assertEquals(3, ds.get(1).row(), "row = physical line, blank line 2 skipped");
        assertEquals(2, ds.get(1).label());
    }

    @Test
    void gzipAndDeclaredLabelOrder() throws IOException {
        Path p = tmp.resolve("s.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write("{\"text\":\"good\",\"label\":\"pos\"}\n{\"text\":\"bad\",\"label\":\"neg\"}\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        TextDataset ds = DatasetReader.read(p, ReadOptions.defaults().withLabels(List.of("pos", "neg")));
        assertEquals(List.of("pos", "neg"), ds.labelNames());
        assertEquals(0, ds.get(0).label());
        assertEquals(1, ds.get(1).label());
    }

    @Test
    void csvQuotedCommaAndEmbeddedNewline() throws IOException {
        Path p = write("q.csv", "id,text,label\r\n"
                + "1,\"Hello, world\",pos\r\n"
                + "2,\"first line\nsecond \"\"quoted\"\" line\",neg\r\n"
                + "3,plain,pos\r\n");
        TextDataset ds = DatasetReader.read(p);
        assertEquals(3, ds.size());
        assertEquals("Hello, world", ds.get(0).text());
        assertEquals("first line\nsecond \"quoted\" line", ds.get(1).text());
        assertEquals(3, ds.get(1).row(), "row = line the record starts on");
        assertEquals(5, ds.get(2).row());
        assertEquals("3", ds.get(2).get("id"));
        assertArrayEquals(new int[]{1, 2}, ds.labelCounts());
    }

    @Test
    void tsvWithoutHeaderAndBareQuotes() throws IOException {
        Path p = write("glue.tsv", "it 's a \"charming\" film\t1\nflat\t0\n");
        TextDataset ds = DatasetReader.read(p, ReadOptions.defaults().withHeader(false).withTextField("0")
                .withLabelField("1"));
        assertEquals("it 's a \"charming\" film", ds.get(0).text());
        assertEquals(List.of("0", "1"), ds.labelNames());
    }

    @Test
    void multiLabelCsv() throws IOException {
        Path p = write("m.csv", "text,labels\n\"a\",\"corn,grain\"\nb,\nc,grain\n");
        TextDataset ds = DatasetReader.read(p, ReadOptions.defaults().withMultiLabel(true));
        assertArrayEquals(new int[]{1, 1}, ds.get(0).labels());
        assertArrayEquals(new int[]{0, 0}, ds.get(1).labels());
        assertEquals(List.of("corn", "grain"), ds.labelNames());
    }

    @Test
    void classFolderLayout() throws IOException {
        Path train = tmp.resolve("aclImdb/train");
        write("aclImdb/train/pos/0_9.txt", "A great film.");
        write("aclImdb/train/pos/1_7.txt", "Loved it.");
        write("aclImdb/train/neg/0_2.txt", "Dull.");
        write("aclImdb/train/unsup/0_0.txt", "No label here.");
        write("aclImdb/train/labeledBow.feat", "0:1 1:2");
        write("aclImdb/train/urls_pos.txt", "http://x");
        TextDataset ds = DatasetReader.read(train);
        assertEquals(List.of("neg", "pos"), ds.labelNames());
        assertArrayEquals(new int[]{1, 2}, ds.labelCounts());
        assertEquals("Dull.", ds.get(0).text());
        assertEquals("pos/0_9.txt", ds.get(1).get("file"));

        // 20 Newsgroups: files without extension, some in Latin-1
        write("20news-bydate-train/sci.space/60151", "Orbit talk");
        write("20news-bydate-train/rec.autos/101551", "Caf\u00e9 racer".getBytes(StandardCharsets.ISO_8859_1));
        TextDataset news = DatasetReader.read(tmp.resolve("20news-bydate-train"));
        assertEquals(List.of("rec.autos", "sci.space"), news.labelNames());
        assertEquals("Caf\u00e9 racer", news.get(0).text());
        assertEquals("ISO-8859-1", news.get(0).get("encoding"));
        assertNull(news.get(1).get("encoding"));
        DatasetException e = fails(tmp.resolve("20news-bydate-train"),
                ReadOptions.defaults().withLatin1Fallback(false));
        assertTrue(e.getMessage().contains("101551: line 1: invalid UTF-8"), e.getMessage());
    }

    // ------------------------------------------------------------ broken input

    @Test
    void missingLabelFieldNamesRowAndKey() throws IOException {
        Path p = write("nolabel.jsonl", """
                {"text": "ok", "label": "pos"}
                {"text": "no label here"}
                """);
        DatasetException e = fails(p, ReadOptions.defaults());
        assertEquals(p + ": line 2: missing label field 'label'", e.getMessage());
    }

    @Test
    void missingTextField() throws IOException {
        Path p = write("notext.jsonl", "{\"sentence\": \"x\", \"label\": \"pos\"}\n");
        assertEquals(p + ": line 1: missing text field 'text'", fails(p, ReadOptions.defaults()).getMessage());
    }

    @Test
    void missingLabelColumnInCsv() throws IOException {
        Path p = write("nolabel.csv", "text,category\nhello,pos\n");
        DatasetException e = fails(p, ReadOptions.defaults());
        assertTrue(e.getMessage().startsWith(p + ": line 1: missing label column 'label'"), e.getMessage());
    }

    @Test
    void labelOutsideDeclaredSet() throws IOException {
        Path p = write("odd.jsonl", """
                {"text": "a", "label": "pos"}
                {"text": "b", "label": "neg"}
                {"text": "c", "label": "neutral"}
                """);
        DatasetException e = fails(p, ReadOptions.defaults().withLabels(List.of("neg", "pos")));
        assertEquals(p + ": line 3: label 'neutral' is not one of the declared labels [neg, pos]", e.getMessage());
    }

    @Test
    void multiLabelValueNotAList() throws IOException {
        Path p = write("ml.jsonl", "{\"text\": \"a\", \"labels\": [\"x\"]}\n{\"text\": \"b\", \"labels\": \"x\"}\n");
        DatasetException e = fails(p, ReadOptions.defaults().withMultiLabel(true));
        assertEquals(p + ": line 2: multi-label field 'labels' is not a list (string)", e.getMessage());
    }

    @Test
    void emptyFileAndBlankFile() throws IOException {
        Path p = write("empty.jsonl", "");
        assertEquals(p + " has no rows", fails(p, ReadOptions.defaults()).getMessage());
        Path q = write("blank.jsonl", "\n  \n");
        assertEquals(q + " has no rows", fails(q, ReadOptions.defaults()).getMessage());
        Path h = write("header.csv", "text,label\n");
        assertEquals(h + " has no rows", fails(h, ReadOptions.defaults()).getMessage());
        TextDataset ds = DatasetReader.read(write("one.jsonl", "{\"text\":\"a\",\"label\":\"x\",\"split\":\"train\"}"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> Splits.byField(ds, "split", "train", null, "test"));
        assertTrue(e.getMessage().endsWith("[split=test] has no rows"), e.getMessage());
    }

    @Test
    void invalidUtf8OnLine3() throws IOException {
        byte[] good = "{\"text\": \"fine\", \"label\": \"pos\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', 'c', 'a', 'f', (byte) 0xE9, '"', ',',
                '"', 'l', 'a', 'b', 'e', 'l', '"', ':', '"', 'p', 'o', 's', '"', '}', '\n'};
        byte[] all = new byte[good.length * 2 + bad.length];
        System.arraycopy(good, 0, all, 0, good.length);
        System.arraycopy(good, 0, all, good.length, good.length);
        System.arraycopy(bad, 0, all, 2 * good.length, bad.length);
        Path p = write("latin1.jsonl", all);
        DatasetException e = fails(p, ReadOptions.defaults());
        assertEquals(p + ": line 3: invalid UTF-8 (byte 0xE9 at byte 13 of the line)", e.getMessage());
    }

    @Test
    void malformedJsonOnLine2() throws IOException {
        Path p = write("broken.jsonl", """
                {"text": "a", "label": "pos"}
                {"text": "b", "label": "neg"
                {"text": "c", "label": "neg"} trailing
                """);
        DatasetException e = fails(p, ReadOptions.defaults());
        assertTrue(e.getMessage().startsWith(p + ": line 2: malformed JSON"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(and 1 more problem)"), e.getMessage());
        assertEquals(2, e.problemCount());
        assertTrue(e.problems().get(1).startsWith(p + ": line 3: malformed JSON"), e.problems().get(1));
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void csvWrongColumnCount() throws IOException {
        Path p = write("cols.csv", "text,label\n\"a, b\",pos\nc,neg,extra\nd,pos\n");
        DatasetException e = fails(p, ReadOptions.defaults());
        assertEquals(p + ": line 3: expected 2 columns (as in the header) but found 3", e.getMessage());
    }

    @Test
    void csvUnterminatedQuote() throws IOException {
        Path p = write("open.csv", "text,label\n\"never closed,pos\nx,neg\n");
        DatasetException e = fails(p, ReadOptions.defaults());
        assertTrue(e.getMessage().startsWith(p + ": line 2: unterminated quoted field"), e.getMessage());
    }

    @Test
    void stopsAfterMaxErrors() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            sb.append("{\"text\": \"t\"}\n");
        }
        Path p = write("many.jsonl", sb.toString());
        DatasetException e = fails(p, ReadOptions.defaults().withMaxErrors(5));
        assertEquals(5, e.problemCount());
        assertEquals(5, e.problems().size());
        assertEquals(p + ": line 1: missing label field 'label' (and 4 more problems; stopped reading there)",
                e.getMessage());
    }

    @Test
    void unknownExtensionAndMissingFile() throws IOException {
        Path p = write("data.txt", "x");
        assertTrue(fails(p, ReadOptions.defaults()).getMessage().contains("cannot tell the format"));
        assertTrue(fails(tmp.resolve("nope.jsonl"), ReadOptions.defaults()).getMessage()
                .endsWith("no such file or directory"));
    }
}
