package io.finetune4j.framework.data;

import io.finetune4j.framework.data.RData.DataFrame;
import io.finetune4j.framework.data.RData.LazyLoadIndex;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The R reader on real chunks of r-cran-modeldata's lazy-load database ({@code crickets}, {@code Smithsonian}: the
 * package's bytes as they are) and on small serializations written here word by word.
 */
class RDataTest {

    static byte[] resource(String name) throws IOException {
        try (InputStream in = RDataTest.class.getResourceAsStream("/datasets/" + name)) {
            assertNotNull(in, "test resource datasets/" + name);
            return in.readAllBytes();
        }
    }

    private static LazyLoadIndex index() throws IOException {
        return RData.readIndex(new ByteArrayInputStream(resource("fine_foods/Rdata.rdx")), "Rdata.rdx");
    }

    @Test
    void readsTheIndexOfALazyLoadDatabase() throws Exception {
        LazyLoadIndex idx = index();
        assertEquals(List.of("Smithsonian", "crickets", "testing_data", "training_data"),
                List.copyOf(idx.variables().keySet()));
        assertEquals(3, idx.compression(), "xz");
        DatasetException e = assertThrows(DatasetException.class, () -> idx.chunk("penguins"));
        assertTrue(e.getMessage().startsWith("Rdata.rdx: no data set 'penguins' (it has: Smithsonian, crickets"), e.getMessage());
    }

    @Test
    void readsARealTibbleWithAFactorAndDoubleColumns() throws Exception {
        DataFrame df = DataFrame.of(index().read("crickets", resource("fine_foods/Rdata.rdb"), "Rdata.rdb"), "crickets");
        assertEquals(List.of("species", "temp", "rate"), df.names());
        assertEquals(31, df.rows());
        List<String> species = df.strings("species");
        assertEquals("O. exclamationis", species.get(0));
        assertEquals("O. niveus", species.get(30));
        assertEquals(17, species.stream().filter("O. niveus"::equals).count());
        double[] temp = ((RData.Doubles) df.column("temp")).values();
        assertEquals(20.8, temp[0]);
        assertEquals(28.6, temp[30]);
        assertEquals(2259.5, Arrays.stream(((RData.Doubles) df.column("rate")).values()).sum(), 1e-9);
        DatasetException e = assertThrows(DatasetException.class, () -> df.strings("temp"));
        assertEquals("crickets: column 'temp' is a double vector, not character or factor", e.getMessage());
        e = assertThrows(DatasetException.class, () -> df.column("nope"));
        assertEquals("crickets: no column 'nope' (columns: [species, temp, rate])", e.getMessage());
    }

    @Test
    void readsARealTibbleWithACharacterColumn() throws Exception {
        RData.Value v = index().read("Smithsonian", resource("fine_foods/Rdata.rdb"), "Rdata.rdb");
        assertEquals(List.of("tbl_df", "tbl", "data.frame"), v.classes());
        DataFrame df = DataFrame.of(v, "Smithsonian");
        assertEquals(20, df.rows());
        assertEquals("Anacostia Community Museum", df.strings("name").get(0));
        assertEquals("National Zoological Park", df.strings("name").get(19));
        assertEquals(-77.0519731, ((RData.Doubles) df.column("longitude")).values()[19]);
    }

    /** XDR words as R writes them. */
    private static final class Xdr {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);

        Xdr header(int version) throws IOException {
            out.writeBytes("X\n");
            out.writeInt(version);
            out.writeInt(0x040202);
            out.writeInt(0x030500);
            if (version == 3) {
                out.writeInt(5);
                out.writeBytes("UTF-8");
            }
            return this;
        }

        Xdr i(int... words) throws IOException {
            for (int w : words) out.writeInt(w);
            return this;
        }

        Xdr s(int flags, String s) throws IOException {
            if (s == null) return i(flags, -1);
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i(flags, b.length);
            out.write(b);
            return this;
        }

        Xdr sym(String name) throws IOException {
            return i(1).s(0x40009, name);   // SYMSXP, its name an ASCII CHARSXP
        }

