package io.finetune4j.models.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal protobuf wire-format reader over a (memory-mapped) buffer, enough for ONNX's ModelProto and TF's
 * BundleEntryProto. Hand-written rather than generated: it never copies a tensor's bytes, so a 130 MB ONNX file
 * is walked in place and each weight is copied exactly once, into its INDArray.
 *
 * <p>Usage: {@code for (Protobuf f = Protobuf.of(buf); f.next(); ) switch (f.field()) { ... }}.
 * Length-delimited fields are exposed as a {@link ByteBuffer} slice ({@link #bytes()}) — a view, not a copy.
 */
final class Protobuf {
    static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

    private final ByteBuffer buf;   // little-endian view; position = next unread byte
    private int field, wireType;
    private long varint;            // value of a VARINT/FIXED field
    private ByteBuffer bytes;       // value of a LEN field

    private Protobuf(ByteBuffer b) {
        this.buf = b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    static Protobuf of(ByteBuffer b) {
        return new Protobuf(b);
    }

    /** Advances to the next field; false at the end of the message. Throws IllegalStateException if malformed. */
    boolean next() {
        if (!buf.hasRemaining()) return false;
        long key = readVarint(buf);
        field = (int) (key >>> 3);
        wireType = (int) (key & 7);
        switch (wireType) {
            case VARINT -> varint = readVarint(buf);
            case FIXED64 -> varint = buf.getLong();
            case FIXED32 -> varint = buf.getInt() & 0xffffffffL;
            case LEN -> {
                long n = readVarint(buf);
                if (n < 0 || n > buf.remaining()) {
                    throw new IllegalStateException("field " + field + " length " + n + " runs past the end");
                }
                bytes = buf.slice(buf.position(), (int) n).order(ByteOrder.LITTLE_ENDIAN);
                buf.position(buf.position() + (int) n);
            }
            default -> throw new IllegalStateException("unsupported wire type " + wireType + " (field " + field + ")");
        }
        return true;
    }

    int field() {
        return field;
    }

    int wireType() {
        return wireType;
    }

    long varint() {
        return varint;
    }

    ByteBuffer bytes() {
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    String string() {
        ByteBuffer b = bytes();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    /** A repeated integer field may be packed (one LEN field) or not (one VARINT per element): add either form. */
    void addInts(List<Long> out) {
        if (wireType == LEN) {
            ByteBuffer b = bytes();
            while (b.hasRemaining()) out.add(readVarint(b));
        } else {
            out.add(varint);
        }
    }

    static List<Long> packedVarints(ByteBuffer b) {
        List<Long> out = new ArrayList<>();
        ByteBuffer d = b.duplicate();
        while (d.hasRemaining()) out.add(readVarint(d));
        return out;
    }

    static long readVarint(ByteBuffer b) {
        long r = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!b.hasRemaining()) throw new IllegalStateException("varint runs past the end");
            int c = b.get() & 0xff;
            r |= (long) (c & 0x7f) << shift;
            if (c < 0x80) return r;
        }
        throw new IllegalStateException("varint longer than 10 bytes");
    }
}
