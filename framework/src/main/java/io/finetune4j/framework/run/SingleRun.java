package io.finetune4j.framework.run;

import static io.finetune4j.framework.io.Files2.deleteTree;
import static io.finetune4j.framework.io.Files2.writeAtomically;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.finetune4j.framework.data.DatasetCatalogue;
import io.finetune4j.framework.data.DatasetException;
import io.finetune4j.framework.data.DatasetReader;
import io.finetune4j.framework.data.Example;
import io.finetune4j.framework.data.ReadOptions;
import io.finetune4j.framework.data.Splits;
import io.finetune4j.framework.data.TextDataset;
import io.finetune4j.framework.eval.ClassificationReport;
import io.finetune4j.framework.eval.MultiLabelMetrics;
import io.finetune4j.framework.eval.PredictionRecord;
import io.finetune4j.framework.eval.PredictionsWriter;
import io.finetune4j.framework.eval.RocAuc;
import io.finetune4j.framework.eval.ThresholdTuning;
import io.finetune4j.framework.model.HeadConfig;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.framework.train.Trainer;
import io.finetune4j.framework.train.TrainingData;
import io.finetune4j.framework.train.TrainOptions;
import io.finetune4j.framework.train.TrainingListener;
import io.finetune4j.models.Backbone;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One fine-tuning run, start to finish: read and validate the data (before any model is loaded), split it, build
 * the classifier, train, evaluate on the test set and write {@code metrics.json}, {@code report.txt},
 * {@code confusion.png}, {@code confusion_normalised.png}, {@code predictions.jsonl} and the model folder
 * {@code model/}. The {@code train} command is a thin wrapper; an experiment runner can fill {@link Options} from
 * its own configuration and call {@link #run} per run.
 */
public final class SingleRun {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The dataset of the demo run (no training data given): the built-in Rotten Tomatoes sentences. */
    public static final String DEMO_DATA = "mr";
    public static final String DEFAULT_MODEL = "all-MiniLM-L6-v2";

    /** Everything a run needs. Null fields are resolved (defaults, demo data) by {@link #run}. */
    public static final class Options {
        public String model = DEFAULT_MODEL;
        public Path trainData;
        public Path testData;
        public Path validationData;
        public double validationFraction = 0;
        public int maxLength = 128;
        public int batchSize = 16;
        public double learningRate = 5e-5;
        public int epochs = 1;
        public long seed = 42;
        public Integer headHidden;          // null = the backbone's hidden size
        public String activation = "tanh";
        public double dropout = 0.1;
        public String pooling;              // null = pooler when the backbone has one, else cls
        public boolean multiLabel;
        public String classWeights = "none";
        public boolean oversample;
        public double warmupRatio = 0;
        public String schedule = "linear";
        public double weightDecay = 0.01;
        public double maxGradNorm = 1.0;
        public String freeze = "none";
        public int patience = 0;
        public String monitor = "val_loss";
        public int gradientAccumulation = 1;
        public boolean bucketByLength;
        public String textField = "text";
        public String textPairField;
        public String labelField;           // null = label (labels when multi-label)
        public String splitField;
        /** The label names in a fixed order (every row's label must be one); null = from the data. */
        public List<String> labels;
        public Integer trainLimit;
        public Integer testLimit;
        public Double trainFraction;        // null = all; else a stratified, seeded fraction of the training rows
        /** File format: null = from the name (see {@link ReadOptions.Format}). */
        public ReadOptions.Format format;
        /**
         * Split ratios {train, validation, test} of the training file when there is neither a test file nor a split
         * field; null = 75/0/25. A validation share gives a validation set.
         */
        public double[] splitRatios;
        /** Whether that split (and the limits) keep the label proportions; false = a seeded shuffle. */
        public boolean stratify = true;
        /** Seed of the data split, limits and fraction; null = {@link #seed}. An experiment fixes it across seeds. */
        public Long dataSeed;
        public Path output;
        public boolean force;
        /** Progress display: {@code auto} (a redrawn line on a terminal, else log lines), {@code bar}, {@code log}, {@code none}. */
        public String progress = "auto";
    }

    /** What a run produced. */
    public record Result(Path outputDir, Map<String, Object> metrics, String report) {
    }

    /** The data of a run, read and checked. */
    public record Data(TextDataset train, TextDataset validation, TextDataset test, List<String> notes) {
    }

    private SingleRun() {
    }

    /** Runs {@code o}; progress and the final report go to {@code out}. */
    public static Result run(Options o, PrintWriter out) throws IOException {
        checkOptions(o);
        Path dir = o.output != null ? o.output
                : Path.of("runs", "train-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(dir.resolve("metrics.json")) && !o.force) {
            throw new IllegalArgumentException(dir + " already holds a run (metrics.json): choose another --output "
                    + "or pass --force to overwrite it");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": exists and is not a directory");
        }

        Data data = prepareData(o);
        for (String n : data.notes()) out.println("finetune4j: " + n);

        Backbone backbone = Backbone.load(o.model);
        int maxPositions = backbone.config().maxPositions();
        if (o.maxLength > maxPositions) {
            throw new IllegalArgumentException("--max-length " + o.maxLength + " exceeds the " + maxPositions
                    + " positions of " + backbone.name());
        }
        String pooling = o.pooling != null ? o.pooling : backbone.config().hasPooler() ? "pooler" : "cls";
        if ("pooler".equals(pooling) && !backbone.config().hasPooler()) {
            throw new IllegalArgumentException(backbone.name() + " has no pooler: use --pooling cls or mean");
        }
        int hidden = o.headHidden != null ? o.headHidden : backbone.config().hiddenSize();
        List<String> labels = data.train().labelNames();
        boolean multi = data.train().multiLabel();
        HeadConfig head = new HeadConfig(pooling, hidden, o.activation, o.dropout, labels, multi);
        TrainOptions topts = new TrainOptions(o.maxLength, o.batchSize, o.learningRate, o.epochs, o.warmupRatio,
                "linear".equals(o.schedule), o.weightDecay, o.maxGradNorm, o.gradientAccumulation, o.seed, o.freeze,
                o.monitor, o.patience, o.bucketByLength);

        TextDataset trainSet = o.oversample ? Splits.oversample(data.train(), o.seed) : data.train();
        double[] classWeights = classWeights(o.classWeights, trainSet);
        TrainingData train = trainingData(trainSet, classWeights);
        TrainingData validation = data.validation() == null ? null : trainingData(data.validation(), null);
        TrainingData test = trainingData(data.test(), null);

        Map<String, Object> config = resolvedConfig(o, backbone, dir, head, data);
        out.println("finetune4j: fine-tuning " + backbone.name() + " on " + trainSet.size() + " examples ("
                + labels.size() + (multi ? " labels, multi-label" : " classes") + "), validation "
                + (validation == null ? "none" : validation.size()) + ", test " + test.size() + "; max length "
                + o.maxLength + ", batch " + o.batchSize + ", " + o.epochs + (o.epochs == 1 ? " epoch" : " epochs")
                + " -> " + dir);
        out.flush();

        TextClassifier model = TextClassifier.create(backbone, head, o.seed);
        TrainingListener listener = ProgressListener.create(o.progress, out);
        Trainer.Result fit;
        try (StdoutFilter ignored = StdoutFilter.install()) {
            fit = new Trainer(model, topts, listener).fit(train, validation);
        }

        // ---- evaluation ------------------------------------------------------------------------------------------
        Files.createDirectories(dir);
        Map<String, Object> metrics = new LinkedHashMap<>();
        double[] thresholds = null;
        Map<String, Object> validationMetrics = null;
        List<PredictionRecord> validationRecords = new ArrayList<>();
        if (multi) {
            thresholds = new double[labels.size()];
            Arrays.fill(thresholds, 0.5);
            if (validation != null) {
                TextClassifier.Evaluation ve = model.evaluate(validation, o.maxLength, evalBatch(o));
                thresholds = ThresholdTuning.bestPerLabelThresholds(multiHot(data.validation()), ve.probabilities())
                        .thresholds();
                validationMetrics = multiLabelMetrics(data.validation(), ve, thresholds);
            }
        } else if (validation != null) {
            TextClassifier.Evaluation ve = model.evaluate(validation, o.maxLength, evalBatch(o));
            validationMetrics = singleLabelMetrics(data.validation(), ve).metrics;
            List<Example> vex = data.validation().examples();
            for (int i = 0; i < vex.size(); i++) {      // for analyses that calibrate on validation data
                validationRecords.add(PredictionRecord.singleLabel(i, vex.get(i).text(), vex.get(i).label(),
                        ve.probabilities()[i], ve.exampleLoss()[i], labels));
            }
        }
        TextClassifier.Evaluation te = model.evaluate(test, o.maxLength, evalBatch(o));
        String report;
        List<PredictionRecord> records = new ArrayList<>();
        List<Example> tex = data.test().examples();
        if (multi) {
            Map<String, Object> m = multiLabelMetrics(data.test(), te, thresholds);
            metrics.put("test", m);
            // What a model that never predicts a label scores: most Reuters documents have none, so subset
            // accuracy alone flatters; micro-F1 and Hamming loss against this baseline tell.
            double[][] nothing = new double[data.test().size()][labels.size()];
            MultiLabelMetrics none = MultiLabelMetrics.of(multiHot(data.test()), nothing, 0.5);
            metrics.put("baseline_predict_nothing", Map.of("subset_accuracy", none.subsetAccuracy(),
                    "hamming_loss", none.hammingLoss(), "micro_f1", none.microF1()));
            MultiLabelMetrics mm = MultiLabelMetrics.of(multiHot(data.test()), te.probabilities(), thresholds);
            report = multiLabelReport(mm, labels);
            for (int i = 0; i < tex.size(); i++) {
                records.add(PredictionRecord.multiLabel(i, tex.get(i).text(), tex.get(i).labels(),
                        te.probabilities()[i], thresholds, te.exampleLoss()[i], labels));
            }
        } else {
            SingleLabel s = singleLabelMetrics(data.test(), te);
            metrics.put("test", s.metrics);
            report = s.report.format(4) + "\nConfusion matrix (rows: true, columns: predicted)\n"
                    + s.report.confusionMatrix().formatTable(false);
            writePng(s, dir);
            for (int i = 0; i < tex.size(); i++) {
                records.add(PredictionRecord.singleLabel(i, tex.get(i).text(), tex.get(i).label(),
                        te.probabilities()[i], te.exampleLoss()[i], labels));
            }
        }
        if (validationMetrics != null) metrics.put("validation", validationMetrics);
        if (thresholds != null) metrics.put("thresholds", thresholdMap(labels, thresholds));
        metrics.put("train_seconds", fit.trainSeconds());
        metrics.put("train_samples_per_second", fit.samplesPerSecond());
        metrics.put("train_tokens_per_second", fit.tokensPerSecond());
        metrics.put("train_steps", fit.steps());
        metrics.put("train_samples", fit.trainedSamples());
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (Trainer.EpochResult e : fit.epochs()) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("epoch", e.epoch());
            em.put("train_loss", finite(e.trainLoss()));
            em.put("val_loss", finite(e.validationLoss()));
            em.put("val_accuracy", finite(e.validationAccuracy()));
            em.put("val_macro_f1", finite(e.validationMacroF1()));
            em.put("seconds", e.seconds());
            em.put("samples_per_second", e.samplesPerSecond());
            em.put("tokens_per_second", e.tokensPerSecond());
            epochs.add(em);
        }
        metrics.put("epochs", epochs);
        metrics.put("best_epoch", fit.bestEpoch());
        metrics.put("seed", o.seed);
        metrics.put("model", backbone.name());
        metrics.put("config", config);

        // ---- outputs ---------------------------------------------------------------------------------------------
        Path modelDir = dir.resolve("model");
        Path tmpModel = dir.resolve(".model.tmp");
        deleteTree(tmpModel);
        model.save(tmpModel);
        if (thresholds != null) writeAtomically(tmpModel.resolve("thresholds.json"),
                JSON.writeValueAsString(thresholdMap(labels, thresholds)));
        deleteTree(modelDir);
        Files.move(tmpModel, modelDir);
        PredictionsWriter.writeJsonl(dir.resolve("predictions.jsonl"), records);
        if (!validationRecords.isEmpty()) {
            PredictionsWriter.writeJsonl(dir.resolve("validation_predictions.jsonl"), validationRecords);
        }
        writeAtomically(dir.resolve("report.txt"), report);
        writeAtomically(dir.resolve("metrics.json"), JSON.writeValueAsString(metrics));

        out.println();
        out.print(report);
        out.println(summary(metrics, multi, fit, dir));
        out.flush();
        return new Result(dir, metrics, report);
    }

    // ---- data --------------------------------------------------------------------------------------------------

    /** Reads, splits, limits and checks the data; fails before any training (or model loading). */
    public static Data prepareData(Options o) {
        List<String> notes = new ArrayList<>();
        boolean demo = o.trainData == null;
        Path trainFile = demo ? demoData(notes) : o.trainData;
        ReadOptions ro = ReadOptions.defaults().withTextField(o.textField).withMultiLabel(o.multiLabel);
        if (o.format != null) ro = ro.withFormat(o.format);
        long dataSeed = o.dataSeed != null ? o.dataSeed : o.seed;
        if (o.textPairField != null) ro = ro.withTextPairField(o.textPairField);
        if (o.labelField != null) ro = ro.withLabelField(o.labelField);
        if (o.labels != null) ro = ro.withLabels(o.labels);

        TextDataset all = DatasetReader.read(trainFile, ro);
        TextDataset train, test, validation = null;
        if (o.splitField != null) {
            Map<String, TextDataset> parts = Splits.groupBy(all, o.splitField);
            if (parts.isEmpty()) {
                throw new DatasetException(trainFile + ": no row has the split field '" + o.splitField + "'");
            }
            train = part(parts, trainFile, o.splitField, "train");
            if (o.testData == null) test = part(parts, trainFile, o.splitField, "test");
            else test = readWithLabels(o.testData, ro, train.labelNames());
            for (String v : List.of("validation", "dev", "val")) {
                if (parts.containsKey(v) && o.validationData == null && o.validationFraction == 0) {
                    validation = parts.get(v);
                    break;
                }
            }
        } else if (o.testData != null) {
            train = all;
            test = readWithLabels(o.testData, ro, train.labelNames());
        } else {
            double[] r = o.splitRatios != null ? o.splitRatios : new double[]{0.75, 0, 0.25};
            Splits.Split s = o.stratify ? Splits.stratified(all, r[0], r[1], r[2], dataSeed)
                    : shuffledSplit(all, r, dataSeed);
            train = s.train().requireNonEmpty();
            test = s.test().requireNonEmpty();
            if (r[1] > 0 && o.validationData == null && o.validationFraction == 0) {
                validation = s.validation().requireNonEmpty();
            }
            notes.add("no --test-data: a " + (o.stratify ? "stratified " : "") + fmtRatios(r) + " split (seed "
                    + dataSeed + ") of " + trainFile + " gives " + train.size() + " training"
                    + (validation != null ? ", " + validation.size() + " validation" : "") + " and " + test.size()
                    + " test examples");
        }
        if (o.validationData != null) validation = readWithLabels(o.validationData, ro, train.labelNames());

        Integer trainLimit = o.trainLimit, testLimit = o.testLimit;
        if (demo) {
            if (trainLimit == null) trainLimit = 600;
            if (testLimit == null) testLimit = 300;
            notes.add("demo run: " + trainLimit + " training and " + testLimit + " test examples of " + trainFile
                    + " (pass --train-data FILE for your own data)");
        }
        if (trainLimit != null) train = limit(train, trainLimit, dataSeed);
        if (o.trainFraction != null && o.trainFraction < 1.0) train = Splits.fraction(train, o.trainFraction, dataSeed);
        if (testLimit != null) test = limit(test, testLimit, dataSeed + 1);
        if (o.validationFraction > 0) {
            Splits.Split s = Splits.stratified(train, 1 - o.validationFraction, o.validationFraction, 0, dataSeed);
            train = s.train();
            validation = s.validation();
        }
        train.requireNonEmpty();
        test.requireNonEmpty();
        if (validation != null) validation.requireNonEmpty();
        if (!train.multiLabel() && train.labelNames().size() < 2) {
            throw new DatasetException(train.source() + ": only one label (" + train.labelNames()
                    + "): a classifier needs at least two");
        }
        return new Data(train, validation, test, notes);
    }

    private static String fmtRatios(double[] r) {
        double sum = r[0] + r[1] + r[2];
        StringBuilder sb = new StringBuilder();
        for (double x : r) {
            if (x == 0 && x == r[1]) continue;
            if (sb.length() > 0) sb.append('/');
            sb.append(Math.round(100 * x / sum));
        }
        return sb.toString();
    }

    /** A seeded, unstratified split by ratios (normalised by their sum). */
    private static Splits.Split shuffledSplit(TextDataset ds, double[] r, long seed) {
        double sum = r[0] + r[1] + r[2];
        if (r[0] < 0 || r[1] < 0 || r[2] < 0 || sum <= 0) {
            throw new IllegalArgumentException("split ratios must be >= 0 with a positive sum");
        }
        int n = ds.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int nTrain = (int) Math.round(n * r[0] / sum);
        int nVal = Math.min(n - nTrain, (int) Math.round(n * r[1] / sum));
        int[] tr = Arrays.copyOfRange(idx, 0, nTrain), va = Arrays.copyOfRange(idx, nTrain, nTrain + nVal),
                te = Arrays.copyOfRange(idx, nTrain + nVal, n);
        Arrays.sort(tr);
        Arrays.sort(va);
        Arrays.sort(te);
        String how = " seed " + seed + "]";
        return new Splits.Split(ds.subset(tr, ds.source() + " [shuffled train" + how),
                ds.subset(va, ds.source() + " [shuffled validation" + how),
                ds.subset(te, ds.source() + " [shuffled test" + how));
    }

    private static TextDataset part(Map<String, TextDataset> parts, Path file, String field, String value) {
        TextDataset d = parts.get(value);
        if (d == null) {
            throw new DatasetException(file + ": no row has " + field + " = '" + value + "' (values: "
                    + parts.keySet() + ")");
        }
        return d;
    }

    /** Reads an evaluation file whose labels must be among the training labels (the reader names file and row). */
    private static TextDataset readWithLabels(Path file, ReadOptions ro, List<String> labels) {
        return DatasetReader.read(file, ro.withLabels(labels));
    }

    /** A stratified subsample of exactly {@code min(n, size)} examples (largest remainder per stratum). */
    public static TextDataset limit(TextDataset ds, int n, long seed) {
        if (n < 1) throw new IllegalArgumentException("a limit must be at least 1, not " + n);
        if (n >= ds.size()) return ds;
        Map<String, List<Integer>> strata = new TreeMap<>();
        for (int i = 0; i < ds.size(); i++) strata.computeIfAbsent(ds.get(i).stratum(), k -> new ArrayList<>()).add(i);
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> keys = new ArrayList<>(strata.keySet());
        int[] take = new int[keys.size()];
        double[] rem = new double[keys.size()];
        int given = 0;
        for (int k = 0; k < keys.size(); k++) {
            double exact = (double) n * strata.get(keys.get(k)).size() / ds.size();
            take[k] = (int) Math.floor(exact);
            rem[k] = exact - take[k];
            given += take[k];
        }
        Integer[] order = new Integer[keys.size()];
        for (int k = 0; k < order.length; k++) order[k] = k;
        Arrays.sort(order, Comparator.comparingDouble((Integer k) -> -rem[k]).thenComparingInt(k -> k));
        for (int j = 0; given < n; j = (j + 1) % order.length) {
            int k = order[j];
            if (take[k] < strata.get(keys.get(k)).size()) {
                take[k]++;
                given++;
            }
        }
        List<Integer> keep = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            List<Integer> idx = new ArrayList<>(strata.get(keys.get(k)));
            for (int i = idx.size() - 1; i > 0; i--) {            // Fisher-Yates, seeded
                int j = rng.nextInt(i + 1);
                Integer t = idx.get(i);
                idx.set(i, idx.get(j));
                idx.set(j, t);
            }
            keep.addAll(idx.subList(0, take[k]));
        }
        keep.sort(null);
        return ds.subset(keep.stream().mapToInt(Integer::intValue).toArray(), ds.source() + " [first " + n
                + " stratified, seed " + seed + "]");
    }

    /** The demo data: the built-in Rotten Tomatoes sentences ({@code mr}), unpacked into the dataset cache once. */
    static Path demoData(List<String> notes) {
        return DatasetCatalogue.materialize(DatasetCatalogue.find(DEMO_DATA).orElseThrow(), notes::add);
    }

    private static TrainingData trainingData(TextDataset ds, double[] classWeights) {
        List<String> texts = new ArrayList<>(ds.size());
        List<String> pairs = ds.size() > 0 && ds.get(0).textPair() != null ? new ArrayList<>(ds.size()) : null;
        for (Example e : ds.examples()) {
            texts.add(e.text());
            if (pairs != null) pairs.add(e.textPair());
        }
        if (ds.multiLabel()) return TrainingData.multiLabel(texts, pairs, multiHot(ds));
        int[] y = ds.examples().stream().mapToInt(Example::label).toArray();
        return TrainingData.multiClass(texts, pairs, y, ds.numLabels(), classWeights);
    }

    private static int[][] multiHot(TextDataset ds) {
        int[][] y = new int[ds.size()][];
        for (int i = 0; i < ds.size(); i++) y[i] = ds.get(i).labels();
        return y;
    }

    private static double[] classWeights(String spec, TextDataset train) {
        if (spec == null || spec.equals("none")) return null;
        if (train.multiLabel()) {
            throw new IllegalArgumentException("--class-weights is for single-label data (multi-label trains "
                    + "every label with weight 1)");
        }
        if (spec.equals("balanced")) return Splits.classWeights(train);
        String[] parts = spec.split(",");
        if (parts.length != train.numLabels()) {
            throw new IllegalArgumentException("--class-weights " + spec + ": " + parts.length + " weights for "
                    + train.numLabels() + " labels " + train.labelNames());
        }
        double[] w = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                w[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--class-weights: '" + parts[i] + "' is not a number");
            }
            if (!(w[i] >= 0)) throw new IllegalArgumentException("--class-weights: weights must be >= 0");
        }
        return w;
    }

    /** Checks the options that need no data or model; throws {@link IllegalArgumentException}. */
    public static void checkOptions(Options o) {
        if (o.validationData != null && o.validationFraction > 0) {
            throw new IllegalArgumentException("give either --validation-data or --validation-fraction, not both");
        }
        if (o.validationFraction < 0 || o.validationFraction >= 1) {
            throw new IllegalArgumentException("--validation-fraction must be in [0, 1), not " + o.validationFraction);
        }
        if (!List.of("linear", "constant").contains(o.schedule)) {
            throw new IllegalArgumentException("--schedule must be linear or constant, not '" + o.schedule + "'");
        }
        if (!List.of("auto", "bar", "log", "none").contains(o.progress)) {
            throw new IllegalArgumentException("progress must be auto, bar, log or none");
        }
        if (o.classWeights != null && !o.classWeights.matches("none|balanced|[0-9.eE+\\-]+(,[0-9.eE+\\-]+)*")) {
            throw new IllegalArgumentException("--class-weights must be balanced, none or w1,w2,..., not '"
                    + o.classWeights + "'");
        }
        if (o.trainLimit != null && o.trainLimit < 1) throw new IllegalArgumentException("--train-limit must be >= 1");
        if (o.testLimit != null && o.testLimit < 1) throw new IllegalArgumentException("--test-limit must be >= 1");
        if (o.trainFraction != null && !(o.trainFraction > 0 && o.trainFraction <= 1)) {
            throw new IllegalArgumentException("--train-fraction must be in (0, 1]");
        }
        if (o.pooling != null) new HeadConfig(o.pooling, 0, o.activation, o.dropout, List.of("a", "b"), false);
        else new HeadConfig("cls", 0, o.activation, o.dropout, List.of("a", "b"), false);
        if (o.headHidden != null && o.headHidden < 0) throw new IllegalArgumentException("--head-hidden must be >= 0");
        new TrainOptions(o.maxLength, o.batchSize, o.learningRate, o.epochs, o.warmupRatio, true, o.weightDecay,
                o.maxGradNorm, o.gradientAccumulation, o.seed, o.freeze, o.monitor, o.patience, o.bucketByLength);
    }

    // ---- metrics -----------------------------------------------------------------------------------------------

    private record SingleLabel(ClassificationReport report, Map<String, Object> metrics, int[] yTrue, int[] yPred) {
    }

    private static SingleLabel singleLabelMetrics(TextDataset ds, TextClassifier.Evaluation ev) {
        int[] yTrue = ds.examples().stream().mapToInt(Example::label).toArray();
        int[] yPred = new int[yTrue.length];
        for (int i = 0; i < yPred.length; i++) yPred[i] = argmax(ev.probabilities()[i]);
        ClassificationReport r = ClassificationReport.of(yTrue, yPred, ds.labelNames());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", r.accuracy());
        m.put("macro_f1", r.macroF1());
        m.put("weighted_f1", r.weightedF1());
        m.put("macro_precision", r.macroPrecision());
        m.put("macro_recall", r.macroRecall());
        m.put("loss", finite(ev.meanLoss()));
        double auc = RocAuc.fromProbabilities(yTrue, ev.probabilities());
        if (Double.isFinite(auc)) m.put("roc_auc", auc);
        m.put("examples", yTrue.length);
        Map<String, Object> perClass = new LinkedHashMap<>();
        Map<String, Object> rm = r.toMap();
        for (String l : ds.labelNames()) perClass.put(l, rm.get(l));
        m.put("per_class", perClass);
        m.put("confusion_matrix", r.confusionMatrix().counts());
        return new SingleLabel(r, m, yTrue, yPred);
    }

    private static Map<String, Object> multiLabelMetrics(TextDataset ds, TextClassifier.Evaluation ev,
                                                         double[] thresholds) {
        MultiLabelMetrics mm = MultiLabelMetrics.of(multiHot(ds), ev.probabilities(), thresholds);
        Map<String, Object> m = new LinkedHashMap<>(mm.toMap());
        m.put("accuracy", mm.subsetAccuracy());
        m.put("loss", finite(ev.meanLoss()));
        m.put("examples", ds.size());
        return m;
    }

    private static String multiLabelReport(MultiLabelMetrics mm, List<String> labels) {
        StringBuilder sb = new StringBuilder();
        int w = Math.max(12, labels.stream().mapToInt(String::length).max().orElse(0));
        String fmt = "%" + w + "s %10s %10s %10s %10s %10s%n";
        sb.append(String.format(fmt, "", "precision", "recall", "f1-score", "support", "threshold"));
        sb.append('\n');
        double[] p = mm.perLabelPrecision(), r = mm.perLabelRecall(), f = mm.perLabelF1(), t = mm.thresholds();
        long[] s = mm.support();
        long total = Arrays.stream(s).sum();
        for (int j = 0; j < labels.size(); j++) {
            sb.append(String.format("%" + w + "s %10.4f %10.4f %10.4f %10d %10.4f%n", labels.get(j), p[j], r[j], f[j],
                    s[j], t[j]));
        }
        sb.append('\n');
        String avg = "%" + w + "s %10.4f %10.4f %10.4f %10d%n";
        sb.append(String.format(avg, "micro avg", mm.micro().precision(), mm.micro().recall(), mm.micro().f1(), total));
        sb.append(String.format(avg, "macro avg", mm.macro().precision(), mm.macro().recall(), mm.macro().f1(), total));
        sb.append(String.format(avg, "weighted avg", mm.weighted().precision(), mm.weighted().recall(),
                mm.weighted().f1(), total));
        sb.append(String.format(avg, "samples avg", mm.samples().precision(), mm.samples().recall(),
                mm.samples().f1(), total));
        sb.append('\n');
        sb.append(String.format("subset accuracy %.4f, hamming loss %.4f, ROC AUC micro %.4f, macro %.4f%n",
                mm.subsetAccuracy(), mm.hammingLoss(), mm.rocAucMicro(), mm.rocAucMacro()));
        return sb.toString();
    }

    private static void writePng(SingleLabel s, Path dir) throws IOException {
        s.report.confusionMatrix().writePng(dir.resolve("confusion.png"), false, "Confusion matrix (counts)");
        s.report.confusionMatrix().writePng(dir.resolve("confusion_normalised.png"), true,
                "Confusion matrix (normalised by true class)");
    }

    private static Map<String, Double> thresholdMap(List<String> labels, double[] t) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int j = 0; j < labels.size(); j++) m.put(labels.get(j), t[j]);
        return m;
    }

    private static String summary(Map<String, Object> metrics, boolean multi, Trainer.Result fit, Path dir) {
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) metrics.get("test");
        String score = multi
                ? String.format("micro F1 %.4f, macro F1 %.4f, subset accuracy %.4f", (Double) t.get("micro_f1"),
                (Double) t.get("macro_f1"), (Double) t.get("subset_accuracy"))
                : String.format("accuracy %.4f, macro F1 %.4f", (Double) t.get("accuracy"), (Double) t.get("macro_f1"));
        return String.format("finetune4j: test %s | trained %d steps in %.1f s (%.1f samples/s, %.0f tokens/s) | -> %s",
                score, fit.steps(), fit.trainSeconds(), fit.samplesPerSecond(), fit.tokensPerSecond(), dir);
    }

    private static Map<String, Object> resolvedConfig(Options o, Backbone backbone, Path dir, HeadConfig head,
                                                      Data data) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model", o.model);
        c.put("backbone", backbone.name());
        c.put("train_data", data.train().source());
        c.put("validation_data", data.validation() == null ? null : data.validation().source());
        c.put("test_data", data.test().source());
        c.put("train_examples", data.train().size());
        c.put("validation_examples", data.validation() == null ? 0 : data.validation().size());
        c.put("test_examples", data.test().size());
        c.put("labels", head.labels());
        c.put("multi_label", head.multiLabel());
        c.put("validation_fraction", o.validationFraction);
        c.put("max_length", o.maxLength);
        c.put("batch_size", o.batchSize);
        c.put("learning_rate", o.learningRate);
        c.put("epochs", o.epochs);
        c.put("seed", o.seed);
        c.put("pooling", head.pooling());
        c.put("head_hidden", head.hiddenSize());
        c.put("activation", head.activation());
        c.put("dropout", head.dropout());
        c.put("class_weights", o.classWeights);
        c.put("oversample", o.oversample);
        c.put("warmup_ratio", o.warmupRatio);
        c.put("schedule", o.schedule);
        c.put("weight_decay", o.weightDecay);
        c.put("max_grad_norm", o.maxGradNorm);
        c.put("freeze", o.freeze);
        c.put("early_stopping_patience", o.patience);
        c.put("monitor", o.monitor);
        c.put("gradient_accumulation", o.gradientAccumulation);
        c.put("bucket_by_length", o.bucketByLength);
        c.put("text_field", o.textField);
        c.put("text_pair_field", o.textPairField);
        c.put("label_field", o.labelField);
        c.put("split_field", o.splitField);
        c.put("train_limit", o.trainLimit);
        c.put("test_limit", o.testLimit);
        c.put("train_fraction", o.trainFraction);
        c.put("output", dir.toString());
        return c;
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static int evalBatch(Options o) {
        return Math.max(o.batchSize, 32);
    }

    private static int argmax(double[] p) {
        int b = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[b]) b = i;
        return b;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }


}
