package io.finetune4j.framework.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table of text: a header, rows, and per column whether it is right-aligned (numbers). The project's one table
 * renderer: {@link #plain} for terminals and reports (columns two spaces apart), {@link #markdown} for
 * {@code summary.md} and {@code errors.md} (cells padded, so the Markdown also reads as a table in a terminal).
 * Widths count code points, so labels in any script line up.
 */
public final class TextTable {
    private final List<String> header;
    private final boolean[] right;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(List<String> header, boolean... rightAligned) {
        if (header.size() != rightAligned.length) throw new IllegalArgumentException("header and alignment differ");
        this.header = List.copyOf(header);
        this.right = rightAligned.clone();
    }

    /** A table whose first column is left-aligned and the others right-aligned (a label, then numbers). */
    public static TextTable numbers(List<String> header) {
        boolean[] right = new boolean[header.size()];
        Arrays.fill(right, 1, right.length, true);
        return new TextTable(header, right);
    }

    /** A table whose columns are all left-aligned. */
    public static TextTable text(List<String> header) {
        return new TextTable(header, new boolean[header.size()]);
    }

    public TextTable row(List<String> cells) {
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, header " + header.size());
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    public TextTable row(String... cells) {
        return row(Arrays.asList(cells));
    }

    public List<String> header() {
        return header;
    }

    public List<List<String>> rows() {
        return List.copyOf(rows);
    }

    /** Columns two spaces apart, no trailing spaces, each line ending with a newline. */
    public String plain() {
        int[] w = widths(false, 0);
        StringBuilder sb = new StringBuilder();
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                if (i > 0) line.append("  ");
                line.append(pad(r.get(i), w[i], right[i]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /** The table as GitHub Markdown, ending with a newline. */
    public String markdown() {
        int[] w = widths(true, 3);
        StringBuilder sb = new StringBuilder();
        markdownLine(sb, header, w);
        sb.append('|');
        for (int i = 0; i < w.length; i++) {
            sb.append(' ').append(right[i] ? "-".repeat(w[i] - 1) + ":" : "-".repeat(w[i])).append(" |");
        }
        sb.append('\n');
        for (List<String> r : rows) markdownLine(sb, r, w);
        return sb.toString();
    }

    private int[] widths(boolean escaped, int min) {
        int[] w = new int[header.size()];
        Arrays.fill(w, min);
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], length(escaped ? escape(r.get(i)) : r.get(i)));
        }
        return w;
    }

    private void markdownLine(StringBuilder sb, List<String> cells, int[] w) {
        sb.append('|');
        for (int i = 0; i < w.length; i++) sb.append(' ').append(pad(escape(cells.get(i)), w[i], right[i])).append(" |");
        sb.append('\n');
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - length(s)));
        return right ? fill + s : s + fill;
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    private static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    @Override
    public String toString() {
        return markdown();
    }
}
