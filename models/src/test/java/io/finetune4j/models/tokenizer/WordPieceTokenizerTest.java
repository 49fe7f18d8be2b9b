package io.finetune4j.models.tokenizer;

import io.finetune4j.models.ModelException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour on a tiny vocabulary; parity with Hugging Face on real vocabularies is in the tests module. */
class WordPieceTokenizerTest {
    private static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "un", "##aff", "##able", "hello", "world", "!", ",", "cafe", "中", "a", "##a", "b", "Hello");

    @TempDir
    static Path dir;
    static WordPieceTokenizer uncased;
    static WordPieceTokenizer cased;

    @BeforeAll
    static void setUp() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        Files.write(vocab, VOCAB);
        uncased = WordPieceTokenizer.fromVocabTxt(vocab, true);
        cased = WordPieceTokenizer.fromVocabTxt(vocab, false);
    }

    @Test
    void basicTokenizing() {
        assertEquals(List.of("un", "##aff", "##able"), uncased.tokenize("UnAffable"));
        assertEquals(List.of("hello", ",", "world", "!"), uncased.tokenize("  Hello,\u00a0WORLD!\t"));
        assertEquals(List.of("Hello", "[UNK]"), cased.tokenize("Hello World"));
        assertEquals(List.of("cafe"), uncased.tokenize("Caf\u00e9"));
        assertEquals(List.of("[UNK]"), cased.tokenize("Caf\u00e9"));
        assertEquals(List.of("a", "中", "b"), uncased.tokenize("a中b"));
        assertEquals(List.of("a", "##a"), uncased.tokenize("a\u200ba"));
        assertEquals(List.of("[UNK]"), uncased.tokenize("a".repeat(101)));
        assertEquals(List.of("a", "##a", "##a"), uncased.tokenize("aaa"));
        assertEquals(List.of("[UNK]"), uncased.tokenize("a😀"));
        assertEquals(List.of("[MASK]", "hello"), uncased.tokenize("[MASK]hello"));
        assertEquals(List.of(), uncased.tokenize(" \u0000\ufffd "));
    }

    @Test
    void encodingAndTruncation() {
        Encoding e = uncased.encode("hello world", "un");
        assertArrayEquals(new int[]{2, 8, 9, 3, 5, 3}, e.inputIds());
        assertArrayEquals(new int[]{0, 0, 0, 0, 1, 1}, e.tokenTypeIds());
        assertArrayEquals(new int[]{2, 8, 3}, uncased.encode("hello world", 3).inputIds());
        // longest_first: 6 + 2 pieces into 8 - 3 = 5 -> 3 + 2
        Encoding p = uncased.encode("a a a a a a", "b b", 8);
        assertArrayEquals(new int[]{2, 14, 14, 14, 3, 16, 16, 3}, p.inputIds());
        BatchEncoding b = uncased.encodeBatch(List.of("hello", "hello world !"), 16, true);
        assertEquals(5, b.sequenceLength());
        assertArrayEquals(new int[]{2, 8, 3, 0, 0}, b.inputIds()[0]);
        assertArrayEquals(new int[]{1, 1, 1, 0, 0}, b.attentionMask()[0]);
        assertEquals(3, b.length(0));
        assertEquals(16, uncased.encodeBatch(List.of("hello"), 16, false).sequenceLength());
    }

    @Test
    void saveLoadAndErrors() {
        Path out = dir.resolve("saved");
        cased.save(out);
        WordPieceTokenizer back = WordPieceTokenizer.load(out);
        assertFalse(back.lowerCase());
        assertEquals(cased.vocabSize(), back.vocabSize());
        assertEquals(List.of("Hello", "[UNK]"), back.tokenize("Hello World"));
        assertEquals(4, back.maskId());
        assertEquals(1, back.tokenId("nope"));
        ModelException missing = assertThrows(ModelException.class, () -> WordPieceTokenizer.load(dir.resolve("x")));
        assertTrue(missing.getMessage().contains("x"));
        ModelException bad = assertThrows(ModelException.class,
                () -> WordPieceTokenizer.fromTokenizerJson(dir.resolve("vocab.txt")));
        assertTrue(bad.getMessage().contains("vocab.txt"));
    }
}
