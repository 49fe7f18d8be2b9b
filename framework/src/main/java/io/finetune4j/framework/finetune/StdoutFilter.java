package io.finetune4j.framework.finetune;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * While installed, {@code System.out} drops the "Added differentiated op ..." lines SameDiff prints when it builds
 * the gradient graph; every other line passes through to the real stdout. Closing restores {@code System.out}.
 */
public final class StdoutFilter extends OutputStream implements AutoCloseable {
    private static final String NOISE = "Added differentiated op";
    private final PrintStream real;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private StdoutFilter(PrintStream real) {
        this.real = real;
    }

    public static StdoutFilter install() {
        StdoutFilter f = new StdoutFilter(System.out);
        System.setOut(new PrintStream(f, true, StandardCharsets.UTF_8));
        return f;
    }

    @Override
    public synchronized void write(int b) {
        line.write(b);
        if (b == '\n') flushLine();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) write(b[i]);
    }

    private void flushLine() {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (!s.startsWith(NOISE)) {
            real.print(s);
            real.flush();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (line.size() > 0) flushLine();
        System.setOut(real);
    }
}
