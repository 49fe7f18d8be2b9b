package io.finetune4j.models.tokenizer;

import io.finetune4j.models.tokenizer.TokenizerFiles.AddedToken;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Text to word-piece ids, as Hugging Face's Rust {@code tokenizers} do it: added tokens matched as a whole (on the
 * raw text, and on the normalized text), the {@code BertNormalizer} ({@link BertText}), the {@code BertPreTokenizer}
 * (split on whitespace, isolate punctuation) and greedy longest-match-first {@code WordPiece} on every word.
 */
final class WordPieces {
    private final Map<String, Integer> vocab;
    private final boolean lowerCase;
    private final boolean stripAccents;
    private final boolean cleanText;
    private final boolean handleChineseChars;
    private final String continuingSubwordPrefix;
    private final int maxInputCharsPerWord;
    private final int unkId;
    /** Longest vocabulary entry, in UTF-16 units: no longer candidate piece can match. */
    private final int maxTokenChars;
    /** Added tokens matched on the raw text before normalization, longest first. */
    private final AddedToken[] addedRaw;
    /** Added tokens matched on the normalized text. */
    private final AddedToken[] addedNormalized;

    WordPieces(Map<String, Integer> vocab, int unkId, boolean lowerCase, boolean stripAccents, boolean cleanText,
               boolean handleChineseChars, String continuingSubwordPrefix, int maxInputCharsPerWord,
               List<AddedToken> raw, List<AddedToken> normalized) {
        this.vocab = vocab;
        this.unkId = unkId;
        this.lowerCase = lowerCase;
        this.stripAccents = stripAccents;
        this.cleanText = cleanText;
        this.handleChineseChars = handleChineseChars;
        this.continuingSubwordPrefix = continuingSubwordPrefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        int longest = 0;
        for (String t : vocab.keySet()) {
            longest = Math.max(longest, t.length());
        }
        this.maxTokenChars = longest;
        Comparator<AddedToken> longestFirst = Comparator.comparingInt((AddedToken t) -> -t.content().length());
        this.addedRaw = raw.stream().filter(t -> !t.content().isEmpty()).sorted(longestFirst)
                .toArray(AddedToken[]::new);
        this.addedNormalized = normalized.stream().filter(t -> !t.content().isEmpty()).sorted(longestFirst)
                .toArray(AddedToken[]::new);
    }

    /** The ids of {@code text}'s word pieces, without special tokens. */
    int[] ids(String text) {
        IntList ids = new IntList(Math.max(16, text.length() / 3));
        appendIds(text, ids);
        return ids.toArray();
    }

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
