package io.finetune4j.models.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.models.ModelException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * BERT's WordPiece tokenizer in pure Java, giving the same ids as Hugging Face's Rust {@code tokenizers}
 * ({@code BertNormalizer} + {@code BertPreTokenizer} + {@code WordPiece} + BERT's {@code [CLS] A [SEP] B [SEP]}
 * template, {@code longest_first} truncation, right padding).
 *
 * <p>Build it from a {@code vocab.txt} ({@link #fromVocabTxt}), from a Hugging Face {@code tokenizer.json}
 * ({@link #fromTokenizerJson}) or from a model folder ({@link #load}); write it back with {@link #save}.
 * Instances are immutable and thread-safe.
 */
public final class WordPieceTokenizer {
    public static final String VOCAB_TXT = "vocab.txt";
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP_JSON = "special_tokens_map.json";
    public static final int DEFAULT_MODEL_MAX_LENGTH = 512;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String[] DEFAULT_SPECIALS = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final boolean lowerCase;
    private final boolean stripAccents;
    private final boolean cleanText;
    private final boolean handleChineseChars;
    private final String continuingSubwordPrefix;
    private final int maxInputCharsPerWord;
    private final int modelMaxLength;
    private final String unkToken;
    private final int unkId;
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final int maskId;
    /** Longest vocabulary entry, in UTF-16 units: no longer candidate piece can match. */
    private final int maxTokenChars;
    /** Added tokens matched on the raw text before normalization, longest first. */
    private final AddedToken[] addedRaw;
    /** Added tokens matched on the normalized text. */
    private final AddedToken[] addedNormalized;

    private record AddedToken(String content, int id) {
    }

    private static final class Options {
        boolean lowerCase = true;
        Boolean stripAccents;
        boolean cleanText = true;
        boolean handleChineseChars = true;
        String unk = "[UNK]";
        String cls = "[CLS]";
        String sep = "[SEP]";
        String pad = "[PAD]";
        String mask = "[MASK]";
        String prefix = "##";
        int maxInputCharsPerWord = 100;
        int modelMaxLength = DEFAULT_MODEL_MAX_LENGTH;
        List<AddedToken> raw = new ArrayList<>();
        List<AddedToken> normalized = new ArrayList<>();
    }

    private WordPieceTokenizer(Map<String, Integer> vocab, String[] idToToken, Options o, Path source) {
        this.vocab = vocab;
        this.idToToken = idToToken;
        this.lowerCase = o.lowerCase;
        this.stripAccents = o.stripAccents == null ? o.lowerCase : o.stripAccents;
        this.cleanText = o.cleanText;
        this.handleChineseChars = o.handleChineseChars;
        this.continuingSubwordPrefix = o.prefix;
        this.maxInputCharsPerWord = o.maxInputCharsPerWord;
        this.modelMaxLength = o.modelMaxLength;
        this.unkToken = o.unk;
        this.unkId = required(vocab, o.unk, source);
        this.clsId = required(vocab, o.cls, source);
        this.sepId = required(vocab, o.sep, source);
        this.padId = required(vocab, o.pad, source);
        this.maskId = vocab.getOrDefault(o.mask, -1);
        int longest = 0;
        for (String t : vocab.keySet()) {
            longest = Math.max(longest, t.length());
        }
        this.maxTokenChars = longest;
        Comparator<AddedToken> longestFirst = Comparator.comparingInt((AddedToken t) -> -t.content().length());
        this.addedRaw = o.raw.stream().filter(t -> !t.content().isEmpty()).sorted(longestFirst)
                .toArray(AddedToken[]::new);
        this.addedNormalized = o.normalized.stream().filter(t -> !t.content().isEmpty()).sorted(longestFirst)
                .toArray(AddedToken[]::new);
    }

    private static int required(Map<String, Integer> vocab, String token, Path source) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new ModelException(source + ": special token " + token + " is not in the vocabulary");
        }
        return id;
    }

    // ------------------------------------------------------------------------------------------------ loading

    /**
     * Reads a BERT {@code vocab.txt} (one token per line, id = line number), with Hugging Face's
     * {@code BertTokenizerFast} defaults: clean text, CJK padding, accents stripped iff lower-casing,
     * {@code [UNK] [CLS] [SEP] [PAD] [MASK]} as special tokens matched verbatim in the input.
     */
    public static WordPieceTokenizer fromVocabTxt(Path vocabTxt, boolean lowerCase) {
        Options o = new Options();
        o.lowerCase = lowerCase;
        return fromVocabTxt(vocabTxt, o);
    }

    private static WordPieceTokenizer fromVocabTxt(Path vocabTxt, Options o) {
        List<String> lines;
        try {
            lines = Files.readAllLines(vocabTxt, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelException(vocabTxt + ": cannot read vocabulary (" + e.getMessage() + ")");
        }
        if (lines.isEmpty()) {
            throw new ModelException(vocabTxt + ": empty vocabulary");
        }
        String[] tokens = new String[lines.size()];
        Map<String, Integer> vocab = new HashMap<>(lines.size() * 2);
        for (int i = 0; i < tokens.length; i++) {
            String t = stripTrailingWhitespace(lines.get(i));
            tokens[i] = t;
            vocab.put(t, i);
        }
        for (String s : new String[]{o.pad, o.unk, o.cls, o.sep, o.mask}) {
            Integer id = vocab.get(s);
            if (id != null) {
                o.raw.add(new AddedToken(s, id));
            }
        }
        return new WordPieceTokenizer(vocab, tokens, o, vocabTxt);
    }

    private static String stripTrailingWhitespace(String s) {
        int end = s.length();
        while (end > 0) {
            int c = s.codePointBefore(end);
            if (!BertText.isRustWhitespace(c)) {
                break;
            }
            end -= Character.charCount(c);
        }
        return s.substring(0, end);
    }

    /**
     * Reads a Hugging Face {@code tokenizer.json} with a {@code WordPiece} model and a {@code BertNormalizer}
     * (or none). {@code model_max_length} comes from a {@code tokenizer_config.json} beside it, else 512.
     */
    public static WordPieceTokenizer fromTokenizerJson(Path tokenizerJson) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(tokenizerJson));
        } catch (IOException e) {
            throw new ModelException(tokenizerJson + ": cannot read tokenizer (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new ModelException(tokenizerJson + ": not a JSON object");
        }
        JsonNode model = root.path("model");
        String type = model.path("type").asText("");
        if (!type.equals("WordPiece")) {
            throw new ModelException(tokenizerJson + ": model type '" + type + "' is not supported (only WordPiece)");
        }
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject() || vocabNode.isEmpty()) {
            throw new ModelException(tokenizerJson + ": model.vocab is missing or empty");
        }
        Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
        int maxId = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new ModelException(tokenizerJson + ": model.vocab['" + e.getKey() + "'] is not an id");
            }
            int id = e.getValue().asInt();
            vocab.put(e.getKey(), id);
            maxId = Math.max(maxId, id);
        }
        Options o = new Options();
        o.unk = model.path("unk_token").asText("[UNK]");
        o.prefix = model.path("continuing_subword_prefix").asText("##");
        o.maxInputCharsPerWord = model.path("max_input_chars_per_word").asInt(100);

        JsonNode norm = root.path("normalizer");
        if (norm.isObject()) {
            String nt = norm.path("type").asText("");
            if (!nt.equals("BertNormalizer")) {
                throw new ModelException(tokenizerJson + ": normalizer '" + nt
                        + "' is not supported (only BertNormalizer)");
            }
            o.cleanText = norm.path("clean_text").asBoolean(true);
            o.handleChineseChars = norm.path("handle_chinese_chars").asBoolean(true);
            o.lowerCase = norm.path("lowercase").asBoolean(true);
            JsonNode sa = norm.path("strip_accents");
            o.stripAccents = sa.isBoolean() ? sa.asBoolean() : null;
        } else {
            o.cleanText = false;
            o.handleChineseChars = false;
            o.lowerCase = false;
            o.stripAccents = false;
        }
        JsonNode pre = root.path("pre_tokenizer");
        if (pre.isObject() && !pre.path("type").asText("").equals("BertPreTokenizer")) {
            throw new ModelException(tokenizerJson + ": pre_tokenizer '" + pre.path("type").asText("")
                    + "' is not supported (only BertPreTokenizer)");
        }
        String padToken = root.path("padding").path("pad_token").asText(null);
        if (padToken != null) {
            o.pad = padToken;
        }
        JsonNode special = root.path("post_processor").path("special_tokens");
        if (special.has("[CLS]") || special.has("[SEP]")) {
            // BERT's template: the names are the defaults
        } else if (root.path("post_processor").path("type").asText("").equals("BertProcessing")) {
            o.cls = root.path("post_processor").path("cls").path(0).asText(o.cls);
            o.sep = root.path("post_processor").path("sep").path(0).asText(o.sep);
        }
        for (JsonNode t : root.path("added_tokens")) {
            String content = t.path("content").asText("");
            int id = t.path("id").asInt(-1);
            if (id < 0 || content.isEmpty()) {
                continue;
            }
            vocab.putIfAbsent(content, id);
            maxId = Math.max(maxId, id);
            (t.path("normalized").asBoolean(false) ? o.normalized : o.raw).add(new AddedToken(content, id));
        }
        String[] tokens = new String[maxId + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            tokens[e.getValue()] = e.getKey();
        }
        Path config = tokenizerJson.resolveSibling(TOKENIZER_CONFIG_JSON);
        if (Files.isRegularFile(config)) {
            o.modelMaxLength = readConfig(config).modelMaxLength;
        }
        return new WordPieceTokenizer(vocab, tokens, o, tokenizerJson);
    }

    /**
     * Loads the tokenizer of a model folder: {@code tokenizer.json} if present, else {@code vocab.txt} with the
     * options of {@code tokenizer_config.json} ({@code do_lower_case} defaults to true, as in Hugging Face).
     */
    public static WordPieceTokenizer load(Path dir) {
        Path tj = dir.resolve(TOKENIZER_JSON);
        if (Files.isRegularFile(tj)) {
            return fromTokenizerJson(tj);
        }
        Path vocab = dir.resolve(VOCAB_TXT);
        if (!Files.isRegularFile(vocab)) {
            throw new ModelException(dir + ": no " + TOKENIZER_JSON + " or " + VOCAB_TXT + " found");
        }
        Path config = dir.resolve(TOKENIZER_CONFIG_JSON);
        Options o = Files.isRegularFile(config) ? readConfig(config) : new Options();
        return fromVocabTxt(vocab, o);
    }

    private static Options readConfig(Path config) {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readAllBytes(config));
        } catch (IOException e) {
            throw new ModelException(config + ": cannot read tokenizer config (" + e.getMessage() + ")");
        }
        if (n == null || !n.isObject()) {
            throw new ModelException(config + ": not a JSON object");
        }
        Options o = new Options();
        o.lowerCase = n.path("do_lower_case").asBoolean(true);
        JsonNode sa = n.path("strip_accents");
        o.stripAccents = sa.isBoolean() ? sa.asBoolean() : null;
        o.handleChineseChars = n.path("tokenize_chinese_chars").asBoolean(true);
        JsonNode len = n.path("model_max_length");
        // HF writes a huge sentinel (1e30) when unknown
        if (len.isNumber() && len.asDouble() >= 1 && len.asDouble() <= 1_000_000) {
            o.modelMaxLength = len.asInt();
        }
        o.unk = specialName(n.path("unk_token"), o.unk);
        o.cls = specialName(n.path("cls_token"), o.cls);
        o.sep = specialName(n.path("sep_token"), o.sep);
        o.pad = specialName(n.path("pad_token"), o.pad);
        o.mask = specialName(n.path("mask_token"), o.mask);
        return o;
    }

    private static String specialName(JsonNode n, String dflt) {
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.path("content").isTextual()) {
            return n.path("content").asText();
        }
        return dflt;
    }

    /**
     * Writes {@code vocab.txt} (id order), {@code tokenizer_config.json} ({@code do_lower_case},
     * {@code strip_accents}, {@code tokenize_chinese_chars}, {@code model_max_length}, special tokens) and
     * {@code special_tokens_map.json} into
     * {@code dir}, readable by {@link #load} and by Hugging Face's {@code BertTokenizer(Fast)}. An existing
     * {@code tokenizer.json} in {@code dir} is left alone and would take precedence in {@link #load}.
     */
    public void save(Path dir) {
        for (int i = 0; i < idToToken.length; i++) {
            if (idToToken[i] == null) {
                throw new ModelException(dir + ": cannot write " + VOCAB_TXT + ", the vocabulary has no token for id "
                        + i);
            }
        }
        Path vocabTxt = dir.resolve(VOCAB_TXT);
        Path config = dir.resolve(TOKENIZER_CONFIG_JSON);
        try {
            Files.createDirectories(dir);
            try (BufferedWriter w = Files.newBufferedWriter(vocabTxt, StandardCharsets.UTF_8)) {
                for (String t : idToToken) {
                    w.write(t);
                    w.write('\n');
                }
            }
            ObjectNode c = JSON.createObjectNode();
            c.put("tokenizer_class", "BertTokenizer");
            c.put("do_lower_case", lowerCase);
            c.put("strip_accents", stripAccents);
            c.put("tokenize_chinese_chars", handleChineseChars);
            c.put("model_max_length", modelMaxLength);
            c.put("unk_token", unkToken);
            c.put("cls_token", idToToken[clsId]);
            c.put("sep_token", idToToken[sepId]);
            c.put("pad_token", idToToken[padId]);
            if (maskId >= 0) {
                c.put("mask_token", idToToken[maskId]);
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(config.toFile(), c);
            ObjectNode special = JSON.createObjectNode();
            for (String k : List.of("cls_token", "mask_token", "pad_token", "sep_token", "unk_token")) {
                if (c.has(k)) special.put(k, c.get(k).asText());
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(SPECIAL_TOKENS_MAP_JSON).toFile(), special);
        } catch (IOException e) {
            throw new ModelException(dir + ": cannot write tokenizer (" + e.getMessage() + ")");
        }
    }

    // ------------------------------------------------------------------------------------------------ accessors

    public int vocabSize() {
        return idToToken.length;
    }

    public boolean lowerCase() {
        return lowerCase;
    }

    public boolean stripAccents() {
        return stripAccents;
    }

    public int modelMaxLength() {
        return modelMaxLength;
    }

    /** The id of {@code token}, or the {@code [UNK]} id when it is not in the vocabulary. */
    public int tokenId(String token) {
        Integer id = vocab.get(token);
        return id == null ? unkId : id;
    }

    /** The token of {@code id}; throws for an id outside the vocabulary. */
    public String idToToken(int id) {
        if (id < 0 || id >= idToToken.length || idToToken[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size "
                    + idToToken.length + ")");
        }
        return idToToken[id];
    }

    public int clsId() {
        return clsId;
    }

    public int sepId() {
        return sepId;
    }

    public int padId() {
        return padId;
    }

    /** The {@code [MASK]} id, or -1 when the vocabulary has none. */
    public int maskId() {
        return maskId;
    }

    public int unkId() {
        return unkId;
    }

    // ------------------------------------------------------------------------------------------------ tokenizing

    /** The word pieces of {@code text}, without special tokens (as HF {@code tokenize}). */
    public List<String> tokenize(String text) {
        IntList ids = new IntList(Math.max(16, text.length() / 3));
        appendIds(text, ids);
        List<String> out = new ArrayList<>(ids.size);
        for (int i = 0; i < ids.size; i++) {
            out.add(idToToken[ids.data[i]]);
        }
        return out;
    }

    /** The ids of {@code text}'s word pieces, without special tokens. */
    public int[] tokenIds(String text) {
        IntList ids = new IntList(Math.max(16, text.length() / 3));
        appendIds(text, ids);
        return ids.toArray();
    }

    /** {@code [CLS] text [SEP]}, not truncated. */
    public Encoding encode(String text) {
        return encode(text, Integer.MAX_VALUE);
    }

    /** {@code [CLS] A [SEP] B [SEP]}, not truncated. */
    public Encoding encode(String textA, String textB) {
        return encode(textA, textB, Integer.MAX_VALUE);
    }

    /** {@code [CLS] text [SEP]}, truncated to at most {@code maxLength} tokens (no padding). */
    public Encoding encode(String text, int maxLength) {
        return build(tokenIds(text), null, maxLength);
    }

    /**
     * {@code [CLS] A [SEP] B [SEP]}, truncated to at most {@code maxLength} tokens with Hugging Face's
     * {@code longest_first} strategy (no padding).
     */
    public Encoding encode(String textA, String textB, int maxLength) {
        return build(tokenIds(textA), tokenIds(textB), maxLength);
    }

    /**
     * Encodes a batch of single texts, truncated to {@code maxLength} and padded with {@code [PAD]} to
     * {@code maxLength}, or to the longest row when {@code padToLongest} (dynamic padding).
     */
    public BatchEncoding encodeBatch(List<String> texts, int maxLength, boolean padToLongest) {
        return encodeBatchPairs(texts, null, maxLength, padToLongest);
    }

    /**
     * Encodes a batch of pairs {@code [CLS] A [SEP] B [SEP]} ({@code textsB} may be null for single texts),
     * truncated {@code longest_first} to {@code maxLength} and padded as in {@link #encodeBatch}.
     */
    public BatchEncoding encodeBatchPairs(List<String> textsA, List<String> textsB, int maxLength,
                                          boolean padToLongest) {
        if (textsB != null && textsB.size() != textsA.size()) {
            throw new IllegalArgumentException("pair batch: " + textsA.size() + " first texts but " + textsB.size()
                    + " second texts");
        }
        int n = textsA.size();
        int minLength = textsB == null ? 2 : 3;
        if (maxLength < minLength) {
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for special tokens");
        }
        Encoding[] rows = new Encoding[n];
        IntStream range = IntStream.range(0, n);
        if (n >= 64) {
            range = range.parallel();
        }
        range.forEach(i -> rows[i] = build(tokenIds(textsA.get(i)),
                textsB == null ? null : tokenIds(textsB.get(i)), maxLength));
        int len = maxLength;
        if (padToLongest) {
            len = 0;
            for (Encoding e : rows) {
                len = Math.max(len, e.length());
            }
        }
        int[][] ids = new int[n][];
        int[][] types = new int[n][];
        int[][] mask = new int[n][];
        for (int i = 0; i < n; i++) {
            Encoding e = rows[i];
            int m = e.length();
            ids[i] = Arrays.copyOf(e.inputIds(), len);
            if (padId != 0) {
                Arrays.fill(ids[i], m, len, padId);
            }
            types[i] = Arrays.copyOf(e.tokenTypeIds(), len);
            mask[i] = Arrays.copyOf(e.attentionMask(), len);
        }
        return new BatchEncoding(ids, types, mask);
    }

    private Encoding build(int[] a, int[] b, int maxLength) {
        int na = a.length;
        int nb = b == null ? 0 : b.length;
        int added = b == null ? 2 : 3;
        if (maxLength < added) {
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for special tokens");
        }
        if (maxLength != Integer.MAX_VALUE && na + nb + added > maxLength) {
            int max = maxLength - added;
            if (b == null) {
                na = max;
            } else {
                // Hugging Face's truncate_encodings, LongestFirst
                int n1 = na;
                int n2 = nb;
                boolean swap = n1 > n2;
                if (swap) {
                    int t = n1;
                    n1 = n2;
                    n2 = t;
                }
                n2 = n1 > max ? n1 : Math.max(n1, max - n1);
                if (n1 + n2 > max) {
                    n1 = max / 2;
                    n2 = n1 + max % 2;
                }
                if (swap) {
                    int t = n1;
                    n1 = n2;
                    n2 = t;
                }
                na = Math.min(na, n1);
                nb = Math.min(nb, n2);
            }
        }
        int total = na + nb + added;
        int[] ids = new int[total];
        int[] types = new int[total];
        int[] mask = new int[total];
        Arrays.fill(mask, 1);
        ids[0] = clsId;
        System.arraycopy(a, 0, ids, 1, na);
        ids[na + 1] = sepId;
        if (b != null) {
            System.arraycopy(b, 0, ids, na + 2, nb);
            ids[total - 1] = sepId;
            Arrays.fill(types, na + 2, total, 1);
        }
        return new Encoding(ids, types, mask);
    }

    // ------------------------------------------------------------------------------------------------ pipeline

    private void appendIds(String text, IntList out) {
        if (addedRaw.length == 0) {
            appendNormalizedSegment(text, out);
            return;
        }
        splitOnAdded(text, addedRaw, out, true);
    }

    /**
     * Splits {@code text} on the leftmost-longest occurrences of added tokens (HF's AddedVocabulary); the pieces
     * in between are normalized (raw pass) or pre-tokenized (normalized pass).
     */
    private void splitOnAdded(String text, AddedToken[] tokens, IntList out, boolean rawPass) {
        int start = 0;
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            AddedToken hit = null;
            int next = n;
            // find the leftmost position where any token starts; at that position take the longest
            for (AddedToken t : tokens) {
                int at = text.indexOf(t.content(), pos);
                if (at >= 0 && at < next) {
                    next = at;
                    hit = t;
                } else if (at >= 0 && at == next && t.content().length() > hit.content().length()) {
                    hit = t;
                }
            }
            if (hit == null) {
                break;
            }
            if (next > start) {
                segment(text.substring(start, next), out, rawPass);
            }
            out.add(hit.id());
            pos = next + hit.content().length();
            start = pos;
        }
        if (start < n) {
            segment(start == 0 ? text : text.substring(start), out, rawPass);
        }
    }

    private void segment(String piece, IntList out, boolean rawPass) {
        if (rawPass) {
            appendNormalizedSegment(piece, out);
        } else {
            appendWords(piece, out);
        }
    }

    private void appendNormalizedSegment(String raw, IntList out) {
        String normalized = BertText.normalize(raw, cleanText, handleChineseChars, stripAccents, lowerCase);
        if (addedNormalized.length == 0) {
            appendWords(normalized, out);
        } else {
            splitOnAdded(normalized, addedNormalized, out, false);
        }
    }

    /** BertPreTokenizer (split on whitespace, isolate punctuation) followed by WordPiece on every word. */
    private void appendWords(String s, IntList out) {
        int n = s.length();
        int wordStart = -1;
        for (int i = 0; i < n; ) {
            int c = s.charAt(i);
            int width = 1;
            if (Character.isHighSurrogate((char) c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                c = Character.toCodePoint((char) c, s.charAt(i + 1));
                width = 2;
            }
            if (BertText.isRustWhitespace(c)) {
                if (wordStart >= 0) {
                    wordPiece(s, wordStart, i, out);
                    wordStart = -1;
                }
            } else if (BertText.isBertPunctuation(c)) {
                if (wordStart >= 0) {
                    wordPiece(s, wordStart, i, out);
                    wordStart = -1;
                }
                wordPiece(s, i, i + width, out);
            } else if (wordStart < 0) {
                wordStart = i;
            }
            i += width;
        }
        if (wordStart >= 0) {
            wordPiece(s, wordStart, n, out);
        }
    }

    /** Greedy longest-match-first WordPiece over {@code s[from, to)}, as HF's {@code WordPiece::tokenize}. */
    private void wordPiece(String s, int from, int to, IntList out) {
        int len = to - from;
        if (len > maxInputCharsPerWord && s.codePointCount(from, to) > maxInputCharsPerWord) {
            out.add(unkId);
            return;
        }
        String word = s.substring(from, to);
        Integer whole = vocab.get(word);
        if (whole != null) {
            out.add(whole);
            return;
        }
        int mark = out.size;
        int start = 0;
        int prefixLen = continuingSubwordPrefix.length();
        while (start < len) {
            int maxEnd = start + (start > 0 ? maxTokenChars - prefixLen : maxTokenChars);
            int end = Math.min(len, Math.max(maxEnd, start + 1));
            if (end < len && Character.isLowSurrogate(word.charAt(end))
                    && Character.isHighSurrogate(word.charAt(end - 1))) {
                end--; // never split a surrogate pair
                if (end == start) {
                    end += 2;
                }
            }
            Integer found = null;
            while (end > start) {
                String sub = word.substring(start, end);
                if (start > 0) {
                    sub = continuingSubwordPrefix + sub;
                }
                found = vocab.get(sub);
                if (found != null) {
                    break;
                }
                end--;
                if (end > start && Character.isLowSurrogate(word.charAt(end))
                        && Character.isHighSurrogate(word.charAt(end - 1))) {
                    end--;
                }
            }
            if (found == null) {
                out.size = mark;
                out.add(unkId);
                return;
            }
            out.add(found);
            start = end;
        }
    }

    /** A growable int array, to keep boxing out of the hot loop. */
    private static final class IntList {
        int[] data;
        int size;

        IntList(int capacity) {
            data = new int[capacity];
        }

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2 + 8);
            }
            data[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
