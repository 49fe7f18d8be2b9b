package io.finetune4j.framework.finetune;

import io.finetune4j.framework.config.RunConfig.DataArgs;
import io.finetune4j.framework.config.RunConfig.Ratios;
import io.finetune4j.framework.data.DatasetCatalogue;
import io.finetune4j.framework.data.DatasetException;
import io.finetune4j.framework.data.DatasetReader;
import io.finetune4j.framework.data.ReadOptions;
import io.finetune4j.framework.data.Splits;
import io.finetune4j.framework.data.TextDataset;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The data of a run, read and checked before any model is loaded: the training file split (by a field, by ratios
 * or against a test file), sampled and held out as the {@code dataset} settings say.
 */
public record RunData(TextDataset train, TextDataset validation, TextDataset test) {

    /** The demo run's dataset, when no training data is given: the built-in Rotten Tomatoes sentences. */
    public static final String DEMO_DATA = "mr";
    /** The demo run's samples. */
    static final int DEMO_TRAIN = 600, DEMO_TEST = 300;

    /**
     * @param base     the folder relative data paths start from (an experiment file's folder; the current one)
     * @param seed     the training seed: the data seed unless {@code data_seed} is set
     * @param notes    gets a line for the user about each thing done (a dataset fetched, a file split)
     */
    public static RunData prepare(DataArgs d, Path base, long seed, Consumer<String> notes) {
        boolean demo = d.path() == null;
        Path trainFile = file(demo ? DEMO_DATA : d.path(), base, notes);
        ReadOptions ro = ReadOptions.defaults().withTextField(d.textField()).withMultiLabel(d.multiLabel())
                .withFormat(d.format());
        long dataSeed = d.dataSeed() != null ? d.dataSeed() : seed;
        if (d.textPairField() != null) ro = ro.withTextPairField(d.textPairField());
        if (d.labelField() != null) ro = ro.withLabelField(d.labelField());
        if (d.labels() != null) ro = ro.withLabels(d.labels());

        TextDataset all = DatasetReader.read(trainFile, ro);
        TextDataset train, test, validation = null;
        boolean heldOut = d.validationPath() != null || d.validationFraction() > 0;
        if (d.splitField() != null) {
            Map<String, TextDataset> parts = Splits.groupBy(all, d.splitField());
            if (parts.isEmpty()) throw new DatasetException(trainFile + ": no row has the split field '" + d.splitField() + "'");
            train = part(parts, trainFile, d.splitField(), "train");
            test = d.testPath() == null ? part(parts, trainFile, d.splitField(), "test")
                    : DatasetReader.read(file(d.testPath(), base, notes), ro.withLabels(train.labelNames()));
            for (String v : List.of("validation", "dev", "val")) {
                if (parts.containsKey(v) && !heldOut) {
                    validation = parts.get(v);
                    break;
                }
            }
        } else if (d.testPath() != null) {
            train = all;
            test = DatasetReader.read(file(d.testPath(), base, notes), ro.withLabels(train.labelNames()));
        } else {
            Ratios r = d.split() != null ? d.split() : new Ratios(0.75, 0, 0.25);
            double[] ratios = {r.train(), r.validation(), r.test()};
            Splits.Split s = d.stratify() ? Splits.stratified(all, ratios[0], ratios[1], ratios[2], dataSeed)
                    : Splits.shuffled(all, ratios, dataSeed);
            train = s.train().requireNonEmpty();
            test = s.test().requireNonEmpty();
            if (ratios[1] > 0 && !heldOut) validation = s.validation().requireNonEmpty();
            notes.accept("no test data: a " + (d.stratify() ? "stratified " : "") + percentages(ratios) + " split (seed "
                    + dataSeed + ") of " + trainFile + " gives " + train.size() + " training"
                    + (validation != null ? ", " + validation.size() + " validation" : "") + " and " + test.size()
                    + " test examples");
        }
        if (d.validationPath() != null) {
            validation = DatasetReader.read(file(d.validationPath(), base, notes), ro.withLabels(train.labelNames()));
        }

        Integer trainLimit = d.maxTrainSamples(), testLimit = d.maxTestSamples();
        if (demo) {
            if (trainLimit == null) trainLimit = DEMO_TRAIN;
            if (testLimit == null) testLimit = DEMO_TEST;
            notes.accept("demo run: " + trainLimit + " training and " + testLimit + " test examples of " + trainFile
                    + " (pass --train-data FILE|NAME for your own data)");
        }
        if (trainLimit != null) train = Splits.limit(train, trainLimit, dataSeed);
        if (d.fraction() != null && d.fraction() < 1.0) train = Splits.fraction(train, d.fraction(), dataSeed);
        if (testLimit != null) test = Splits.limit(test, testLimit, dataSeed + 1);
        if (d.validationFraction() > 0) {
            Splits.Split s = Splits.stratified(train, 1 - d.validationFraction(), d.validationFraction(), 0, dataSeed);
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
        return new RunData(train, validation, test);
    }

    /** A data argument as a file: a path, or a dataset name fetched or unpacked on first use. */
    private static Path file(String nameOrPath, Path base, Consumer<String> notes) {
        return DatasetCatalogue.materialize(nameOrPath, base, notes);
    }

    private static TextDataset part(Map<String, TextDataset> parts, Path file, String field, String value) {
        TextDataset d = parts.get(value);
        if (d == null) {
            throw new DatasetException(file + ": no row has " + field + " = '" + value + "' (values: " + parts.keySet()
                    + ")");
        }
        return d;
    }

    /** 0.75, 0, 0.25 → {@code 75/25}; 0.8, 0.1, 0.1 → {@code 80/10/10}. */
    private static String percentages(double[] r) {
        double sum = r[0] + r[1] + r[2];
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            if (i == 1 && r[1] == 0) continue;
            if (sb.length() > 0) sb.append('/');
            sb.append(Math.round(100 * r[i] / sum));
        }
        return sb.toString();
    }
}
