package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.framework.data.DatasetCatalogue;
import io.finetune4j.framework.data.DatasetException;
import io.finetune4j.framework.data.ReadOptions;
import io.finetune4j.framework.run.SingleRun;
import io.finetune4j.models.ModelCatalogue;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Expands an experiment file into its trials: Arbiter's {@link GridSearchCandidateGenerator} (sequential: the first
 * listed parameter varies slowest) or {@link RandomSearchGenerator} (seeded) over a {@link SweepSpace}; every
 * candidate runs once per seed unless {@code seed} itself is swept.
 */
public final class ExperimentPlan {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final ObjectMapper TREE = ExperimentFile.MAPPER.copy()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private ExperimentPlan() {
    }

    /** The trials of a loaded file (relative paths resolved against its folder). */
    public static List<Trial> trials(ExperimentFile.Loaded l) {
        return trials(l.experiment(), l.folder());
    }

    /** The trials of {@code ef}, relative paths resolved against the current directory. */
    public static List<Trial> trials(ExperimentFile ef) {
        return trials(ef, Path.of("").toAbsolutePath());
    }

    public static List<Trial> trials(ExperimentFile ef, Path folder) {
        ObjectNode base = TREE.valueToTree(ef);
        base.remove("sweep");
        base.remove("seeds");
        base.remove("name");
        base.remove("description");
        List<Map<String, JsonNode>> candidates = candidates(ef.sweep());
        List<String> swept = sweptPaths(ef.sweep());
        List<Trial> trials = new ArrayList<>();
        for (Map<String, JsonNode> cand : candidates) {
            ObjectNode tree = base.deepCopy();
            Long sweptSeed = null;
            for (Map.Entry<String, JsonNode> e : cand.entrySet()) {
                if (e.getKey().equals("seed")) sweptSeed = e.getValue().asLong();
                else set(tree, e.getKey(), e.getValue());
            }
            ExperimentFile typed;
            try {
                typed = ExperimentFile.MAPPER.treeToValue(tree, ExperimentFile.class);
            } catch (JsonProcessingException ex) {
                throw new IllegalArgumentException("sweep values do not fit the file: " + ex.getOriginalMessage());
            }
            JsonNode typedTree = TREE.valueToTree(typed);
            List<Long> seeds = sweptSeed != null ? List.of(sweptSeed) : ef.seedList();
            for (long seed : seeds) {
                Map<String, Object> params = new LinkedHashMap<>();
                for (String p : swept) {
                    params.put(p, p.equals("seed") ? (Object) seed
                            : JSON.convertValue(typedTree.at("/" + p.replace('.', '/')), Object.class));
                }
                SingleRun.Options o = options(typed, seed, folder);
                Map<String, Object> config = config(typed, o, seed);
                trials.add(new Trial(trials.size(), hash(config), params, seed, o, config, typed.embeddings()));
            }
        }
        return trials;
    }

    /** The swept paths in the order of the file (parameters, then the tied groups' keys). */
    static List<String> sweptPaths(ExperimentFile.Sweep s) {
        List<String> out = new ArrayList<>();
        if (s == null) return out;
        if (s.parameters() != null) out.addAll(s.parameters().keySet());
        if (s.tied() != null) for (List<Map<String, JsonNode>> g : s.tied()) out.addAll(g.get(0).keySet());
        return out;
    }

