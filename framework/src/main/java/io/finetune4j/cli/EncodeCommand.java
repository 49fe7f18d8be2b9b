package io.finetune4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.BertInference;
import io.finetune4j.models.ModelException;
import io.finetune4j.models.tokenizer.BatchEncoding;
import io.finetune4j.models.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

/**
 * {@code finetune4j encode}: runs the pretrained encoder (no dropout) over texts and writes the last hidden state
 * {@code [B, T, H]} (or BERT's pooler output {@code [B, H]}) as a float32 {@code .npy}, plus a sidecar
 * {@code NAME.tokens.json} with each text's tokens, ids and attention mask, position by position.
 */
@Command(name = "encode", sortOptions = false,
        description = {"Encode texts with a pretrained encoder and write the hidden states as a NumPy .npy file.",
                "Also writes OUTPUT's stem + .tokens.json: per text, its tokens, ids and attention mask "
                        + "(position t of the .npy is token t; padding has mask 0)."})
final class EncodeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "NAME|DIR",
            description = "A catalogue name (finetune4j models) or a Hugging Face checkpoint folder.")
    String model;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Truncate each text to N tokens, [CLS] and [SEP] included (default: the model's "
                    + "maximum, usually 512).")
    Integer maxLength;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.npy",
            description = "The .npy file to write (float32, C order).")
    Path output;

    @Option(names = "--pooled",
            description = "Write BERT's pooler output [B, H] (dense + tanh over [CLS]) instead of the last "
                    + "hidden state [B, T, H]. Needs a model with a pooler.")
    boolean pooled;

    @Option(names = "--pad-to-max",
            description = "Pad every text to --max-length instead of to the longest text of the input.")
    boolean padToMax;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "Read the texts from FILE, one per line (UTF-8; blank lines skipped; - for stdin).")
    Path input;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "The texts to encode.")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        List<String> all = readTexts();
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, not " + batchSize);
        PrintWriter err = spec.commandLine().getErr();

        Backbone backbone = Backbone.load(model);
        WordPieceTokenizer tok = backbone.tokenizer();
        int modelMax = Math.min(tok.modelMaxLength(), backbone.config().maxPositions());
        int n = maxLength == null ? modelMax : maxLength;
        if (n < 2) throw new IllegalArgumentException("--max-length " + n + " leaves no room for [CLS] and [SEP]");
        if (n > backbone.config().maxPositions()) {
            throw new IllegalArgumentException("--max-length " + n + " exceeds the " + backbone.config().maxPositions()
                    + " positions of " + backbone.name());
        }
        if (pooled && !backbone.config().hasPooler()) {
            throw new ModelException(backbone.name() + " has no pooler (its checkpoint ships without one): "
                    + "leave out --pooled to write the last hidden state");
        }

        BatchEncoding enc = tok.encodeBatch(all, n, !padToMax);
        int b = enc.size(), t = enc.sequenceLength(), h = backbone.config().hiddenSize();
        long[] shape = pooled ? new long[]{b, h} : new long[]{b, t, h};

        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        BertInference encoder = new BertInference(backbone.config(), backbone.weights());
        try (NpyWriter npy = new NpyWriter(output, shape)) {
            for (int start = 0; start < b; start += batchSize) {
                int end = Math.min(b, start + batchSize);
                BertInference.Output o = encoder.forward(rows(enc.inputIds(), start, end),
                        rows(enc.tokenTypeIds(), start, end), rows(enc.attentionMask(), start, end));
                INDArray a = pooled ? o.pooled() : o.lastHidden();
                npy.write(a.castTo(DataType.FLOAT).dup('c').data().asFloat());
            }
        }
        Path sidecar = sidecar(output);
        writeTokens(sidecar, backbone, n, shape, all, enc);

        int truncated = 0;
        StringJoiner counts = new StringJoiner(", ");
        for (int i = 0; i < b; i++) {
            counts.add(Integer.toString(enc.length(i)));
            if (tok.tokenIds(all.get(i)).length + 2 > n) truncated++;
        }
        err.println("finetune4j: encoded " + b + (b == 1 ? " text" : " texts") + " with " + backbone.name()
                + ": shape " + Arrays.toString(shape) + " float32 -> " + output);
        err.println("finetune4j: tokens per text (with [CLS]/[SEP]): " + abbreviate(counts.toString())
                + (truncated > 0 ? "; " + truncated + " truncated to " + n : "") + "; tokens and masks -> " + sidecar);
        err.flush();
        return 0;
    }

    private List<String> readTexts() throws IOException {
        if (input != null && !texts.isEmpty()) {
            throw new IllegalArgumentException("give the texts either as arguments or with --input, not both");
        }
        List<String> all = new ArrayList<>(texts);
        if (input != null) {
            BufferedReader r = input.toString().equals("-")
                    ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(input, StandardCharsets.UTF_8);
            try {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) all.add(line);
                }
            } finally {
                if (!input.toString().equals("-")) r.close();
            }
            if (all.isEmpty()) throw new IllegalArgumentException(input + ": no texts (every line is blank)");
        }
        if (all.isEmpty()) throw new IllegalArgumentException("no texts to encode: give them as arguments or with --input FILE");
        return all;
    }

    /** {@code x.npy} -> {@code x.tokens.json}; any other name gets {@code .tokens.json} appended. */
    static Path sidecar(Path npy) {
        String name = npy.getFileName().toString();
        String stem = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        return npy.resolveSibling(stem + ".tokens.json");
    }

    private static int[][] rows(int[][] a, int start, int end) {
        return Arrays.copyOfRange(a, start, end);
    }

    /** One JSON object per line under "texts", so the file stays readable and diffable. */
    private static void writeTokens(Path file, Backbone backbone, int maxLength, long[] shape, List<String> texts,
                                    BatchEncoding enc) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("model", backbone.name());
            head.put("max_length", maxLength);
            head.put("shape", shape);
            String h = JSON.writeValueAsString(head);
            w.write(h.substring(0, h.length() - 1) + ", \"texts\": [\n");
            for (int i = 0; i < texts.size(); i++) {
                int[] ids = enc.inputIds()[i];
                List<String> tokens = new ArrayList<>(ids.length);
                for (int id : ids) tokens.add(backbone.tokenizer().idToToken(id));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("text", texts.get(i));
                row.put("length", enc.length(i));
                row.put("tokens", tokens);
                row.put("input_ids", ids);
                row.put("attention_mask", enc.attentionMask()[i]);
                w.write("  " + JSON.writeValueAsString(row) + (i + 1 < texts.size() ? ",\n" : "\n"));
            }
            w.write("]}\n");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + ", ...";
    }
}
