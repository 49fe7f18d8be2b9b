package io.finetune4j.models.tokenizer;

import java.text.Normalizer;

/**
 * BERT's "basic tokenizer" character rules, as Hugging Face's Rust {@code BertNormalizer} and
 * {@code BertPreTokenizer} implement them. Everything works on code points (a Rust {@code char}), never on Java
 * {@code char}s, so that supplementary characters (emoji, rare CJK) are one character as in Rust.
 */
final class BertText {
    private BertText() {
    }

    /** Rust's {@code char::is_whitespace}: the Unicode White_Space property (not Java's isWhitespace). */
    static boolean isRustWhitespace(int c) {
        if (c <= 0x20) {
            return c == 0x20 || (c >= 0x09 && c <= 0x0D);
        }
        if (c < 0x85) {
            return false;
        }
        switch (c) {
            case 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
                return true;
            default:
                return c >= 0x2000 && c <= 0x200A;
        }
    }

    /** BertNormalizer's {@code is_whitespace}: tab, newline, carriage return, or Rust whitespace. */
    static boolean isBertWhitespace(int c) {
        return isRustWhitespace(c);
    }

    /**
     * BertNormalizer's {@code is_control}: the Unicode "Other" categories (Cc, Cf, Co, Cs; unassigned code points
     * are kept, as the Rust tables have no Cn entries), except tab, newline and carriage return. Categories are
     * Unicode 8.0's, as in the Rust crate ({@link BertUnicodeTables}), not the JVM's.
     */
    static boolean isBertControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        if (c < 0x7F) {
            return c < 0x20;
        }
        return BertUnicodeTables.contains(BertUnicodeTables.OTHER, c);
    }

    /** The CJK ideograph blocks that BertNormalizer surrounds with spaces. */
    static boolean isChineseChar(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF)
                || (c >= 0x3400 && c <= 0x4DBF)
                || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F)
                || (c >= 0x2B740 && c <= 0x2B81F)
                || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    /**
     * BertPreTokenizer's punctuation: ASCII punctuation (incl. $+<=>^`|~) or any Unicode 8.0 P* category.
     */
    static boolean isBertPunctuation(int c) {
        if (c < 0x80) {
            return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
        }
        return BertUnicodeTables.contains(BertUnicodeTables.PUNCTUATION, c);
    }

    /** Rust's {@code char::to_lowercase} (one code point in, one or two out; no context-dependent final sigma). */
    static void appendLowerCase(StringBuilder out, int c) {
        if (c < 0x80) {
            out.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c));
        } else if (c == 0x130) {
            // the only unconditional multi-character lower-case mapping in SpecialCasing.txt
            out.append('i').append('\u0307');
        } else {
            out.appendCodePoint(Character.toLowerCase(c));
        }
    }

    /**
     * The BertNormalizer: clean text, pad CJK ideographs, strip accents (NFD then drop Mn), lower-case; in that
     * order, each step optional.
     */
    static String normalize(String text, boolean cleanText, boolean handleChineseChars, boolean stripAccents,
                            boolean lowerCase) {
        int n = text.length();
        StringBuilder sb = new StringBuilder(n + 16);
        boolean nonAscii = false;
        for (int i = 0; i < n; ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (c >= 0x80) {
                nonAscii = true;
            }
            if (cleanText) {
                if (c == 0 || c == 0xFFFD || isBertControl(c)) {
                    continue;
                }
                if (isBertWhitespace(c)) {
                    c = ' ';
                }
            }
            if (handleChineseChars && c >= 0x3400 && isChineseChar(c)) {
                sb.append(' ').appendCodePoint(c).append(' ');
            } else {
                sb.appendCodePoint(c);
            }
        }
        if (!nonAscii) {
            // ASCII: NFD is the identity and there are no marks; lower-case in place
            if (lowerCase) {
                for (int i = 0; i < sb.length(); i++) {
                    char ch = sb.charAt(i);
                    if (ch >= 'A' && ch <= 'Z') {
                        sb.setCharAt(i, (char) (ch + 32));
                    }
                }
            }
            return sb.toString();
        }
        String s = sb.toString();
        if (!stripAccents && !lowerCase) {
            return s;
        }
        if (stripAccents) {
            s = Normalizer.normalize(s, Normalizer.Form.NFD);
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (stripAccents && c >= 0x300 && BertUnicodeTables.contains(BertUnicodeTables.MARK_NONSPACING, c)) {
                continue;
            }
            if (lowerCase) {
                appendLowerCase(out, c);
            } else {
                out.appendCodePoint(c);
            }
        }
        return out.toString();
    }
}
