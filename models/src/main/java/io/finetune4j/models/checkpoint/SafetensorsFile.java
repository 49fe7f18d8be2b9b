package io.finetune4j.models.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.models.ModelException;
import io.finetune4j.models.checkpoint.Tensors.Dtype;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes Hugging Face {@code .safetensors} files: an 8-byte little-endian header length N, N bytes of
 * JSON {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}}}, then the raw
 * little-endian tensor bytes, offsets relative to the start of that data section.
 *
 * <p>Every problem is a {@link ModelException} whose message starts with the file path: a corrupt download
 * should say which file and what is wrong, not throw an IndexOutOfBounds from deep inside a copy.
 */
public final class SafetensorsFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The reference implementation refuses headers over 100 MB; a bigger "length" means a corrupt file. */
    static final long MAX_HEADER = 100L * 1024 * 1024;
    private static final String METADATA = "__metadata__";

    private SafetensorsFile() {
    }

    /**
     * Reads every tensor, in file order, under the name the file gives it: F64 as float64, F32 / F16 / BF16 as
     * float32, integers as int64 / int32. What a name means (a model's prefix, a buffer) is the reader of the
     * checkpoint's business ({@link HfCheckpoint}).
     */
    public static LinkedHashMap<String, INDArray> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long n = lenBuf.getLong(0);
            if (n < 2) throw bad(file, "header length " + n + " is too small (corrupt file?)");
            if (n > MAX_HEADER) throw bad(file, "header length " + n + " exceeds the 100 MB limit (corrupt file?)");
            if (n > size - 8) {
                throw bad(file, "truncated: header length " + n + " but only " + (size - 8) + " bytes follow");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
            readFully(ch, headerBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw bad(file, "header is not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (header == null || !header.isObject()) throw bad(file, "header is not a JSON object");

            long dataStart = 8 + n, dataLen = size - dataStart;
            LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (name.equals(METADATA)) continue;
                Entry t = parseEntry(file, name, e.getValue(), dataLen);
                // Map only this tensor's bytes: works for files over 2 GB and leaves paging to the OS.
                ByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin, t.end - t.begin);
                out.put(name, Tensors.toArray(bytes, t.dtype, t.shape));
            }
            return out;
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Reads only the {@code __metadata__} string map (empty if absent). */
    public static Map<String, String> metadata(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long n = lenBuf.getLong(0);
            if (n < 2 || n > MAX_HEADER || n > ch.size() - 8) throw bad(file, "bad header length " + n);
            ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
            readFully(ch, headerBuf, 8);
            JsonNode meta = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8)).path(METADATA);
            Map<String, String> out = new LinkedHashMap<>();
            meta.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private record Entry(Dtype dtype, long[] shape, long begin, long end) {
    }

    private static Entry parseEntry(Path file, String name, JsonNode v, long dataLen) {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) throw bad(file, where + " is not a JSON object");
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(v.path("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw bad(file, where + " has unsupported dtype '" + v.path("dtype").asText()
                    + "' (supported: F32, F16, BF16, F64, I64, I32)");
        }
        JsonNode s = v.get("shape"), o = v.get("data_offsets");
        if (s == null || !s.isArray()) throw bad(file, where + " has no shape array");
        if (o == null || !o.isArray() || o.size() != 2 || !o.get(0).canConvertToLong() || !o.get(1).canConvertToLong()) {
            throw bad(file, where + " needs data_offsets [begin, end]");
        }
        long[] shape = new long[s.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!s.get(i).canConvertToLong() || s.get(i).asLong() < 0) throw bad(file, where + " has a bad shape " + s);
            shape[i] = s.get(i).asLong();
        }
        long begin = o.get(0).asLong(), end = o.get(1).asLong();
        if (begin < 0 || end < begin) throw bad(file, where + " has bad data_offsets [" + begin + ", " + end + "]");
        long numel = Tensors.numel(shape);
        if (numel < 0 || numel > Long.MAX_VALUE / dtype.size || numel * dtype.size != end - begin) {
            throw bad(file, where + " shape " + s + " × " + dtype + " (" + dtype.size + " bytes) does not match its "
                    + (end - begin) + " bytes of data_offsets [" + begin + ", " + end + "]");
        }
        if (end > dataLen) {
            throw bad(file, "truncated: " + where + " needs bytes " + begin + ".." + end + " but data section has "
                    + dataLen);
        }
        return new Entry(dtype, shape, begin, end);
    }

    /**
     * Writes tensors sorted by name with contiguous offsets and the JSON header padded with spaces to a multiple
     * of 8, the layout the Python/Rust {@code safetensors} library produces and checks. float32 is written as F32
     * (bit for bit); double, int64 and int32 keep their type; half precision is widened to F32.
     * The file is written next to the target and moved into place, so a crash never leaves half a checkpoint.
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) {
        TreeMap<String, INDArray> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA);
            new TreeMap<>(metadata).forEach(m::put);
        }
        Map<String, Dtype> dtypes = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
            INDArray a = e.getValue();
            Dtype d = switch (a.dataType()) {
                case FLOAT, HALF, BFLOAT16 -> Dtype.F32;
                case DOUBLE -> Dtype.F64;
                case LONG -> Dtype.I64;
                case INT -> Dtype.I32;
                default -> throw new ModelException(file + ": cannot write tensor '" + e.getKey() + "' of type "
                        + a.dataType());
            };
            dtypes.put(e.getKey(), d);
            long bytes = a.length() * d.size;
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", d.name());
            ArrayNode shape = t.putArray("shape");
            for (long dim : a.shape()) shape.add(dim);
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot encode header (" + e.getMessage() + ")", e);
        }
        int padded = (json.length + 7) / 8 * 8;   // data then starts 8-byte aligned, as safetensors does
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();

        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
                    writeFully(ch, littleEndianBytes(e.getValue(), dtypes.get(e.getKey())));
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** One tensor's data, c-order, little-endian. Views and f-order arrays are laid out by dup('c') first. */
    private static ByteBuffer littleEndianBytes(INDArray a, Dtype d) {
        long n = a.length();
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * d.size)).order(ByteOrder.LITTLE_ENDIAN);
        if (n == 0) return b;
        INDArray c = a.dup('c');
        switch (d) {
            case F32 -> b.asFloatBuffer().put(c.castTo(DataType.FLOAT).data().asFloat(), 0, (int) n);
            case F64 -> b.asDoubleBuffer().put(c.data().asDouble(), 0, (int) n);
            case I64 -> b.asLongBuffer().put(c.data().asLong(), 0, (int) n);
            case I32 -> b.asIntBuffer().put(c.data().asInt(), 0, (int) n);
            default -> throw new IllegalStateException(d.name());
        }
        return b;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) throw new IOException("unexpected end of file");
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static ModelException bad(Path file, String what) {
        return new ModelException(file + ": " + what);
    }
}
