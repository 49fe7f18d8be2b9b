package io.finetune4j.cli;

import io.finetune4j.framework.data.DatasetCatalogue;
import io.finetune4j.framework.run.SingleRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code finetune4j train}: one fine-tuning run (see {@link SingleRun}). With no arguments it runs a small demo on
 * the built-in Rotten Tomatoes sentences.
 */
@Command(name = "train", sortOptions = false,
        description = {"Fine-tune a classifier on a training file, evaluate it on a test file and write metrics.json, "
                + "report.txt, confusion.png, predictions.jsonl and the model (model/) into --output.",
                "With no arguments: a ~2-minute demo (all-MiniLM-L6-v2 on 600 Rotten Tomatoes sentences, tested on 300)."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "NAME|DIR", defaultValue = SingleRun.DEFAULT_MODEL,
            description = "Backbone: a catalogue name or a Hugging Face checkpoint folder (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--train-data", paramLabel = "FILE|NAME",
            description = "Training data: a file (.jsonl, .csv, .tsv, optionally .gz, or class folders) or a dataset "
                    + "name (see 'finetune4j datasets'; fetched on first use). Default: a demo on 600 sentences of "
                    + "the built-in dataset '" + SingleRun.DEMO_DATA + "'.")
    String trainData;

    @Option(names = "--test-data", paramLabel = "FILE|NAME",
            description = "Test data; its labels must be among the training labels. Default: a stratified 25% of "
                    + "the training data (or the 'test' rows with --split-field).")
    String testData;

    @Option(names = "--validation-data", paramLabel = "FILE|NAME",
            description = "Validation data for per-epoch evaluation, early stopping and multi-label thresholds.")
    String validationData;

    @Option(names = "--validation-fraction", paramLabel = "F", defaultValue = "0",
            description = "Hold out a stratified fraction F of the training data for validation (default: 0).")
    double validationFraction;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Tokens per text, [CLS]/[SEP] included (default: 128; demo: 64).")
    Integer maxLength;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = {"--learning-rate", "--lr"}, paramLabel = "LR", defaultValue = "5e-5",
            description = "Peak learning rate (AdamW; default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seeds the head, shuffling, dropout and splits (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--head-hidden", paramLabel = "N",
            description = "Size of the head's dense layer; 0 = none (default: the backbone's hidden size).")
    Integer headHidden;

    @Option(names = "--activation", paramLabel = "tanh|relu|gelu|linear", defaultValue = "tanh",
            description = "Head activation (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.1", description = "Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--pooling", paramLabel = "pooler|cls|mean",
            description = "Default: pooler when the backbone has one, else cls.")
    String pooling;

    @Option(names = "--multi-label", description = "Labels are lists (sigmoid + binary cross-entropy).")
    boolean multiLabel;

    @Option(names = "--class-weights", paramLabel = "balanced|none|w1,w2,...", defaultValue = "none",
            description = "Per-class loss weights (default: ${DEFAULT-VALUE}).")
    String classWeights;

    @Option(names = "--oversample", description = "Oversample the smaller classes of the training data.")
    boolean oversample;

    @Option(names = "--warmup-ratio", paramLabel = "R", defaultValue = "0.0", description = "Default: ${DEFAULT-VALUE}.")
    double warmupRatio;

    @Option(names = "--schedule", paramLabel = "linear|constant", defaultValue = "linear",
            description = "Learning-rate decay after warm-up (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0.01", description = "Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--max-grad-norm", paramLabel = "N", defaultValue = "1.0",
            description = "Gradient clipping; 0 = off (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--freeze", paramLabel = "none|backbone|top:N", defaultValue = "none",
            description = "What does not learn (default: ${DEFAULT-VALUE}); top:N trains the head and the top N layers.")
    String freeze;

    @Option(names = "--early-stopping-patience", paramLabel = "N", defaultValue = "0",
            description = "Stop after N epochs without improvement on --monitor and restore the best weights "
                    + "(needs validation data; default: 0 = off).")
    int patience;

    @Option(names = "--monitor", paramLabel = "val_loss|val_accuracy|val_macro_f1", defaultValue = "val_loss",
            description = "Default: ${DEFAULT-VALUE}.")
    String monitor;

    @Option(names = "--gradient-accumulation", paramLabel = "N", defaultValue = "1",
            description = "Batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradientAccumulation;

    @Option(names = "--bucket-by-length", description = "Batch texts of similar length together (less padding).")
    boolean bucketByLength;

    @Option(names = "--text-field", paramLabel = "NAME", defaultValue = "text", description = "Default: ${DEFAULT-VALUE}.")
    String textField;

    @Option(names = "--text-pair-field", paramLabel = "NAME", description = "Second text of sentence-pair tasks.")
    String textPairField;

    @Option(names = "--label-field", paramLabel = "NAME",
            description = "Default: label (labels with --multi-label).")
    String labelField;

    @Option(names = "--split-field", paramLabel = "NAME",
            description = "Take train/test (and validation/dev, if present) rows of --train-data by this field.")
    String splitField;

    @Option(names = "--train-limit", paramLabel = "N", description = "Use a stratified N training examples.")
    Integer trainLimit;

    @Option(names = "--train-fraction", paramLabel = "F",
            description = "Use a stratified, seeded fraction F of the training examples (e.g. 0.25).")
    Double trainFraction;

    @Option(names = "--test-limit", paramLabel = "N", description = "Use a stratified N test examples.")
    Integer testLimit;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Default: runs/train-<timestamp>.")
    Path output;

    @Option(names = "--force", description = "Overwrite an --output folder that already holds a run.")
    boolean force;

    @Option(names = "--progress", paramLabel = "auto|bar|log|none", defaultValue = "auto",
            description = "Progress display (default: ${DEFAULT-VALUE}: a bar on a terminal, else log lines).")
    String progress;

    @Override
    public Integer call() throws IOException {
        SingleRun.Options o = new SingleRun.Options();
        o.model = model;
        o.trainData = data(trainData);
        o.testData = data(testData);
        o.validationData = data(validationData);
        o.validationFraction = validationFraction;
        o.maxLength = maxLength != null ? maxLength : trainData == null ? 64 : 128;
        o.batchSize = batchSize;
        o.learningRate = learningRate;
        o.epochs = epochs;
        o.seed = seed;
        o.headHidden = headHidden;
        o.activation = activation;
        o.dropout = dropout;
        o.pooling = pooling;
        o.multiLabel = multiLabel;
        o.classWeights = classWeights;
        o.oversample = oversample;
        o.warmupRatio = warmupRatio;
        o.schedule = schedule;
        o.weightDecay = weightDecay;
        o.maxGradNorm = maxGradNorm;
        o.freeze = freeze;
        o.patience = patience;
        o.monitor = monitor;
        o.gradientAccumulation = gradientAccumulation;
        o.bucketByLength = bucketByLength;
        o.textField = textField;
        o.textPairField = textPairField;
        o.labelField = labelField;
        o.splitField = splitField;
        o.trainLimit = trainLimit;
        o.trainFraction = trainFraction;
        o.testLimit = testLimit;
        o.output = output;
        o.force = force;
        o.progress = progress;
        SingleRun.run(o, spec.commandLine().getOut());
        return 0;
    }

    /** A file, or a dataset name made into its file (fetched on first use); null stays null. */
    private Path data(String nameOrPath) {
        if (nameOrPath == null) return null;
        PrintWriter err = spec.commandLine().getErr();
        return DatasetCatalogue.materialize(nameOrPath, Path.of("").toAbsolutePath(), line -> {
            err.println("finetune4j: " + line);
            err.flush();
        });
    }
}
