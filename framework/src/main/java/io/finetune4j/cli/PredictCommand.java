package io.finetune4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.models.ModelException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

/**
 * {@code finetune4j predict}: classifies texts with a fine-tuned model folder (as written by {@code train} into
 * {@code OUTPUT/model}). Per text one line: the prediction, then every class with its probability (highest first).
 * Multi-label models predict every label whose probability reaches its threshold ({@code thresholds.json}, tuned
 * on validation data at training time; 0.5 without it).
 */
@Command(name = "predict", sortOptions = false,
        description = "Classify texts with a fine-tuned classifier folder (the model/ folder of a train run, or any "
                + "Hugging Face *ForSequenceClassification folder of BERT or DistilBERT).")
final class PredictCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR",
            description = "A classifier folder: the model/ folder of a train run, or a Hugging Face "
                    + "BertForSequenceClassification / DistilBertForSequenceClassification folder.")
    Path model;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "128",
            description = "Tokens per text, [CLS]/[SEP] included (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--top", paramLabel = "K", description = "Show only the K most probable classes.")
    Integer top;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "Read the texts from FILE, one per line (UTF-8; blank lines skipped; - for stdin).")
    Path input;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "The texts to classify.")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        List<String> all = readTexts();
        if (top != null && top < 1) throw new IllegalArgumentException("--top must be at least 1, not " + top);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, not " + batchSize);
        if (!Files.isDirectory(model)) {
            throw new ModelException(model + ": not a directory (expected a fine-tuned model folder, e.g. RUN/model)");
        }
        TextClassifier clf = TextClassifier.load(model);
        int max = Math.min(maxLength, clf.config().maxPositions());
        if (max < 2) throw new IllegalArgumentException("--max-length " + maxLength + " leaves no room for [CLS] and [SEP]");
        List<String> labels = clf.head().labels();
        double[] thresholds = thresholds(model, labels);
        double[][] probs = clf.predict(all, null, max, batchSize);
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < all.size(); i++) {
            double[] p = probs[i];
            Integer[] order = new Integer[p.length];
            for (int j = 0; j < p.length; j++) order[j] = j;
            Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -p[j]).thenComparingInt(j -> j));
            String predicted;
            if (clf.head().multiLabel()) {
                StringJoiner on = new StringJoiner(",");
                for (int j = 0; j < p.length; j++) if (p[j] >= thresholds[j]) on.add(labels.get(j));
                predicted = on.length() == 0 ? "(none)" : on.toString();
            } else {
                predicted = labels.get(order[0]);
            }
            StringJoiner classes = new StringJoiner("  ");
            int k = top == null ? p.length : Math.min(top, p.length);
            for (int j = 0; j < k; j++) {
                classes.add(labels.get(order[j]) + " " + String.format(Locale.ROOT, "%.4f", p[order[j]]));
            }
            out.println(predicted + "\t" + classes + "\t" + oneLine(all.get(i)));
        }
        out.flush();
        return 0;
    }

    /** Per-label thresholds from {@code thresholds.json} (label → threshold); 0.5 where absent. */
    static double[] thresholds(Path dir, List<String> labels) {
        double[] t = new double[labels.size()];
        Arrays.fill(t, 0.5);
        Path f = dir.resolve("thresholds.json");
        if (Files.isRegularFile(f)) {
            try {
                JsonNode n = JSON.readTree(f.toFile());
                for (int j = 0; j < labels.size(); j++) {
                    if (n.has(labels.get(j))) t[j] = n.get(labels.get(j)).asDouble();
                }
            } catch (IOException e) {
                throw new ModelException(f + ": " + e.getMessage());
            }
        }
        return t;
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() <= 80 ? t : t.substring(0, 77) + "...";
    }

    private List<String> readTexts() throws IOException {
        if (input != null && !texts.isEmpty()) {
            throw new IllegalArgumentException("give the texts either as arguments or with --input, not both");
        }
        List<String> all = new ArrayList<>(texts);
        if (input != null) {
            boolean stdin = input.toString().equals("-");
            BufferedReader r = stdin ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(input, StandardCharsets.UTF_8);
            try {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) all.add(line);
                }
            } finally {
                if (!stdin) r.close();
            }
            if (all.isEmpty()) throw new IllegalArgumentException(input + ": no texts (every line is blank)");
        }
        if (all.isEmpty()) throw new IllegalArgumentException("no texts to classify: give them as arguments or with --input FILE");
        return all;
    }
}
