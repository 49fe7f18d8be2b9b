package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.config.Settings;
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
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
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
        List<Map<String, JsonNode>> candidates = candidates(ef.sweep());
        List<String> swept = sweptPaths(ef.sweep());
        List<Trial> trials = new ArrayList<>();
        for (Map<String, JsonNode> cand : candidates) {
            ExperimentFile typed = ef;
            Long sweptSeed = null;
            Map<String, Object> values = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : cand.entrySet()) {
                if (e.getKey().equals("seed")) {
                    sweptSeed = e.getValue().asLong();
                    continue;
                }
                typed = apply(typed, e.getKey(), e.getValue());
                values.put(e.getKey(), value(typed, e.getKey()));
            }
            List<Long> seeds = sweptSeed != null ? List.of(sweptSeed) : ef.seedList();
            for (long seed : seeds) {
                Map<String, Object> params = new LinkedHashMap<>();
                for (String p : swept) params.put(p, p.equals("seed") ? (Object) seed : values.get(p));
                RunConfig run = typed.runConfig().withTraining(Settings.with(typed.training(), "seed", seed));
                Map<String, Object> config = new LinkedHashMap<>(Settings.toMap(run));
                config.remove("output");
                if (typed.embeddings() != null) config.put("embeddings", embeddingsConfig(typed.embeddings()));
                trials.add(new Trial(trials.size(), hash(config), params, seed, run, folder, config,
                        typed.embeddings()));
            }
        }
        return trials;
    }

    /** The file with one swept value set: a run setting in its record, anything else through its section's tree. */
    static ExperimentFile apply(ExperimentFile ef, String path, JsonNode value) {
        Map.Entry<String, Settings.Field> s = SweepPaths.setting(path);
        if (s != null) {
            String canonical = s.getKey(), section = canonical.substring(0, canonical.indexOf('.'));
            Object v = Settings.convert(s.getValue(), value);
            return ef.with(section, Settings.with(ef.section(section), canonical.substring(section.length() + 1), v));
        }
        ObjectNode tree = TREE.valueToTree(ef);
        set(tree, path, value);
        String section = path.substring(0, path.indexOf('.'));
        try {
            Class<?> type = section.equals("embeddings") ? ExperimentFile.Embeddings.class
                    : ExperimentFile.Evaluation.class;
            Object typed = ExperimentFile.MAPPER.treeToValue(tree.get(section), type);
            return ef.with(section, typed);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("sweep values do not fit the file: " + ex.getOriginalMessage());
        }
    }

    /** The value at a swept path of {@code ef}, as the results record it (enums as their names). */
    private static Object value(ExperimentFile ef, String path) {
        Map.Entry<String, Settings.Field> s = SweepPaths.setting(path);
        if (s != null) {
            Object r = ef.section(s.getKey().substring(0, s.getKey().indexOf('.')));
            Map<String, Object> m = Settings.toMap(r);
            Object v = m;
            for (String part : s.getKey().substring(s.getKey().indexOf('.') + 1).split("\\.")) {
                v = ((Map<?, ?>) v).get(part);
            }
            return v;
        }
        return JSON.convertValue(TREE.valueToTree(ef).at("/" + path.replace('.', '/')), Object.class);
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
                    Class<?> type = SweepPaths.SWEEPABLE.get(path);
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
}
