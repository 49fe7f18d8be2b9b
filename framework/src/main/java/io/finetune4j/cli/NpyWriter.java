package io.finetune4j.cli;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.StringJoiner;

/**
 * Writes a float32 array as a NumPy {@code .npy} file (format version 1.0), streamed in row-major chunks so a
 * large batch never needs one big buffer: the magic {@code \x93NUMPY}, version bytes 1 0, a little-endian uint16
 * header length, the header dict {@code {'descr': '<f4', 'fortran_order': False, 'shape': (..), }} padded with
 * spaces and a newline to a multiple of 64 bytes, then the little-endian data.
 */
final class NpyWriter implements Closeable {
    private final Path file;
    private final OutputStream out;
    private final long expected;
    private long written;

    NpyWriter(Path file, long... shape) throws IOException {
        this.file = file;
        this.expected = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        out.write(header("<f4", shape));
    }

    /** Appends the next values in C (row-major) order. */
    void write(float[] values) throws IOException {
        if (written + values.length > expected) {
            throw new IllegalStateException(file + ": more values than the shape holds (" + expected + ")");
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.min(values.length, 1 << 14) * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; ) {
            buf.clear();
            int n = Math.min(values.length - i, buf.capacity() / 4);
            buf.asFloatBuffer().put(values, i, n);
            out.write(buf.array(), 0, n * 4);
            i += n;
        }
        written += values.length;
    }

    @Override
    public void close() throws IOException {
        out.close();
        if (written != expected) {
            throw new IllegalStateException(file + ": wrote " + written + " values but the shape holds " + expected);
        }
    }

    /** The magic, version and header dict, padded so the data starts at a multiple of 64 bytes. */
    static byte[] header(String descr, long[] shape) {
        StringJoiner dims = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
        for (long d : shape) dims.add(Long.toString(d));
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
        int prefix = 6 + 2 + 2;                      // magic, version, header length
        int unpadded = prefix + dict.length() + 1;   // + the terminating newline
        int total = (unpadded + 63) / 64 * 64;
        String padded = dict + " ".repeat(total - unpadded) + "\n";
        int headerLen = padded.length();
        if (headerLen > 0xFFFF) throw new IllegalArgumentException("shape too long for a .npy 1.0 header");
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) headerLen);
        b.put(padded.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }
}