    /** The sweep's points: each maps swept paths to values. No sweep: one empty point. */
    static List<Map<String, JsonNode>> candidates(ExperimentFile.Sweep s) {
        if (s == null) return List.of(Map.of());
        boolean random = "random".equals(s.method());
        Map<String, ParameterSpace<?>> spaces = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        if (s.parameters() != null) {
            for (Map.Entry<String, JsonNode> e : s.parameters().entrySet()) {
                keys.add("p:" + e.getKey());
            }
        }
        if (s.tied() != null) for (int g = 0; g < s.tied().size(); g++) keys.add("t:" + g);
        if (keys.isEmpty()) return List.of(Map.of());
        // Arbiter's sequential grid varies its first leaf fastest: list them last to first, so the file's first
        // parameter varies slowest (like nested loops in the order written).
        List<String> order = new ArrayList<>(keys);
        if (!random) Collections.reverse(order);
        for (String k : order) {
            if (k.startsWith("p:")) {
                String path = k.substring(2);
                JsonNode v = s.parameters().get(path);
                if (v.isArray()) {
                    spaces.put(k, indexSpace(v.size()));
                } else {
                    Class<?> type = ExperimentFile.SWEEPABLE.get(path);
                    double min = Double.parseDouble(v.get("min").asText()), max = Double.parseDouble(v.get("max").asText());
                    if (type == Integer.class || type == Long.class) {
                        spaces.put(k, new IntegerParameterSpace((int) min, (int) max));
                    } else if (v.has("log") && v.get("log").asBoolean()) {
                        spaces.put(k, new ContinuousParameterSpace(new LogUniformDistribution(min, max)));
                    } else {
                        spaces.put(k, new ContinuousParameterSpace(min, max));
                    }
                }
            } else {
                spaces.put(k, indexSpace(s.tied().get(Integer.parseInt(k.substring(2))).size()));
            }
        }
        SweepSpace space = new SweepSpace(spaces);
        CandidateGenerator gen;
        int n;
        if (random) {
            gen = new RandomSearchGenerator(space, null);
            gen.setRngSeed(s.seed() != null ? s.seed() : 12345L);
            n = s.trials();
        } else {
            GridSearchCandidateGenerator grid = new GridSearchCandidateGenerator(space, 1,
                    GridSearchCandidateGenerator.Mode.Sequential, null);
            gen = grid;
            n = grid.getTotalNumCandidates();
        }
        List<Map<String, JsonNode>> out = new ArrayList<>();
        for (int i = 0; i < n && gen.hasMoreCandidates(); i++) {
            Candidate<?> c = gen.getCandidate();
            if (c.getException() != null) {
                throw new IllegalStateException("Arbiter could not make candidate " + i, c.getException());
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> raw = (Map<String, Object>) c.getValue();
            Map<String, JsonNode> point = new LinkedHashMap<>();
            for (String k : keys) {
                Object x = raw.get(k);
                if (k.startsWith("p:")) {
                    String path = k.substring(2);
                    JsonNode v = s.parameters().get(path);
                    if (v.isArray()) point.put(path, v.get((Integer) x));
                    else if (x instanceof Integer iv) point.put(path, IntNode.valueOf(iv));
                    else point.put(path, DoubleNode.valueOf(round((Double) x)));
                } else {
                    Map<String, JsonNode> tiedValues = s.tied().get(Integer.parseInt(k.substring(2))).get((Integer) x);
                    point.putAll(tiedValues);
                }
            }
            out.add(point);
        }
        return out;
    }

    private static DiscreteParameterSpace<Integer> indexSpace(int n) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < n; i++) idx.add(i);
        return new DiscreteParameterSpace<>(idx);
    }

    /** 4 significant digits: random learning rates read as 3.127e-05, not 3.1271934417e-05. */
    private static double round(double x) {
        return new BigDecimal(x).round(new MathContext(4)).doubleValue();
    }

    /** Sets {@code value} at a dotted path, creating the sections on the way. */
    static void set(ObjectNode tree, String dotted, JsonNode value) {
        String[] parts = dotted.split("\\.");
        ObjectNode n = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode c = n.get(parts[i]);
            n = c instanceof ObjectNode o ? o : n.putObject(parts[i]);
        }
        n.set(parts[parts.length - 1], value);
    }

    // ---- resolution ----------------------------------------------------------------------------------------------

    static SingleRun.Options options(ExperimentFile e, long seed, Path folder) {
        SingleRun.Options o = new SingleRun.Options();
        ExperimentFile.Dataset d = e.dataset();
        o.trainData = resolveData(d.path(), folder);
        o.testData = d.testPath() == null ? null : resolveData(d.testPath(), folder);
        o.validationData = d.validationPath() == null ? null : resolveData(d.validationPath(), folder);
        if (d.format() != null) o.format = ReadOptions.Format.valueOf(d.format().toUpperCase(Locale.ROOT));
        if (d.textField() != null) o.textField = d.textField();
        o.textPairField = d.textPairField();
        o.labelField = d.labelField();
        o.multiLabel = Boolean.TRUE.equals(d.multiLabel());
        o.splitField = d.splitField();
        if (d.split() != null) {
            o.splitRatios = new double[]{nz(d.split().train()), nz(d.split().validation()), nz(d.split().test())};
        }
        o.stratify = d.stratify() == null || d.stratify();
        o.trainFraction = d.fraction();
        o.trainLimit = d.trainLimit();
        o.testLimit = d.testLimit();
        o.dataSeed = d.seed();

        o.model = resolveModel(e.model().backbone(), folder);
        ExperimentFile.Head h = e.model().head();
        if (h != null) {
            o.pooling = h.pooling();
            o.headHidden = h.hiddenSize();
            if (h.dropout() != null) o.dropout = h.dropout();
            if (h.activation() != null) o.activation = h.activation();
        }
        ExperimentFile.Training t = e.training();
        if (t != null) {
            if (t.maxLength() != null) o.maxLength = t.maxLength();
            if (t.batchSize() != null) o.batchSize = t.batchSize();
            if (t.learningRate() != null) o.learningRate = t.learningRate();
            if (t.epochs() != null) o.epochs = t.epochs();
            if (t.warmupRatio() != null) o.warmupRatio = t.warmupRatio();
            if (t.schedule() != null) o.schedule = t.schedule();
            if (t.weightDecay() != null) o.weightDecay = t.weightDecay();
            if (t.maxGradNorm() != null) o.maxGradNorm = t.maxGradNorm();
            if (t.classWeights() != null) o.classWeights = t.classWeights();
            if (t.oversample() != null) o.oversample = t.oversample();
            if (t.freeze() != null) o.freeze = t.freeze();
            if (t.earlyStopping() != null) {
                if (t.earlyStopping().patience() != null) o.patience = t.earlyStopping().patience();
                if (t.earlyStopping().monitor() != null) o.monitor = t.earlyStopping().monitor();
            }
            if (t.gradientAccumulation() != null) o.gradientAccumulation = t.gradientAccumulation();
            if (t.bucketByLength() != null) o.bucketByLength = t.bucketByLength();
        }
        o.seed = seed;
        o.force = true;
        return o;
    }

    /** The resolved configuration that names a trial: every setting, data and model as written in the file. */
    static Map<String, Object> config(ExperimentFile e, SingleRun.Options o, long seed) {
        Map<String, Object> c = new LinkedHashMap<>();
        ExperimentFile.Dataset d = e.dataset();
        c.put("data", d.path());
        c.put("test_data", d.testPath());
        c.put("validation_data", d.validationPath());
        c.put("format", o.format == null ? "auto" : o.format.name().toLowerCase(Locale.ROOT));
        c.put("text_field", o.textField);
        c.put("text_pair_field", o.textPairField);
        c.put("label_field", o.labelField);
        c.put("multi_label", o.multiLabel);
        c.put("split_field", o.splitField);
        c.put("split", o.splitRatios == null ? null : List.of(o.splitRatios[0], o.splitRatios[1], o.splitRatios[2]));
        c.put("stratify", o.stratify);
        c.put("fraction", o.trainFraction);
        c.put("train_limit", o.trainLimit);
        c.put("test_limit", o.testLimit);
        c.put("data_seed", o.dataSeed);
        c.put("backbone", e.model().backbone());
        c.put("pooling", o.pooling);
        c.put("head_hidden", o.headHidden);
        c.put("dropout", o.dropout);
        c.put("activation", o.activation);
        c.put("max_length", o.maxLength);
        c.put("batch_size", o.batchSize);
        c.put("learning_rate", o.learningRate);
        c.put("epochs", o.epochs);
        c.put("warmup_ratio", o.warmupRatio);
        c.put("schedule", o.schedule);
        c.put("weight_decay", o.weightDecay);
        c.put("max_grad_norm", o.maxGradNorm);
        c.put("class_weights", o.classWeights);
        c.put("oversample", o.oversample);
        c.put("freeze", o.freeze);
        c.put("early_stopping_patience", o.patience);
        c.put("monitor", o.monitor);
        c.put("gradient_accumulation", o.gradientAccumulation);
        c.put("bucket_by_length", o.bucketByLength);
        c.put("seed", seed);
        if (e.embeddings() != null) c.put("embeddings", embeddingsConfig(e.embeddings()));
        return c;
    }

    /** The settings that shape an embedding method's result (not the list of methods: each line has its own). */
    static Map<String, Object> embeddingsConfig(ExperimentFile.Embeddings m) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("pooling", m.poolingOrDefault());
        c.put("max_length", m.maxLengthOrDefault());
        c.put("batch_size", m.batchSizeOrDefault());
        c.put("l2", m.l2OrDefault());
        c.put("standardize", m.standardizeOrDefault());
        c.put("label_descriptions", new java.util.TreeMap<>(m.labelDescriptionsOrEmpty()));
        c.put("compare", m.comparing());
        return c;
    }

    static String hash(Map<String, Object> config) {
        try {
            byte[] json = CANONICAL.writeValueAsString(config).getBytes(StandardCharsets.UTF_8);
            byte[] d = MessageDigest.getInstance("SHA-256").digest(json);
            return HexFormat.of().formatHex(d).substring(0, 12);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A data argument of the file: a path (absolute, or beside the YAML file, or from the current directory) or a
     * dataset name, see {@link DatasetCatalogue#locate}. A dataset not yet in the cache gets the path it will have
     * once {@link ExperimentRunner} has fetched it, before the first trial.
     */
    public static Path resolveData(String path, Path folder) {
        try {
            return DatasetCatalogue.locate(path, folder);
        } catch (DatasetException e) {
            return folder.resolve(path).normalize();   // preflight reports it, at its line in the file
        }
    }

    /** A backbone: a catalogue name as is; else a folder, beside the YAML file or from the current directory. */
    public static String resolveModel(String backbone, Path folder) {
        if (ModelCatalogue.find(backbone).isPresent()) return backbone;
        Path p = Path.of(backbone);
        if (p.isAbsolute()) return p.toString();
        Path beside = folder.resolve(p).normalize();
        if (Files.isDirectory(beside)) return beside.toString();
        return p.toAbsolutePath().normalize().toString();
    }

    private static double nz(Double d) {
        return d == null ? 0 : d;
    }
}
