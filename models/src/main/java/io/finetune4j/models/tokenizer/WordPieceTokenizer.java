package io.finetune4j.models.tokenizer;

import io.finetune4j.models.ModelException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Instances are immutable and thread-safe. The files are read and written by {@link TokenizerFiles}, text becomes
 * word pieces in {@link WordPieces}; this class adds BERT's special tokens, truncation and padding.
 */
public final class WordPieceTokenizer {
    public static final String VOCAB_TXT = "vocab.txt";
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP_JSON = "special_tokens_map.json";
    public static final int DEFAULT_MODEL_MAX_LENGTH = 512;

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final boolean lowerCase;
    private final boolean stripAccents;
    private final boolean handleChineseChars;
    private final int modelMaxLength;
    private final String unkToken;
    private final int unkId;
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final int maskId;
    private final WordPieces pieces;

    WordPieceTokenizer(Map<String, Integer> vocab, String[] idToToken, TokenizerFiles.Options o, Path source) {
        this.vocab = vocab;
        this.idToToken = idToToken;
        this.lowerCase = o.lowerCase;
        this.stripAccents = o.stripAccents == null ? o.lowerCase : o.stripAccents;
        this.handleChineseChars = o.handleChineseChars;
        this.modelMaxLength = o.modelMaxLength;
        this.unkToken = o.unk;
        this.unkId = required(vocab, o.unk, source);
        this.clsId = required(vocab, o.cls, source);
        this.sepId = required(vocab, o.sep, source);
        this.padId = required(vocab, o.pad, source);
        this.maskId = vocab.getOrDefault(o.mask, -1);
        this.pieces = new WordPieces(vocab, unkId, lowerCase, stripAccents, o.cleanText, handleChineseChars, o.prefix,
                o.maxInputCharsPerWord, o.raw, o.normalized);
    }

    private static int required(Map<String, Integer> vocab, String token, Path source) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new ModelException(source + ": special token " + token + " is not in the vocabulary");
        }
        return id;
    }

    // ------------------------------------------------------------------------------------------------ files

    /**
     * Reads a BERT {@code vocab.txt} (one token per line, id = line number), with Hugging Face's
     * {@code BertTokenizerFast} defaults: clean text, CJK padding, accents stripped iff lower-casing,
     * {@code [UNK] [CLS] [SEP] [PAD] [MASK]} as special tokens matched verbatim in the input.
     */
    public static WordPieceTokenizer fromVocabTxt(Path vocabTxt, boolean lowerCase) {
        return TokenizerFiles.fromVocabTxt(vocabTxt, lowerCase);
    }

    /**
     * Reads a Hugging Face {@code tokenizer.json} with a {@code WordPiece} model and a {@code BertNormalizer}
     * (or none). {@code model_max_length} comes from a {@code tokenizer_config.json} beside it, else 512.
     */
    public static WordPieceTokenizer fromTokenizerJson(Path tokenizerJson) {
        return TokenizerFiles.fromTokenizerJson(tokenizerJson);
    }

    /**
     * Loads the tokenizer of a model folder: {@code tokenizer.json} if present, else {@code vocab.txt} with the
     * options of {@code tokenizer_config.json} ({@code do_lower_case} defaults to true, as in Hugging Face).
     */
    public static WordPieceTokenizer load(Path dir) {
        return TokenizerFiles.load(dir);
    }

    /**
     * Writes {@code vocab.txt} (id order), {@code tokenizer_config.json} ({@code do_lower_case},
     * {@code strip_accents}, {@code tokenize_chinese_chars}, {@code model_max_length}, special tokens) and
     * {@code special_tokens_map.json} into
     * {@code dir}, readable by {@link #load} and by Hugging Face's {@code BertTokenizer(Fast)}. An existing
     * {@code tokenizer.json} in {@code dir} is left alone and would take precedence in {@link #load}.
     */
    public void save(Path dir) {
        TokenizerFiles.save(this, dir);
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

    boolean handleChineseChars() {
        return handleChineseChars;
    }

    String unkToken() {
        return unkToken;
    }

    /** The vocabulary by id, gaps as null (for writing it). */
    String[] tokensById() {
        return idToToken;
    }

    // ------------------------------------------------------------------------------------------------ tokenizing

    /** The word pieces of {@code text}, without special tokens (as HF {@code tokenize}). */
    public List<String> tokenize(String text) {
        int[] ids = pieces.ids(text);
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(idToToken[id]);
        }
        return out;
    }

    /** The ids of {@code text}'s word pieces, without special tokens. */
    public int[] tokenIds(String text) {
        return pieces.ids(text);
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
}
