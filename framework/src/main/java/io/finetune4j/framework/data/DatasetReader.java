package io.finetune4j.framework.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a labelled text file (JSON lines, CSV, TSV, optionally gzipped) or a class-folder directory
 * (aclImdb/train/{neg,pos}/*.txt, 20news-bydate-train/GROUP/FILE) into a {@link TextDataset}, validating as it
 * goes. Problems do not stop reading at once: up to {@link ReadOptions#maxErrors()} are collected and then one
 * {@link DatasetException} is thrown whose message is the first problem ("FILE: line N: ...") and the count of
 * the others. A dataset is only returned when there was no problem at all and it has at least one row.
 *
 * <p>Over 300 lines on purpose: the readers of the formats a user's data comes in (JSONL, CSV/TSV, class folders)
 * share their checks and one error report that names the file and the row; they are one role.
 */
public final class DatasetReader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private DatasetReader() {
    }

    /** {@link #read(Path, ReadOptions)} with the default options (JSONL/CSV with {@code text} and {@code label}). */
    public static TextDataset read(Path path) {
        return read(path, ReadOptions.defaults());
    }

    public static TextDataset read(Path path, ReadOptions opts) {
        if (!Files.exists(path)) {
            throw new DatasetException(path + ": no such file or directory");
        }
        ReadOptions.Format format = opts.resolveFormat(path);
        Rows rows = new Rows(path, opts);
        try {
            switch (format) {
                case JSONL -> readJsonLines(path, opts, rows);
                case CSV -> readDelimited(path, opts, rows, opts.delimiter() != 0 ? opts.delimiter() : ',',
                        opts.quoting() == null || opts.quoting());
                case TSV -> readDelimited(path, opts, rows, opts.delimiter() != 0 ? opts.delimiter() : '\t',
                        opts.quoting() != null && opts.quoting());
                case CLASS_FOLDERS -> readClassFolders(path, opts, rows);
                default -> throw new IllegalStateException(format.toString());
            }
        } catch (TooManyProblems stop) {
            // fall through to the report
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
        return rows.build(format);
    }

    // ---------------------------------------------------------------- JSON lines

    private static void readJsonLines(Path file, ReadOptions opts, Rows rows) throws IOException {
        String labelField = opts.effectiveLabelField();
        try (Utf8Lines lines = new Utf8Lines(file)) {
            while (lines.next()) {
                int line = lines.lineNumber();
                if (lines.text() == null) {
                    rows.problem(line, lines.problem());
                    continue;
                }
                if (lines.text().isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(lines.text());
                } catch (JsonProcessingException e) {
                    rows.problem(line, "malformed JSON: " + e.getOriginalMessage());
                    continue;
                }
                if (!node.isObject()) {
                    rows.problem(line, "not a JSON object (" + node.getNodeType().toString().toLowerCase() + ")");
                    continue;
                }
                String text = jsonText(node, opts.textField(), "text", line, rows);
                String pair = opts.textPairField() == null ? null
                        : jsonText(node, opts.textPairField(), "text pair", line, rows);
                List<String> labels = jsonLabels(node, labelField, opts.multiLabel(), line, rows);
                if (text == null || (opts.textPairField() != null && pair == null) || labels == null) {
                    continue;
                }
                Map<String, String> extra = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    String k = f.getKey();
                    if (!k.equals(opts.textField()) && !k.equals(opts.textPairField()) && !k.equals(labelField)
                            && !f.getValue().isNull()) {
                        extra.put(k, f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString());
                    }
                }
                rows.add(line, text, pair, labels, extra);
            }
        }
    }

    private static String jsonText(JsonNode node, String field, String what, int line, Rows rows) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            rows.problem(line, "missing " + what + " field '" + field + "'");
            return null;
        }
        if (!v.isValueNode()) {
            rows.problem(line, what + " field '" + field + "' is not a string (" + kind(v) + ")");
            return null;
        }
        return v.asText();
    }

    private static List<String> jsonLabels(JsonNode node, String field, boolean multi, int line, Rows rows) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            rows.problem(line, "missing label field '" + field + "'");
            return null;
        }
        if (multi) {
            if (!v.isArray()) {
                rows.problem(line, "multi-label field '" + field + "' is not a list (" + kind(v) + ")");
                return null;
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isValueNode() || e.isNull()) {
                    rows.problem(line, "multi-label field '" + field + "' holds a " + kind(e) + ", not a label name");
                    return null;
                }
                out.add(e.asText());
            }
            return out;
        }
        if (v.isArray()) {
            rows.problem(line, "label field '" + field + "' is a list; read multi-label data with multiLabel=true");
            return null;
        }
        if (!v.isValueNode()) {
            rows.problem(line, "label field '" + field + "' is not a string or number (" + kind(v) + ")");
            return null;
        }
        return List.of(v.asText());
    }

    private static String kind(JsonNode v) {
        return v.getNodeType().toString().toLowerCase();
    }

    // ---------------------------------------------------------------- CSV / TSV

    private static void readDelimited(Path file, ReadOptions opts, Rows rows, char delimiter, boolean quoting)
            throws IOException {
        String labelField = opts.effectiveLabelField();
        try (Utf8Lines lines = new Utf8Lines(file)) {
            CsvParser parser = new CsvParser(lines, delimiter, quoting);
            List<String> columns = null;
            CsvParser.Record r;
            while ((r = parser.next()) != null) {
                if (r.problem() != null) {
                    rows.problem(r.line(), r.problem());
                    continue;
                }
                List<String> f = r.fields();
                if (columns == null) {
                    if (opts.header()) {
                        columns = f;
                        if (!checkColumns(columns, opts, labelField, r.line(), rows)) {
                            return;
                        }
                        continue;
                    }
                    columns = new ArrayList<>();
                    for (int i = 0; i < f.size(); i++) {
                        columns.add(Integer.toString(i));
                    }
                    if (!checkColumns(columns, opts, labelField, r.line(), rows)) {
                        return;
                    }
                }
                if (f.size() != columns.size()) {
                    rows.problem(r.line(), "expected " + columns.size() + " columns"
                            + (opts.header() ? " (as in the header)" : " (as in the first row)") + " but found "
                            + f.size());
                    continue;
                }
                Map<String, String> byName = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    byName.put(columns.get(i), f.get(i));
                }
                String text = byName.remove(opts.textField());
                String pair = opts.textPairField() == null ? null : byName.remove(opts.textPairField());
                String cell = byName.remove(labelField);
                List<String> labels;
                if (opts.multiLabel()) {
                    labels = new ArrayList<>();
                    for (String s : cell.split(java.util.regex.Pattern.quote(opts.labelSeparator()))) {
                        if (!s.isBlank()) {
                            labels.add(s.strip());
                        }
                    }
                } else if (cell.isBlank()) {
                    rows.problem(r.line(), "missing label: column '" + labelField + "' is empty");
                    continue;
                } else {
                    labels = List.of(cell.strip());
                }
                rows.add(r.line(), text, pair, labels, byName);
            }
        }
    }

    private static boolean checkColumns(List<String> columns, ReadOptions opts, String labelField, int line,
                                        Rows rows) {
        boolean ok = true;
        for (String[] need : new String[][]{{opts.textField(), "text"}, {opts.textPairField(), "text pair"},
                {labelField, "label"}}) {
            if (need[0] != null && !columns.contains(need[0])) {
                rows.problem(line, "missing " + need[1] + " column '" + need[0] + "' (columns: "
                        + String.join(", ", columns) + ")");
                ok = false;
            }
        }
        return ok;
    }

    // ---------------------------------------------------------------- class folders

    private static void readClassFolders(Path dir, ReadOptions opts, Rows rows) throws IOException {
        if (opts.multiLabel() || opts.textPairField() != null) {
            throw new DatasetException(dir + ": a class-folder directory holds single-label, single-text data");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(dir)) {
            classDirs = s.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> opts.labels() != null ? opts.labels().contains(p.getFileName().toString())
                            : !p.getFileName().toString().equals("unsup"))   // aclImdb's unlabelled reviews
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .collect(Collectors.toList());
        }
        if (classDirs.isEmpty()) {
            throw new DatasetException(dir + " has no class subdirectories (expected DIR/<class>/<file>)");
        }
        var strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        for (Path classDir : classDirs) {
            String label = classDir.getFileName().toString();
            List<Path> files;
            try (Stream<Path> s = Files.list(classDir)) {
                files = s.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().startsWith("."))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                        .collect(Collectors.toList());
            }
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                int start = bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB
                        && bytes[2] == (byte) 0xBF ? 3 : 0;
                Map<String, String> extra = new LinkedHashMap<>();
                extra.put("file", dir.relativize(f).toString());
                String text;
                try {
                    text = strict.reset().decode(ByteBuffer.wrap(bytes, start, bytes.length - start)).toString();
                } catch (CharacterCodingException e) {
                    if (!opts.latin1Fallback()) {
                        rows.problem(f, 1, "invalid UTF-8");
                        continue;
                    }
                    text = new String(bytes, StandardCharsets.ISO_8859_1);
                    extra.put("encoding", "ISO-8859-1");
                }
                rows.add(f, 1, text, null, List.of(label), extra);
            }
        }
    }

    // ---------------------------------------------------------------- collecting rows and problems

    private static final class TooManyProblems extends RuntimeException {
        TooManyProblems() {
            super(null, null, false, false);
        }
    }

    private record Row(Path file, int line, String text, String pair, List<String> labels, Map<String, String> extra) {
    }

    /** Rows read so far and problems found; turns them into a dataset or one exception. */
    private static final class Rows {
        private final Path path;
        private final ReadOptions opts;
        private final List<Row> rows = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private int problemCount;

        Rows(Path path, ReadOptions opts) {
            this.path = path;
            this.opts = opts;
        }

        void problem(int line, String what) {
            problem(path, line, what);
        }

        void problem(Path file, int line, String what) {
            problemCount++;
            problems.add(file + ": line " + line + ": " + what);
            if (problemCount >= opts.maxErrors()) {
                throw new TooManyProblems();
            }
        }

        void add(int line, String text, String pair, List<String> labels, Map<String, String> extra) {
            add(path, line, text, pair, labels, extra);
        }

        void add(Path file, int line, String text, String pair, List<String> labels, Map<String, String> extra) {
            if (opts.labels() != null) {
                for (String l : labels) {
                    if (!opts.labels().contains(l)) {
                        problem(file, line, "label '" + l + "' is not one of the declared labels " + opts.labels());
                        return;
                    }
                }
            }
            rows.add(new Row(file, line, text, pair, labels, extra));
        }

        TextDataset build(ReadOptions.Format format) {
            if (!problems.isEmpty()) {
                throw new DatasetException(problems.get(0), problems, problemCount,
                        problemCount >= opts.maxErrors());
            }
            if (rows.isEmpty()) {
                throw new DatasetException(path + " has no rows");
            }
            List<String> names = opts.labels() != null ? opts.labels() : sortedLabels();
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                index.put(names.get(i), i);
            }
            List<Example> examples = new ArrayList<>(rows.size());
            for (Row r : rows) {
                if (opts.multiLabel()) {
                    int[] hot = new int[names.size()];
                    for (String l : r.labels()) {
                        hot[index.get(l)] = 1;
                    }
                    examples.add(new Example(r.text(), r.pair(), -1, hot, r.line(), r.extra()));
                } else {
                    examples.add(new Example(r.text(), r.pair(), index.get(r.labels().get(0)), null, r.line(),
                            r.extra()));
                }
            }
            return new TextDataset(examples, names, opts.multiLabel(),
                    path + " (" + format.toString().toLowerCase().replace('_', ' ') + ")");
        }

        /** Labels found, sorted numerically when all are integers, else as strings. */
        private List<String> sortedLabels() {
            TreeSet<String> found = new TreeSet<>();
            rows.forEach(r -> found.addAll(r.labels()));
            List<String> names = new ArrayList<>(found);
            if (!names.isEmpty() && names.stream().allMatch(s -> s.matches("-?\\d{1,18}"))) {
                names.sort(Comparator.comparingLong(Long::parseLong));
            }
            return names;
        }
    }
}
