package io.finetune4j.framework.data;

import org.tukaani.xz.LZMA2InputStream;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * Reads R data without R: the XDR form of R's serialization format (versions 2 and 3), the part that data
 * frames use — character, factor, integer, logical and double columns with their attributes — and R's lazy-load
 * databases ({@code data/Rdata.rdx} + {@code Rdata.rdb}), the form in which an installed R package, such as a
 * Debian {@code r-cran-*} package, keeps its data sets.
 *
 * <p>Anything else (functions, environments, S4 objects, complex or raw vectors, bzip2 chunks, the ASCII and
 * native-binary forms) is refused with a one-line {@link DatasetException} naming the file.
 *
 * <p>Over 300 lines on purpose: it is one format's reader (R's XDR serialization and lazy-load database); split, its
 * grammar would be spread over files that only make sense together.
 */
public final class RData {

    /** An R value. */
    public sealed interface Value permits Null, Symbol, Strings, Ints, Doubles, ListValue {
        /** Its attributes ({@code names}, {@code class}, {@code levels}, {@code row.names}, ...), in order. */
        default Map<String, Value> attributes() {
            return Map.of();
        }

        /** An attribute, or {@link Null}. */
        default Value attribute(String name) {
            return attributes().getOrDefault(name, NULL);
        }

        /** The {@code class} attribute's strings (empty if none). */
        default List<String> classes() {
            return attribute("class") instanceof Strings s ? s.values() : List.of();
        }
    }

    /** {@code NULL}. */
    public record Null() implements Value {
    }

    /** A symbol: attribute names and a few other tags. */
    public record Symbol(String name) implements Value {
    }

    /** A character vector; {@code NA} is {@code null}. */
    public record Strings(List<String> values, Map<String, Value> attributes) implements Value {
    }

    /** An integer vector, a factor's codes (1-based) or a logical vector; {@code NA} is {@link #NA_INT}. */
    public record Ints(int[] values, boolean logical, Map<String, Value> attributes) implements Value {
    }

    /** A double vector; {@code NA} is a NaN. */
    public record Doubles(double[] values, Map<String, Value> attributes) implements Value {
    }

    /** A list (also an expression vector or a pairlist read as a value); names are in {@code names}. */
    public record ListValue(List<Value> values, Map<String, Value> attributes) implements Value {
    }

    public static final Null NULL = new Null();
    /** R's integer {@code NA}. */
    public static final int NA_INT = Integer.MIN_VALUE;

    /** A data frame (also a tibble): column names, columns and the number of rows. */
    public record DataFrame(List<String> names, List<Value> columns, int rows, String source) {

        /** {@code v} as a data frame. */
        public static DataFrame of(Value v, String source) {
            if (!(v instanceof ListValue list) || !v.classes().contains("data.frame")) {
                throw new DatasetException(source + ": not an R data frame (" + describe(v) + ")");
            }
            List<String> names = v.attribute("names") instanceof Strings s ? s.values() : List.of();
            if (names.size() != list.values().size()) {
                throw new DatasetException(source + ": data frame has " + list.values().size() + " columns but "
                        + names.size() + " names");
            }
            int rows;
            Value rn = v.attribute("row.names");
            if (rn instanceof Ints ri && ri.values().length == 2 && ri.values()[0] == NA_INT) {
                rows = Math.abs(ri.values()[1]);   // the compact form c(NA, -n)
            } else if (rn instanceof Ints ri) {
                rows = ri.values().length;
            } else if (rn instanceof Strings rs) {
                rows = rs.values().size();
            } else {
                rows = list.values().isEmpty() ? 0 : length(list.values().get(0));
            }
            for (int c = 0; c < names.size(); c++) {
                if (length(list.values().get(c)) != rows) {
                    throw new DatasetException(source + ": column '" + names.get(c) + "' has "
                            + length(list.values().get(c)) + " values, the data frame " + rows + " rows");
                }
            }
            return new DataFrame(List.copyOf(names), list.values(), rows, source);
        }

        public Value column(String name) {
            int i = names.indexOf(name);
            if (i < 0) throw new DatasetException(source + ": no column '" + name + "' (columns: " + names + ")");
            return columns.get(i);
        }

