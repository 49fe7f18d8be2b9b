package io.finetune4j.framework.experiment;

import java.util.ArrayList;
import java.util.List;

/**
 * A Markdown (GitHub pipe) table: the header, the rows, and per column whether it is right-aligned (numbers).
 * Cells are padded so the text also reads as a table in a terminal.
 */
public final class SummaryTable {

    private final List<String> header;
    private final boolean[] right;
    private final List<List<String>> rows = new ArrayList<>();

    public SummaryTable(List<String> header, boolean[] rightAligned) {
        if (header.size() != rightAligned.length) throw new IllegalArgumentException("header and alignment differ");
        this.header = List.copyOf(header);
        this.right = rightAligned.clone();
    }

    public SummaryTable row(List<String> cells) {
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, header " + header.size());
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    public List<String> header() {
        return header;
    }

    public List<List<String>> rows() {
        return List.copyOf(rows);
    }

    /** The table as Markdown, ending with a newline. */
    public String markdown() {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) w[i] = Math.max(3, escape(header.get(i)).length());
        for (List<String> r : rows) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], escape(r.get(i)).length());
        StringBuilder sb = new StringBuilder();
        line(sb, header, w);
        sb.append('|');
        for (int i = 0; i < w.length; i++) {
            sb.append(' ').append(right[i] ? "-".repeat(w[i] - 1) + ":" : "-".repeat(w[i])).append(" |");
        }
        sb.append('\n');
        for (List<String> r : rows) line(sb, r, w);
        return sb.toString();
    }

    private void line(StringBuilder sb, List<String> cells, int[] w) {
        sb.append('|');
        for (int i = 0; i < w.length; i++) {
            String c = escape(cells.get(i));
            String pad = " ".repeat(w[i] - c.length());
            sb.append(' ').append(right[i] ? pad + c : c + pad).append(" |");
        }
        sb.append('\n');
    }

    private static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    @Override
    public String toString() {
        return markdown();
    }
}
