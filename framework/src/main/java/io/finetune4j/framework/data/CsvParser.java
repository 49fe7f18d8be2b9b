package io.finetune4j.framework.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 parser over {@link Utf8Lines}: fields separated by a delimiter, optionally enclosed in double
 * quotes; inside quotes a doubled quote is a quote and delimiters and line breaks are literal (an embedded line
 * break comes back as "\n"). Without quoting, a quote is an ordinary character (GLUE-style TSV). Blank lines are
 * skipped. A record's row is the line it starts on.
 */
final class CsvParser {
    /** One parsed record, or a problem at a line. */
    record Record(int line, List<String> fields, String problem) {
    }

    private final Utf8Lines lines;
    private final char delimiter;
    private final boolean quoting;

    CsvParser(Utf8Lines lines, char delimiter, boolean quoting) {
        this.lines = lines;
        this.delimiter = delimiter;
        this.quoting = quoting;
    }

    /** The next record, a record with a problem (parsing goes on after it), or {@code null} at the end. */
    Record next() throws IOException {
        String line;
        do {
            if (!lines.next()) {
                return null;
            }
            if (lines.text() == null) {
                return new Record(lines.lineNumber(), null, lines.problem());
            }
            line = lines.text();
        } while (line.isBlank());
        int start = lines.lineNumber();
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        while (true) {
            // at the start of a field
            if (quoting && i < line.length() && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i == line.length()) {
                        if (!lines.next()) {
                            return new Record(start, null, "unterminated quoted field (the file ends inside quotes)");
                        }
                        if (lines.text() == null) {
                            return new Record(lines.lineNumber(), null, lines.problem());
                        }
                        line = lines.text();
                        i = 0;
                        cur.append('\n');
                        continue;
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < line.length() && line.charAt(i) == '"') {
                            cur.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        cur.append(c);
                    }
                }
                if (i < line.length() && line.charAt(i) != delimiter) {
                    return new Record(lines.lineNumber(), null, "unexpected character '" + line.charAt(i)
                            + "' after a closing quote (column " + (fields.size() + 1) + ")");
                }
            } else {
                while (i < line.length() && line.charAt(i) != delimiter) {
                    cur.append(line.charAt(i++));
                }
            }
            fields.add(cur.toString());
            cur.setLength(0);
            if (i == line.length()) {
                return new Record(start, fields, null);
            }
            i++; // the delimiter
        }
    }
}