        /** A character column, or a factor column as its level strings; {@code NA} is {@code null}. */
        public List<String> strings(String name) {
            Value v = column(name);
            if (v instanceof Strings s) return s.values();
            if (v instanceof Ints f && v.classes().contains("factor") && v.attribute("levels") instanceof Strings lv) {
                List<String> out = new ArrayList<>(f.values().length);
                for (int i = 0; i < f.values().length; i++) {
                    int code = f.values()[i];
                    if (code == NA_INT) {
                        out.add(null);
                    } else if (code < 1 || code > lv.values().size()) {
                        throw new DatasetException(source + ": factor '" + name + "' row " + (i + 1) + " has code "
                                + code + " but " + lv.values().size() + " levels");
                    } else {
                        out.add(lv.values().get(code - 1));
                    }
                }
                return out;
            }
            throw new DatasetException(source + ": column '" + name + "' is " + describe(v)
                    + ", not character or factor");
        }
    }

    private RData() {
    }

    // ------------------------------------------------------------------ lazy-load databases (.rdx + .rdb)

    /**
     * The index of a lazy-load database ({@code .rdx}): where each variable's chunk lies in the {@code .rdb}
     * file and how the chunks are compressed.
     */
    public record LazyLoadIndex(Map<String, long[]> variables, int compression, String source) {

        /** The chunk of {@code name}: {offset, length} in the {@code .rdb} file. */
        public long[] chunk(String name) {
            long[] c = variables.get(name);
            if (c == null) {
                throw new DatasetException(source + ": no data set '" + name + "' (it has: "
                        + String.join(", ", variables.keySet()) + ")");
            }
            return c;
        }

        /** Reads {@code name} out of the whole {@code .rdb} file's bytes. */
        public Value read(String name, byte[] rdb, String rdbSource) {
            long[] c = chunk(name);
            if (c[0] < 0 || c[1] < 5 || c[0] + c[1] > rdb.length) {
                throw new DatasetException(rdbSource + ": the chunk of '" + name + "' (" + c[1] + " bytes at "
                        + c[0] + ") lies outside the file (" + rdb.length + " bytes)");
            }
            return readChunk(Arrays.copyOfRange(rdb, (int) c[0], (int) (c[0] + c[1])), compression,
                    rdbSource + " (" + name + ")");
        }
    }

    /** Reads a {@code .rdx} file (a serialized list: variables, references, compressed; gzip or not). */
    public static LazyLoadIndex readIndex(InputStream rdx, String source) throws IOException {
        Value v = read(maybeGunzip(rdx, source), source);
        if (!(v instanceof ListValue list) || !(v.attribute("names") instanceof Strings names)) {
            throw new DatasetException(source + ": not a lazy-load index (" + describe(v) + ")");
        }
        Value vars = null, compressed = null;
        for (int i = 0; i < names.values().size(); i++) {
            if ("variables".equals(names.values().get(i))) vars = list.values().get(i);
            if ("compressed".equals(names.values().get(i))) compressed = list.values().get(i);
        }
        if (!(vars instanceof ListValue vl) || !(vars.attribute("names") instanceof Strings vn)) {
            throw new DatasetException(source + ": not a lazy-load index (no 'variables' list)");
        }
        int compression = 1;   // R's default when the index does not say
        if (compressed instanceof Ints ci && ci.values().length == 1) compression = ci.values()[0];
        else if (compressed instanceof Doubles cd && cd.values().length == 1) compression = (int) cd.values()[0];
        Map<String, long[]> out = new LinkedHashMap<>();
        for (int i = 0; i < vl.values().size(); i++) {
            long[] pos = longs(vl.values().get(i));
            if (pos == null || pos.length != 2) {
                throw new DatasetException(source + ": variable '" + vn.values().get(i) + "' has no {offset, length}");
            }
            out.put(vn.values().get(i), pos);
        }
        return new LazyLoadIndex(Collections.unmodifiableMap(out), compression, source);
    }

