package io.finetune4j.framework.data;

import io.finetune4j.framework.data.DatasetCatalogue.Entry;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reuters corn/grain: Weka's ARFF files of the same documents, merged into multi-label rows. */
public final class ReutersArff {
    private ReutersArff() {
    }

    static final List<String> REUTERS_FILES = List.of("ReutersCorn-train.arff", "ReutersGrain-train.arff",
            "ReutersCorn-test.arff", "ReutersGrain-test.arff");

    /**
     * weka's {@code ReutersCorn-*.arff} and {@code ReutersGrain-*.arff} ({@code @attribute Text string},
     * {@code @attribute class-att {0,1}}): the corn and grain files hold the same documents in the same order, so
     * row {@code i} of both becomes one multi-label row, {@code labels} = {@code grain} (if 1) then {@code corn}
     * (if 1), possibly empty; train rows then test rows, texts as they are. {@code arffs}: file name → bytes.
     */
    public static int convertReuters(Map<String, byte[]> arffs, Writer out) throws IOException {
        int n = 0;
        for (String split : List.of("train", "test")) {
            String cornFile = "ReutersCorn-" + split + ".arff", grainFile = "ReutersGrain-" + split + ".arff";
            List<String[]> corn = reutersArff(arffBytes(arffs, cornFile), cornFile);
            List<String[]> grain = reutersArff(arffBytes(arffs, grainFile), grainFile);
            if (corn.size() != grain.size()) {
                throw new DatasetException(cornFile + " has " + corn.size() + " documents but " + grainFile + " has "
                        + grain.size() + ": they should hold the same documents");
            }
            for (int i = 0; i < corn.size(); i++) {
                String text = corn.get(i)[0];
                if (!text.equals(grain.get(i)[0])) {
                    throw new DatasetException(cornFile + " and " + grainFile + ": document " + (i + 1)
                            + " differs (" + DatasetFetcher.abbreviate(text) + " / " + DatasetFetcher.abbreviate(grain.get(i)[0]) + ")");
                }
                List<String> labels = new ArrayList<>(2);
                if (grain.get(i)[1].equals("1")) labels.add("grain");
                if (corn.get(i)[1].equals("1")) labels.add("corn");
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("text", text);
                row.put("labels", labels);
                row.put("split", split);
                JsonLine.write(out, row);
                n++;
            }
        }
        return n;
    }

    static String arffBytes(Map<String, byte[]> arffs, String file) {
        for (Map.Entry<String, byte[]> f : arffs.entrySet()) {
            if (f.getKey().equals(file) || f.getKey().endsWith("/" + file)) {
                return new String(f.getValue(), StandardCharsets.UTF_8);
            }
        }
        throw new DatasetException("weka package: no " + DatasetFetcher.WEKA_EXAMPLES + file);
    }

    /**
     * The data of a Reuters ARFF file: {text, "0"|"1"} per document. The header must declare a string attribute
     * then a {@code {0,1}} class; a data line is a quoted string (ARFF backslash escapes) and the class.
     */
    static List<String[]> reutersArff(String arff, String file) {
        String[] lines = arff.split("\n", -1);
        List<String> attributes = new ArrayList<>();
        int i = 0;
        for (; i < lines.length; i++) {
            String l = lines[i].strip();
            String lower = l.toLowerCase(Locale.ROOT);
            if (lower.startsWith("@attribute")) attributes.add(l.substring(10).strip());
            if (lower.startsWith("@data")) break;
        }
        if (i == lines.length) throw new DatasetException(file + ": no @data line");
        if (attributes.size() != 2 || !attributes.get(0).toLowerCase(Locale.ROOT).endsWith(" string")
                || !attributes.get(1).replace(" ", "").endsWith("{0,1}")) {
            throw new DatasetException(file + ": expected a string attribute and a {0,1} class, not " + attributes);
        }
        List<String[]> rows = new ArrayList<>();
        for (i++; i < lines.length; i++) {
            String l = lines[i];
            if (l.isBlank() || l.startsWith("%")) continue;
            rows.add(arffDataLine(l, file, i + 1));
        }
        return rows;
    }

    private static String[] arffDataLine(String l, String file, int lineNo) {
        char q = l.isEmpty() ? 0 : l.charAt(0);
        if (q != '\'' && q != '"') {
            throw new DatasetException(file + ": line " + lineNo + ": expected a quoted text, then ,0 or ,1: "
                    + DatasetFetcher.abbreviate(l));
        }
        StringBuilder text = new StringBuilder(l.length());
        int i = 1;
        for (; i < l.length() && l.charAt(i) != q; i++) {
            char c = l.charAt(i);
            if (c == '\\' && i + 1 < l.length()) {
                char e = l.charAt(++i);
                switch (e) {
                    case 'n' -> text.append('\n');
                    case 'r' -> text.append('\r');
                    case 't' -> text.append('\t');
                    case '\\', '\'', '"', '%' -> text.append(e);
                    default -> {
                        if (l.startsWith("u001E", i)) {
                            text.append((char) 0x1E);   // weka's escape of the record separator
                            i += 4;
                        } else {
                            text.append('\\').append(e);   // not an escape: kept as it is, as weka does
                        }
                    }
                }
            } else {
                text.append(c);
            }
        }
        String rest = i < l.length() ? l.substring(i + 1).strip() : null;
        if (rest == null || !(rest.equals(",0") || rest.equals(",1"))) {
            throw new DatasetException(file + ": line " + lineNo + ": expected ,0 or ,1 after the quoted text, not "
                    + (rest == null ? "the end of the line" : DatasetFetcher.abbreviate(rest)));
        }
        return new String[]{text.toString(), rest.substring(1)};
    }

    /** WordNet's lexicographer files by number (lexnames(5WN), WordNet 3.0); the package has no lexnames file. */
}
