package io.finetune4j.framework.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How {@link DatasetReader} reads a file. Immutable; start from {@link #defaults()} and chain the {@code with...}
 * methods, e.g. {@code ReadOptions.defaults().withMultiLabel(true).withLabels(List.of("corn", "grain"))}.
 *
 * @param textField      the field/column holding the text (default {@code text})
 * @param textPairField  the field/column holding the second text of a pair task, or {@code null} (default)
 * @param labelField     the field/column holding the label; {@code null} = {@code label}, or {@code labels} when
 *                       multi-label
 * @param multiLabel     whether the label field is a list of labels (JSON array; in CSV a cell split on
 *                       {@code labelSeparator}); an empty list is allowed (an example with no label)
 * @param labels         the declared label set in index order, or {@code null}: then the labels found are collected
 *                       and sorted (numerically when all are integers, else by string), so neg/pos → 0/1. With a
 *                       declared set, any other label is an error. For class folders, it selects the folders read.
 * @param format         the file format; {@link Format#AUTO} picks it from the extension (or a directory)
 * @param header         CSV/TSV: the first row names the columns (default). Without it columns are named
 *                       "0", "1", ... and {@code textField} etc. must use those names.
 * @param delimiter      CSV/TSV field separator; 0 = ',' for CSV and '\t' for TSV
 * @param quoting        CSV/TSV: whether RFC 4180 double quotes are honoured; {@code null} = yes for CSV, no for TSV
 *                       (GLUE-style TSV files hold bare quotes)
 * @param labelSeparator multi-label CSV/TSV: separator inside the label cell (default ",")
 * @param latin1Fallback class folders only: a file that is not valid UTF-8 is decoded as ISO-8859-1 (20 Newsgroups)
 *                       instead of being an error (default true). Line-based files are always strict UTF-8.
 * @param maxErrors      how many problems to collect before giving up reading (default 10); the exception reports
 *                       the first and the total count
 */
public record ReadOptions(String textField, String textPairField, String labelField, boolean multiLabel,
                          List<String> labels, Format format, boolean header, char delimiter, Boolean quoting,
                          String labelSeparator, boolean latin1Fallback, int maxErrors) {

    /** File layouts {@link DatasetReader} understands. */
    public enum Format {
        /** From the name: .jsonl/.json/.ndjson, .csv, .tsv (each optionally .gz), or a directory → class folders. */
        AUTO,
        /** One JSON object per line. */
        JSONL,
        /** Comma-separated values, RFC 4180 quoting. */
        CSV,
        /** Tab-separated values, no quoting by default. */
        TSV,
        /** A directory whose subdirectories are class names holding one text per file (aclImdb/train, 20news). */
        CLASS_FOLDERS
    }

    public ReadOptions {
        if (textField == null || textField.isEmpty()) {
            throw new IllegalArgumentException("textField must be set");
        }
        labels = labels == null ? null : List.copyOf(labels);
        if (labels != null && labels.stream().distinct().count() != labels.size()) {
            throw new IllegalArgumentException("declared labels repeat a name: " + labels);
        }
        format = format == null ? Format.AUTO : format;
        labelSeparator = labelSeparator == null ? "," : labelSeparator;
        if (maxErrors < 1) {
            throw new IllegalArgumentException("maxErrors must be >= 1");
        }
    }

    public static ReadOptions defaults() {
        return new ReadOptions("text", null, null, false, null, Format.AUTO, true, (char) 0, null, ",", true, 10);
    }

    /** The label field in effect: the one set, else {@code labels} for multi-label and {@code label} otherwise. */
    public String effectiveLabelField() {
        return labelField != null ? labelField : multiLabel ? "labels" : "label";
    }

    /** The format in effect for {@code path}: the one set, or guessed from the name. */
    public Format resolveFormat(Path path) {
        if (format != Format.AUTO) {
            return format;
        }
        if (Files.isDirectory(path)) {
            return Format.CLASS_FOLDERS;
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
            return Format.JSONL;
        }
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        if (name.endsWith(".tsv")) {
            return Format.TSV;
        }
        throw new DatasetException(path + ": cannot tell the format from the name (expected .jsonl, .json, .csv,"
                + " .tsv, optionally .gz, or a directory); set ReadOptions.withFormat(...)");
    }

    public ReadOptions withTextField(String f) {
        return new ReadOptions(f, textPairField, labelField, multiLabel, labels, format, header, delimiter, quoting,
                labelSeparator, latin1Fallback, maxErrors);
    }

    public ReadOptions withTextPairField(String f) {
        return new ReadOptions(textField, f, labelField, multiLabel, labels, format, header, delimiter, quoting,
                labelSeparator, latin1Fallback, maxErrors);
    }

    public ReadOptions withLabelField(String f) {
        return new ReadOptions(textField, textPairField, f, multiLabel, labels, format, header, delimiter, quoting,
                labelSeparator, latin1Fallback, maxErrors);
    }

    public ReadOptions withMultiLabel(boolean m) {
        return new ReadOptions(textField, textPairField, labelField, m, labels, format, header, delimiter, quoting,
                labelSeparator, latin1Fallback, maxErrors);
    }

    public ReadOptions withLabels(List<String> declared) {
        return new ReadOptions(textField, textPairField, labelField, multiLabel, declared, format, header, delimiter,
                quoting, labelSeparator, latin1Fallback, maxErrors);
    }

    public ReadOptions withFormat(Format f) {
        return new ReadOptions(textField, textPairField, labelField, multiLabel, labels, f, header, delimiter, quoting,
                labelSeparator, latin1Fallback, maxErrors);
    }

    public ReadOptions withHeader(boolean h) {
        return new ReadOptions(textField, textPairField, labelField, multiLabel, labels, format, h, delimiter, quoting,
                labelSeparator, latin1Fallback, maxErrors);
    }

    public ReadOptions withDelimiter(char d) {
        return new ReadOptions(textField, textPairField, labelField, multiLabel, labels, format, header, d, quoting,
                labelSeparator, latin1Fallback, maxErrors);
    }

    public ReadOptions withQuoting(Boolean q) {
        return new ReadOptions(textField, textPairField, labelField, multiLabel, labels, format, header, delimiter, q,
                labelSeparator, latin1Fallback, maxErrors);
    }

    public ReadOptions withLabelSeparator(String s) {
        return new ReadOptions(textField, textPairField, labelField, multiLabel, labels, format, header, delimiter,
                quoting, s, latin1Fallback, maxErrors);
    }

    public ReadOptions withLatin1Fallback(boolean b) {
        return new ReadOptions(textField, textPairField, labelField, multiLabel, labels, format, header, delimiter,
                quoting, labelSeparator, b, maxErrors);
    }

    public ReadOptions withMaxErrors(int n) {
        return new ReadOptions(textField, textPairField, labelField, multiLabel, labels, format, header, delimiter,
                quoting, labelSeparator, latin1Fallback, n);
    }
}