    /**
     * One chunk of a {@code .rdb} file: a 4-byte big-endian uncompressed length, then (compression 2 and 3) a
     * type byte — {@code 'Z'} raw LZMA2, {@code '1'} zlib, {@code '0'} stored, {@code '2'} bzip2 (not read) —
     * then the compressed serialization; compression 1 has no type byte and is zlib.
     */
    static Value readChunk(byte[] chunk, int compression, String source) {
        if (chunk.length < 5) throw new DatasetException(source + ": truncated chunk (" + chunk.length + " bytes)");
        if (compression < 1 || compression > 3) {
            throw new DatasetException(source + ": unknown lazy-load compression " + compression);
        }
        long outLen = ((chunk[0] & 0xffL) << 24) | ((chunk[1] & 0xff) << 16) | ((chunk[2] & 0xff) << 8)
                | (chunk[3] & 0xff);
        if (outLen > Integer.MAX_VALUE - 8) {
            throw new DatasetException(source + ": chunk too large (" + outLen + " bytes)");
        }
        char type = compression == 1 ? '1' : (char) chunk[4];
        int start = compression == 1 ? 4 : 5;
        byte[] raw;
        try {
            raw = switch (type) {
                case 'Z' -> {
                    try (InputStream in = new LZMA2InputStream(
                            new ByteArrayInputStream(chunk, start, chunk.length - start),
                            (int) Math.max(outLen, 4096))) {
                        yield in.readNBytes((int) outLen);
                    }
                }
                case '1' -> inflate(chunk, start, (int) outLen);
                case '0' -> Arrays.copyOfRange(chunk, start, chunk.length);
                case '2' -> throw new DatasetException(source + ": bzip2-compressed chunks are not supported");
                default -> throw new DatasetException(source + ": unknown chunk compression type '" + type + "'");
            };
        } catch (IOException | DataFormatException e) {
            throw new DatasetException(source + ": corrupt compressed chunk (" + e.getMessage() + ")", e);
        }
        if (raw.length != outLen) {
            throw new DatasetException(source + ": corrupt chunk (" + raw.length + " bytes uncompressed, "
                    + outLen + " expected)");
        }
        try {
            return read(new ByteArrayInputStream(raw), source);
        } catch (IOException e) {
            throw new DatasetException(source + ": " + e.getMessage(), e);
        }
    }

    private static byte[] inflate(byte[] b, int off, int outLen) throws DataFormatException {
        Inflater inf = new Inflater();
        try {
            inf.setInput(b, off, b.length - off);
            byte[] out = new byte[outLen];
            int n = 0;
            while (n < outLen && !inf.finished()) {
                int k = inf.inflate(out, n, outLen - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            return n == outLen ? out : Arrays.copyOf(out, n);
        } finally {
            inf.end();
        }
    }

    private static InputStream maybeGunzip(InputStream in, String source) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in);
        b.mark(2);
        int a = b.read(), c = b.read();
        b.reset();
        if (a == 0x1f && c == 0x8b) return new GZIPInputStream(b);
        if (a == 0xfd || a == 'B' && c == 'Z') {
            throw new DatasetException(source + ": xz- or bzip2-compressed file (only gzip is read here)");
        }
        return b;
    }

    private static long[] longs(Value v) {
        if (v instanceof Ints i) return Arrays.stream(i.values()).asLongStream().toArray();
        if (v instanceof Doubles d) return Arrays.stream(d.values()).mapToLong(x -> (long) x).toArray();
        return null;
    }

    // ------------------------------------------------------------------ the serialization format

    /** Reads one serialized value: {@code "X\n"}, format version 2 or 3, then the value. */
    public static Value read(InputStream in, String source) throws IOException {
        return new Reader(new DataInputStream(new BufferedInputStream(in, 1 << 16)), source).readTop();
    }

    // SEXP types and the special codes of the serialization format (R's src/main/serialize.c).
    private static final int SYMSXP = 1, LISTSXP = 2, CHARSXP = 9, LGLSXP = 10, INTSXP = 13, REALSXP = 14,
            STRSXP = 16, VECSXP = 19, EXPRSXP = 20, ALTREP_SXP = 238, EMPTYENV_SXP = 242, BASEENV_SXP = 241,
            GLOBALENV_SXP = 253, NILVALUE_SXP = 254, REFSXP = 255;
    private static final int HAS_ATTR = 1 << 9, HAS_TAG = 1 << 10;
    private static final int LATIN1_MASK = 1 << 2, BYTES_MASK = 1 << 1, UTF8_MASK = 1 << 3;

    private static final class Reader {
        private final DataInputStream in;
        private final String source;
        private final List<Value> refs = new ArrayList<>();
        private Charset nativeCharset = StandardCharsets.UTF_8;

        Reader(DataInputStream in, String source) {
            this.in = in;
            this.source = source;
        }

