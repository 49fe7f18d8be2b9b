package io.finetune4j.framework.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/** The entries of a {@code .tgz} (an npm package), read in Java: tar's 512-byte headers over a gzip stream. */
public final class Tgz {
    private Tgz() {
    }

    /** The regular files of a {@code .tgz} (ustar / GNU tar) whose names pass {@code want}, name → bytes. */
    public static Map<String, byte[]> tgzEntries(Path tgz, Predicate<String> want) throws IOException {
        try {
            return readTgz(tgz, want);
        } catch (IOException ex) {
            throw new DatasetException(tgz + ": not a readable .tgz (" + ex.getMessage() + ")", ex);
        }
    }

    static Map<String, byte[]> readTgz(Path tgz, Predicate<String> want) throws IOException {
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
}
