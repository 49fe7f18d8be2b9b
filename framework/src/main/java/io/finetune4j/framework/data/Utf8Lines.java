package io.finetune4j.framework.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads a file line by line as raw bytes and decodes each line as strict UTF-8, so that a bad byte is reported
 * with its line number instead of being replaced. Gzip is detected from the magic bytes. Lines end at '\n'; a
 * trailing '\r' is dropped; a UTF-8 byte-order mark at the start of the file is dropped.
 */
final class Utf8Lines implements Closeable {
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] buf = new byte[8192];
    private int lineNumber;
    private String text;
    private String problem;
    private boolean eof;

    Utf8Lines(Path file) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        in = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
    }

    /** Moves to the next line; false at the end of the file. */
    boolean next() throws IOException {
        if (eof) {
            return false;
        }
        int len = 0;
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[len++] = (byte) b;
        }
        if (b == -1) {
            eof = true;
            if (len == 0) {
                return false;
            }
        }
        if (len > 0 && buf[len - 1] == '\r') {
            len--;
        }
        lineNumber++;
        int start = 0;
        if (lineNumber == 1 && len >= 3 && buf[0] == (byte) 0xEF && buf[1] == (byte) 0xBB && buf[2] == (byte) 0xBF) {
            start = 3;
        }
        ByteBuffer bytes = ByteBuffer.wrap(buf, start, len - start);
        try {
            CharBuffer chars = decoder.reset().decode(bytes);
            text = chars.toString();
            problem = null;
        } catch (CharacterCodingException e) {
            text = null;
            problem = "invalid UTF-8 (byte 0x" + String.format("%02X", bytes.get(bytes.position()) & 0xff)
                    + " at byte " + (bytes.position() - start + 1) + " of the line)";
        }
        return true;
    }

    /** 1-based number of the current line. */
    int lineNumber() {
        return lineNumber;
    }

    /** The decoded line, or {@code null} if it was not valid UTF-8 (see {@link #problem()}). */
    String text() {
        return text;
    }

    /** Why the current line could not be decoded, or {@code null}. */
    String problem() {
        return problem;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