        byte[] done() {
            return bytes.toByteArray();
        }
    }

    private static final int CHAR_UTF8 = 0x8009, CHAR_ASCII = 0x40009, CHAR_LATIN1 = 0x4009, LIST_TAG = 0x402,
            NIL = 254, OBJ_ATTR = 0x300;

    /**
     * data.frame(n = 1:3 (compact ALTREP), ok = c(TRUE, NA, FALSE), s = c(a = "é", b = NA, c = latin-1 "ü")):
     * the data frame's {@code names} tag is a reference to the symbol first met on column {@code s}.
     */
    @Test
    void readsIntegerLogicalAndNaColumnsAltrepAndReferences() throws Exception {
        Xdr x = new Xdr().header(3);
        x.i(19 | OBJ_ATTR, 3);                                                  // VECSXP, object, attributes
        x.i(238).i(2).sym("compact_intseq").i(2).sym("base").i(2).i(13, 1, 13).i(NIL);   // ALTREP info
        x.i(14, 3).out.writeDouble(3);
        x.out.writeDouble(1);
        x.out.writeDouble(1);                                                   // state: n, start, step
        x.i(NIL);                                                               // no attributes
        x.i(10, 3, 1, RData.NA_INT, 0);                                         // LGLSXP
        x.i(16 | 0x200, 3).s(CHAR_UTF8, "é").s(9, null);
        x.i(CHAR_LATIN1, 1).out.write(0xfc);                                    // "ü" in latin-1
        x.i(LIST_TAG).sym("names").i(16, 3).s(CHAR_ASCII, "a").s(CHAR_ASCII, "b").s(CHAR_ASCII, "c").i(NIL);
        x.i(LIST_TAG).i(3 << 8 | 255).i(16, 3).s(CHAR_ASCII, "n").s(CHAR_ASCII, "ok").s(CHAR_ASCII, "s");
        x.i(LIST_TAG).sym("class").i(16, 1).s(CHAR_ASCII, "data.frame");
        x.i(LIST_TAG).sym("row.names").i(13, 2, RData.NA_INT, -3);
        x.i(NIL);
        DataFrame df = DataFrame.of(RData.read(new ByteArrayInputStream(x.done()), "t.rds"), "t.rds");
        assertEquals(List.of("n", "ok", "s"), df.names());
        assertEquals(3, df.rows());
        assertArrayEquals(new int[]{1, 2, 3}, ((RData.Ints) df.column("n")).values());
        RData.Ints ok = (RData.Ints) df.column("ok");
        assertTrue(ok.logical());
        assertArrayEquals(new int[]{1, RData.NA_INT, 0}, ok.values());
        assertEquals(Arrays.asList("é", null, "ü"), df.strings("s"));
        assertEquals(List.of("a", "b", "c"), ((RData.Strings) df.column("s").attribute("names")).values());
    }

    @Test
    void oneLineErrorsNamingTheFile() throws Exception {
        DatasetException e = assertThrows(DatasetException.class, () -> RData.read(
                new ByteArrayInputStream(new Xdr().header(2).i(3).done()), "f.rds"));
        assertTrue(e.getMessage().startsWith("f.rds: unsupported R object of type 3 (function)"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> RData.read(
                new ByteArrayInputStream("A\n3\n".getBytes(StandardCharsets.US_ASCII)), "a.rds"));
        assertTrue(e.getMessage().startsWith("a.rds: the ASCII form"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> RData.read(
                new ByteArrayInputStream(new Xdr().header(3).i(16, 5).s(CHAR_ASCII, "a").done()), "t.rds"));
        assertEquals("t.rds: truncated R serialization", e.getMessage());
        e = assertThrows(DatasetException.class, () -> RData.read(
                new ByteArrayInputStream(new Xdr().header(4).done()), "v.rds"));
        assertTrue(e.getMessage().startsWith("v.rds: serialization format version 4"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> DataFrame.of(RData.read(
                new ByteArrayInputStream(new Xdr().header(3).i(13, 1, 7).done()), "i.rds"), "i.rds"));
        assertEquals("i.rds: not an R data frame (an integer vector)", e.getMessage());
        e = assertThrows(DatasetException.class, () -> RData.readChunk(new byte[]{0, 0, 0, 9, '2', 1, 2}, 3, "x.rdb"));
        assertEquals("x.rdb: bzip2-compressed chunks are not supported", e.getMessage());
        e = assertThrows(DatasetException.class, () -> RData.readChunk(new byte[]{0, 0, 0, 9, 'Z', 1, 2}, 3, "x.rdb"));
        assertTrue(e.getMessage().startsWith("x.rdb: corrupt"), e.getMessage());
    }

    @Test
    void readsStoredAndZlibChunks() throws Exception {
        byte[] raw = new Xdr().header(2).i(13, 2, 4, 5).done();
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        new DataOutputStream(chunk).writeInt(raw.length);
        chunk.write('0');
        chunk.write(raw);
        assertArrayEquals(new int[]{4, 5}, ((RData.Ints) RData.readChunk(chunk.toByteArray(), 3, "s.rdb")).values());
        java.util.zip.Deflater d = new java.util.zip.Deflater();
        d.setInput(raw);
        d.finish();
        byte[] z = new byte[200];
        int n = d.deflate(z);
        ByteArrayOutputStream zchunk = new ByteArrayOutputStream();
        new DataOutputStream(zchunk).writeInt(raw.length);
        zchunk.write(z, 0, n);
        assertArrayEquals(new int[]{4, 5}, ((RData.Ints) RData.readChunk(zchunk.toByteArray(), 1, "z.rdb")).values());
    }
}
