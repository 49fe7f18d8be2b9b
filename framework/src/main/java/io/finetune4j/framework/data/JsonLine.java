package io.finetune4j.framework.data;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/**
 * One JSONL row written exactly as Python's {@code json.dumps(row, ensure_ascii=False)} writes it (the
 * {@code shared/data} files were made that way), so that a converted file equals the shared one byte for byte:
 * {@code ", "} and {@code ": "} separators, non-ASCII characters as they are, {@code \" \\ \b \f \n \r \t}
 * escaped, the other control characters as a backslash, {@code u00} and two lower-case hex digits. Values are
 * strings or lists of strings.
 */
final class JsonLine {
    private JsonLine() {
    }

    /** Writes {@code row} (keys in its iteration order) and a newline. */
    static void write(Writer out, Map<String, ?> row) throws IOException {
        StringBuilder sb = new StringBuilder(256);
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, ?> e : row.entrySet()) {
            if (!first) sb.append(", ");
            first = false;
            string(sb, e.getKey());
            sb.append(": ");
            value(sb, e.getValue());
        }
        sb.append("}\n");
        out.write(sb.toString());
    }

    private static void value(StringBuilder sb, Object v) {
        if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof List<?> list) {
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) sb.append(", ");
                value(sb, list.get(i));
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("JSON line: only strings and lists of strings, not " + v);
        }
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(Character.forDigit(c >> 4, 16))
                                .append(Character.forDigit(c & 15, 16));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