        Value readTop() throws IOException {
            byte[] magic = new byte[2];
            in.readFully(magic);
            if (magic[0] != 'X' || magic[1] != '\n') {
                String what = magic[0] == 'A' ? "the ASCII form" : magic[0] == 'B' ? "the native binary form"
                        : magic[0] == 'R' ? "a save() file (RDX...)" : "not R serialization";
                throw new DatasetException(source + ": " + what + " (only R's XDR serialization 'X' is read)");
            }
            int version = in.readInt();
            in.readInt();   // the R version that wrote it
            in.readInt();   // the oldest R version that can read it
            if (version == 3) {
                String enc = new String(in.readNBytes(in.readInt()), StandardCharsets.US_ASCII);
                try {
                    nativeCharset = Charset.forName(enc);
                } catch (RuntimeException e) {
                    throw new DatasetException(source + ": native encoding '" + enc + "' is not known to Java");
                }
            } else if (version != 2) {
                throw new DatasetException(source + ": serialization format version " + version
                        + " (2 and 3 are read)");
            }
            try {
                return item();
            } catch (EOFException e) {
                throw new DatasetException(source + ": truncated R serialization", e);
            }
        }

        private Value item() throws IOException {
            int flags = in.readInt();
            int type = flags & 0xff;
            switch (type) {
                case NILVALUE_SXP, EMPTYENV_SXP, BASEENV_SXP, GLOBALENV_SXP -> {
                    return NULL;   // environments only appear where data frames do not look (lazy-load index)
                }
                case REFSXP -> {
                    int i = flags >>> 8;
                    if (i == 0) i = in.readInt();
                    if (i < 1 || i > refs.size()) throw new DatasetException(source + ": bad reference " + i);
                    return refs.get(i - 1);
                }
                case SYMSXP -> {
                    Value name = item();
                    Symbol s = new Symbol(name instanceof Strings str ? str.values().get(0) : "");
                    refs.add(s);
                    return s;
                }
                case CHARSXP -> {   // only seen inside a symbol here; as a one-element character vector
                    List<String> one = new ArrayList<>(1);
                    one.add(charsxp(flags));
                    return new Strings(one, Map.of());
                }
                case LISTSXP -> {
                    return pairlist(flags);
                }
                case LGLSXP, INTSXP -> {
                    int n = length();
                    int[] v = new int[n];
                    for (int i = 0; i < n; i++) v[i] = in.readInt();
                    return new Ints(v, type == LGLSXP, attributes(flags));
                }
                case REALSXP -> {
                    int n = length();
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) v[i] = in.readDouble();
                    return new Doubles(v, attributes(flags));
                }
                case STRSXP -> {
                    int n = length();
                    List<String> v = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int f = in.readInt();
                        if ((f & 0xff) != CHARSXP) {
                            throw new DatasetException(source + ": character vector element of type " + (f & 0xff));
                        }
                        v.add(charsxp(f));
                    }
                    return new Strings(Collections.unmodifiableList(v), attributes(flags));
                }
                case VECSXP, EXPRSXP -> {
                    int n = length();
                    List<Value> v = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) v.add(item());
                    return new ListValue(Collections.unmodifiableList(v), attributes(flags));
                }
                case ALTREP_SXP -> {
                    return altrep();
                }
                default -> throw new DatasetException(source + ": unsupported R object of type " + type
                        + " (" + typeName(type) + "); only data frames of character, factor, integer, logical "
                        + "and double columns are read");
            }
        }

        /** A pairlist (attributes, mostly) as a list with the tags as names, following CDRs in a loop. */
        private ListValue pairlist(int flags) throws IOException {
            List<String> tags = new ArrayList<>();
            List<Value> values = new ArrayList<>();
            while (true) {
                if ((flags & HAS_ATTR) != 0) item();   // attributes of a pairlist cell: not used
                String tag = "";
                if ((flags & HAS_TAG) != 0) {
                    Value t = item();
                    if (t instanceof Symbol s) tag = s.name();
                }
                tags.add(tag);
                values.add(item());
                flags = in.readInt();
                int type = flags & 0xff;
                if (type == NILVALUE_SXP) {
                    Strings names = new Strings(List.copyOf(tags), Map.of());
                    return new ListValue(List.copyOf(values), Map.of("names", names));
                }
                if (type != LISTSXP) {
                    throw new DatasetException(source + ": pairlist ends in type " + type + ", not NULL");
                }
            }
        }

        private Map<String, Value> attributes(int flags) throws IOException {
            if ((flags & HAS_ATTR) == 0) return Map.of();
            int f = in.readInt();
            if ((f & 0xff) != LISTSXP) throw new DatasetException(source + ": attributes of type " + (f & 0xff));
            return namedMap(pairlist(f));
        }

        private String charsxp(int flags) throws IOException {
            int n = in.readInt();
            if (n == -1) return null;   // NA_character_
            if (n < 0) throw new DatasetException(source + ": string of length " + n);
            byte[] b = in.readNBytes(n);
            if (b.length != n) throw new EOFException();
            int levels = flags >>> 12;
            if ((levels & BYTES_MASK) != 0) {
                throw new DatasetException(source + ": a string marked as raw bytes (no encoding)");
            }
            Charset cs = (levels & UTF8_MASK) != 0 ? StandardCharsets.UTF_8
                    : (levels & LATIN1_MASK) != 0 ? StandardCharsets.ISO_8859_1 : nativeCharset;
            return new String(b, cs);
        }

        private int length() throws IOException {
            int n = in.readInt();
            if (n == -1) {   // a long vector: two more words
                long len = ((long) in.readInt() << 32) | (in.readInt() & 0xffffffffL);
                throw new DatasetException(source + ": a long vector (" + len + " elements) is not supported");
            }
            if (n < 0) throw new DatasetException(source + ": vector of length " + n);
            return n;
        }

        /** ALTREP: compact integer/double sequences and wrappers; other classes are refused. */
        private Value altrep() throws IOException {
            Value info = item();
            Value state = item();
            Value attr = item();
            String cls = info instanceof ListValue l && !l.values().isEmpty() && l.values().get(0) instanceof Symbol s
                    ? s.name() : "?";
            Map<String, Value> attrs = attr instanceof ListValue al ? namedMap(al) : Map.of();
            switch (cls) {
                case "compact_intseq", "compact_realseq" -> {
                    if (!(state instanceof Doubles d) || d.values().length != 3) break;
                    int n = (int) d.values()[0];
                    double start = d.values()[1], step = d.values()[2];
                    if (cls.equals("compact_intseq")) {
                        int[] v = new int[n];
                        for (int i = 0; i < n; i++) v[i] = (int) (start + i * step);
                        return new Ints(v, false, attrs);
                    }
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) v[i] = start + i * step;
                    return new Doubles(v, attrs);
                }
                default -> {
                    if (cls.startsWith("wrap_") && state instanceof ListValue w && !w.values().isEmpty()) {
                        return withAttributes(w.values().get(0), attrs);
                    }
                }
            }
            throw new DatasetException(source + ": unsupported ALTREP object '" + cls + "'");
        }
    }

    private static Map<String, Value> namedMap(ListValue l) {
        Map<String, Value> m = new LinkedHashMap<>();
        List<String> names = l.attribute("names") instanceof Strings s ? s.values() : List.of();
        for (int i = 0; i < l.values().size() && i < names.size(); i++) m.put(names.get(i), l.values().get(i));
        return Collections.unmodifiableMap(m);
    }

    private static Value withAttributes(Value v, Map<String, Value> attrs) {
        if (attrs.isEmpty()) return v;
        if (v instanceof Strings s) return new Strings(s.values(), attrs);
        if (v instanceof Ints i) return new Ints(i.values(), i.logical(), attrs);
        if (v instanceof Doubles d) return new Doubles(d.values(), attrs);
        if (v instanceof ListValue l) return new ListValue(l.values(), attrs);
        return v;
    }

    private static int length(Value v) {
        if (v instanceof Strings s) return s.values().size();
        if (v instanceof Ints i) return i.values().length;
        if (v instanceof Doubles d) return d.values().length;
        if (v instanceof ListValue l) return l.values().size();
        return 0;
    }

    static String describe(Value v) {
        String cls = v.classes().isEmpty() ? "" : " of class " + String.join("/", v.classes());
        if (v instanceof Strings) return "a character vector" + cls;
        if (v instanceof Ints i) return (i.logical() ? "a logical vector" : "an integer vector") + cls;
        if (v instanceof Doubles) return "a double vector" + cls;
        if (v instanceof ListValue) return "a list" + cls;
        return v instanceof Symbol ? "a symbol" : "NULL";
    }

    private static String typeName(int type) {
        return switch (type) {
            case 3 -> "function";
            case 4 -> "environment";
            case 6 -> "language";
            case 15 -> "complex";
            case 24 -> "raw";
            case 25 -> "S4";
            case 21 -> "byte code";
            case 22 -> "external pointer";
            default -> "type " + type;
        };
    }
}
