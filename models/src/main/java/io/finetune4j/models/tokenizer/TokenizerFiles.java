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
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.finetune4j.models.tokenizer.WordPieceTokenizer.DEFAULT_MODEL_MAX_LENGTH;
import static io.finetune4j.models.tokenizer.WordPieceTokenizer.SPECIAL_TOKENS_MAP_JSON;
import static io.finetune4j.models.tokenizer.WordPieceTokenizer.TOKENIZER_CONFIG_JSON;
import static io.finetune4j.models.tokenizer.WordPieceTokenizer.TOKENIZER_JSON;
import static io.finetune4j.models.tokenizer.WordPieceTokenizer.VOCAB_TXT;

/**
 * A {@link WordPieceTokenizer}'s files, as Hugging Face reads and writes them: {@code vocab.txt},
 * {@code tokenizer.json}, {@code tokenizer_config.json} and {@code special_tokens_map.json}.
 */
final class TokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TokenizerFiles() {
    }

    /** A token matched as a whole in the text before (raw) or after (normalized) normalization. */
    record AddedToken(String content, int id) {
    }

    /** What the files say beyond the vocabulary. */
    static final class Options {
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

    /**
     * Reads a BERT {@code vocab.txt} (one token per line, id = line number), with Hugging Face's
     * {@code BertTokenizerFast} defaults: clean text, CJK padding, accents stripped iff lower-casing,
     * {@code [UNK] [CLS] [SEP] [PAD] [MASK]} as special tokens matched verbatim in the input.
     */
    static WordPieceTokenizer fromVocabTxt(Path vocabTxt, boolean lowerCase) {
        Options o = new Options();
        o.lowerCase = lowerCase;
        return fromVocabTxt(vocabTxt, o);
    }

    static WordPieceTokenizer fromVocabTxt(Path vocabTxt, Options o) {
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
    static WordPieceTokenizer fromTokenizerJson(Path tokenizerJson) {
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
    static WordPieceTokenizer load(Path dir) {
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
    static void save(WordPieceTokenizer t, Path dir) {
        String[] idToToken = t.tokensById();
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
                for (String token : idToToken) {
                    w.write(token);
                    w.write('\n');
                }
            }
            ObjectNode c = JSON.createObjectNode();
            c.put("tokenizer_class", "BertTokenizer");
            c.put("do_lower_case", t.lowerCase());
            c.put("strip_accents", t.stripAccents());
            c.put("tokenize_chinese_chars", t.handleChineseChars());
            c.put("model_max_length", t.modelMaxLength());
            c.put("unk_token", t.unkToken());
            c.put("cls_token", idToToken[t.clsId()]);
            c.put("sep_token", idToToken[t.sepId()]);
            c.put("pad_token", idToToken[t.padId()]);
            if (t.maskId() >= 0) {
                c.put("mask_token", idToToken[t.maskId()]);
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
}
