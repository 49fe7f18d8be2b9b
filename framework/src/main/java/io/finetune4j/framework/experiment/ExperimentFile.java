package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.config.RunConfig.DataArgs;
import io.finetune4j.framework.config.RunConfig.ModelArgs;
import io.finetune4j.framework.config.RunConfig.TrainingArgs;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.config.SettingsYaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * An experiment file ({@code experiments/NAME.yaml}) as typed records. {@link #load} reads and validates it before
 * anything runs: every problem is reported as {@code FILE:LINE:COLUMN: what is wrong} ({@link ExperimentException}).
 * The sections {@code dataset}, {@code model} and {@code training} are the run settings of {@link RunConfig}
 * (bound by {@link Settings}: Hugging Face's names and the earlier ones); the other sections are read by Jackson.
 * Keys are snake_case; unknown keys are errors; no class named in the file is ever instantiated.
 */
public record ExperimentFile(String name, String description, DataArgs dataset, ModelArgs model, TrainingArgs training,
                             Evaluation evaluation, List<Long> seeds, Sweep sweep, Embeddings embeddings,
                             AnalysisSection analysis, Spark spark) {

    /** The sections of run settings, by their name in the file. */
    static final Map<String, Class<?>> SETTINGS = settingsSections();

    private static Map<String, Class<?>> settingsSections() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("dataset", DataArgs.class);
        m.put("model", ModelArgs.class);
        m.put("training", TrainingArgs.class);
        return m;
    }

    /** The sections Jackson reads. */
    record Other(String name, String description, Evaluation evaluation, List<Long> seeds, Sweep sweep,
                 Embeddings embeddings, AnalysisSection analysis, Spark spark) {
    }

    /** One section of the file by name ({@code dataset}, {@code model}, {@code training}, ...). */
    Object section(String name) {
        return switch (name) {
            case "dataset" -> dataset;
            case "model" -> model;
            case "training" -> training;
            case "evaluation" -> evaluation;
            case "embeddings" -> embeddings;
            default -> throw new IllegalArgumentException("no section " + name);
        };
    }

    /** The file with one section replaced. */
    ExperimentFile with(String name, Object section) {
        return new ExperimentFile(this.name, description, name.equals("dataset") ? (DataArgs) section : dataset,
                name.equals("model") ? (ModelArgs) section : model,
                name.equals("training") ? (TrainingArgs) section : training,
                name.equals("evaluation") ? (Evaluation) section : evaluation, seeds, sweep,
                name.equals("embeddings") ? (Embeddings) section : embeddings, analysis, spark);
    }

    /** The run settings of the file (output not set: the runner gives each trial its folder). */
    public RunConfig runConfig() {
        return new RunConfig(dataset, model, training, Settings.defaults(RunConfig.OutputArgs.class));
    }

    public record Evaluation(String metric) {
    }

    /**
     * How the trials run with {@code run --spark MASTER} (the command line's {@code --parallelism} and
     * {@code --threads-per-trial} win): at most {@code parallelism} trials at once, each with
     * {@code threadsPerTrial} native threads. Ignored without {@code --spark}; no part of a trial's hash.
     */
    public record Spark(Integer parallelism, Integer threadsPerTrial) {
    }

    /**
     * Classifiers on fixed sentence embeddings instead of (or, with {@code compare: true}, beside) fine-tuning:
     * each trial writes one result line per method ({@link io.finetune4j.framework.baselines.EmbeddingMethods}).
     * {@code pooling} (mean or cls) is for logistic_regression, centroid and zero_shot; feature_extraction always
     * takes [CLS]. {@code l2} is the logistic regression's penalty (scikit-learn's 1 / C); {@code standardize}
     * scales features to unit variance first (default false: on unit-norm embeddings it overfits small sets). Unset fields take the defaults below.
     */
    public record Embeddings(List<String> methods, String pooling, Integer maxLength, Integer batchSize,
                             Map<String, String> labelDescriptions, Double l2, Boolean standardize, Boolean compare) {
        public String poolingOrDefault() {
            return pooling == null ? "mean" : pooling;
        }

        public int maxLengthOrDefault() {
            return maxLength == null ? 128 : maxLength;
        }

        public int batchSizeOrDefault() {
            return batchSize == null ? 32 : batchSize;
        }

        public double l2OrDefault() {
            return l2 == null ? 1.0 : l2;
        }

        public boolean standardizeOrDefault() {
            return Boolean.TRUE.equals(standardize);
        }

        /** Fine-tuning runs too (one more line per trial, method {@code fine_tune}). */
        public boolean comparing() {
            return Boolean.TRUE.equals(compare);
        }

        public Map<String, String> labelDescriptionsOrEmpty() {
            return labelDescriptions == null ? Map.of() : labelDescriptions;
        }
    }

    /**
     * What varies. {@code parameters}: dotted path → a list of values, or {@code {min, max, log}} (random only).
     * {@code tied}: groups of value maps that move together (one discrete parameter over the map index).
     */
    public record Sweep(String method, Integer trials, Long seed, Map<String, JsonNode> parameters,
                        List<List<Map<String, JsonNode>>> tied) {
    }

    public static final List<String> METHODS = List.of("grid", "random");
    public static final List<String> EMBEDDING_METHODS = io.finetune4j.framework.baselines.EmbeddingMethods.METHODS;
    public static final List<String> EMBEDDING_POOLINGS = List.of("mean", "cls");
    public static final List<String> METRICS = List.of("accuracy", "macro_f1", "weighted_f1", "micro_f1",
            "samples_f1", "subset_accuracy", "roc_auc", "roc_auc_micro", "roc_auc_macro", "macro_precision",
            "macro_recall", "hamming_loss", "loss");

    /** The sort metric in effect: {@code evaluation.metric}, else accuracy (micro_f1 for multi-label data). */
    public String sortMetric() {
        if (evaluation != null && evaluation.metric() != null) return evaluation.metric();
        return dataset != null && dataset.multiLabel() ? "micro_f1" : "accuracy";
    }

    /** The seeds every candidate runs with: {@code seeds}, else {@code [42]}. */
    public List<Long> seedList() {
        return seeds == null || seeds.isEmpty() ? List.of(42L) : seeds;
    }

    // ---- loading -------------------------------------------------------------------------------------------------

    static final ObjectMapper MAPPER = YAMLMapper.builder(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    /** A loaded file: the typed records, the raw tree (for sweeps) and where each key and value is. */
    public record Loaded(Path file, String text, ExperimentFile experiment, ObjectNode tree,
                         Map<String, JsonLocation> locations) {

        /** An {@link ExperimentException} located at the JSON pointer {@code pointer} (or its nearest parent). */
        public ExperimentException error(String pointer, String what) {
            JsonLocation loc = YamlTree.locate(locations, pointer);
            return new ExperimentException(file.toString(), loc == null ? 0 : loc.getLineNr(),
                    loc == null ? 0 : loc.getColumnNr(), what);
        }

        /** The folder of the YAML file. */
        public Path folder() {
            Path p = file.toAbsolutePath().getParent();
            return p == null ? Path.of("").toAbsolutePath() : p;
        }
    }

    /** Reads and validates {@code file}. */
    public static Loaded load(Path file) throws IOException {
        return parse(file, Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses and validates {@code text} read from {@code file} (the name in messages; not read). */
    public static Loaded parse(Path file, String text) {
        String name = file.toString();
        Map<String, JsonLocation> locations;
        JsonNode root;
        try {
            locations = YamlTree.index(text);
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new ExperimentException(name, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                    "not valid YAML: " + yamlProblem(e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ExperimentException(name, 1, 1, "the file is empty");
        }
        if (!root.isObject()) {
            throw new ExperimentException(name, 1, 1, "expected a mapping of sections (name, dataset, model, "
                    + "training, evaluation, seeds, sweep, embeddings), not " + YamlTree.kind(root));
        }
        ObjectNode tree = (ObjectNode) root;
        Loaded partial = new Loaded(file, text, null, tree, locations);
        ExperimentFile ef = convert(partial, tree, "");
        Loaded loaded = new Loaded(file, text, ef, tree, locations);
        Validation.check(loaded);
        return loaded;
    }

    /** SnakeYAML's multi-line message without its "in 'reader', line ..." excerpts. */
    static String yamlProblem(String m) {
        if (m == null) return "";
        List<String> keep = new ArrayList<>();
        String[] lines = m.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            if (t.startsWith("in 'reader'") || t.startsWith("in 'string'")) {
                i += 2;                                   // the excerpt line and its caret
                continue;
            }
            if (!t.isEmpty()) keep.add(t);
        }
        return String.join(" ", keep);
    }

    /**
     * Converts a (possibly modified) tree to records; an error is located in the file, at
     * {@code pointerForErrors} when it is not empty (a swept value checked in the whole file's context).
     */
    static ExperimentFile convert(Loaded l, JsonNode tree, String pointerForErrors) {
        SettingsYaml.Locator at = (ptr, what) -> l.error(pointerForErrors.isEmpty() ? ptr : pointerForErrors, what);
        ObjectNode rest = ((ObjectNode) tree).deepCopy();
        Map<String, Object> sections = new LinkedHashMap<>();
        for (Map.Entry<String, Class<?>> e : SETTINGS.entrySet()) {
            JsonNode section = rest.remove(e.getKey());
            if (section != null && !section.isObject() && !section.isNull()) {
                throw at.error("/" + e.getKey(), e.getKey() + ": expected a mapping, got " + YamlTree.kind(section));
            }
            sections.put(e.getKey(), section == null || section.isNull() ? null
                    : SettingsYaml.bind(e.getValue(), (ObjectNode) section, "/" + e.getKey(), at));
        }
        Other o;
        try {
            o = MAPPER.treeToValue(rest, Other.class);
        } catch (JsonMappingException e) {
            String pointer = YamlTree.pointer(e.getPath());
            String where = YamlTree.dotted(e.getPath());
            String what;
            if (e instanceof UnrecognizedPropertyException u) {
                String section = YamlTree.dotted(e.getPath().subList(0, e.getPath().size() - 1));
                List<String> known = YamlTree.known(u.getKnownPropertyIds());
                if (section.isEmpty()) known.addAll(SETTINGS.keySet());
                what = "unknown key '" + u.getPropertyName() + "'" + (section.isEmpty() ? "" : " in " + section)
                        + " (known: " + String.join(", ", new TreeSet<>(known)) + ")";
            } else if (e instanceof InvalidFormatException f) {
                what = where + ": expected " + YamlTree.typeName(f.getTargetType()) + ", got '" + f.getValue() + "'";
            } else if (e instanceof MismatchedInputException m) {
                JsonNode actual = YamlTree.at(rest, pointer);
                what = where + ": expected " + YamlTree.typeName(m.getTargetType())
                        + (actual == null ? "" : ", got " + YamlTree.kind(actual));
            } else {
                what = where + ": " + e.getOriginalMessage();
            }
            throw at.error(pointer, what);
        } catch (JsonProcessingException e) {
            throw at.error("", e.getOriginalMessage());
        }
        ModelArgs model = (ModelArgs) sections.get("model");
        TrainingArgs training = (TrainingArgs) sections.get("training");
        return new ExperimentFile(o.name(), o.description(), (DataArgs) sections.get("dataset"),
                model != null ? model : Settings.defaults(ModelArgs.class),
                training != null ? training : Settings.defaults(TrainingArgs.class), o.evaluation(), o.seeds(),
                o.sweep(), o.embeddings(), o.analysis(), o.spark());
    }
}
