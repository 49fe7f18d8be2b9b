package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.framework.experiment.ExperimentFile.Loaded;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The checks of an experiment file that typing alone does not do; each failure names the line. */
final class Validation {
    private Validation() {
    }

    static void check(Loaded l) {
        ExperimentFile e = l.experiment();
        if (e.name() != null && !e.name().matches("[A-Za-z0-9._-]+")) {
            throw l.error("/name", "name '" + e.name() + "' may hold only letters, digits, '.', '_' and '-' "
                    + "(it names the output folder)");
        }
        if (e.dataset() == null) throw l.error("", "missing required section 'dataset' (with a path)");
        if (blank(e.dataset().path())) throw l.error("/dataset", "missing required field dataset.path");
        if (e.evaluation() != null) oneOf(l, "/evaluation/metric", e.evaluation().metric(), ExperimentFile.METRICS);
        if (e.seeds() != null) {
            if (e.seeds().isEmpty()) throw l.error("/seeds", "seeds is an empty list");
            for (int i = 0; i < e.seeds().size(); i++) {
                if (e.seeds().get(i) == null) throw l.error("/seeds/" + i, "a seed is empty");
                if (e.seeds().indexOf(e.seeds().get(i)) != i) {
                    throw l.error("/seeds/" + i, "seed " + e.seeds().get(i) + " is listed twice");
                }
            }
        }
        if (e.embeddings() != null) checkEmbeddings(l, e);
        if (e.sweep() != null) checkSweep(l, e.sweep());
        if (e.analysis() != null) AnalysisSection.check(l, e.analysis());
        if (e.spark() != null) {
            positive(l, "/spark/parallelism", e.spark().parallelism());
            positive(l, "/spark/threads_per_trial", e.spark().threadsPerTrial());
        }
    }

    private static void checkEmbeddings(Loaded l, ExperimentFile e) {
        ExperimentFile.Embeddings m = e.embeddings();
        if (m.methods() == null || m.methods().isEmpty()) {
            throw l.error("/embeddings", "embeddings needs a list of methods (" + String.join(", ",
                    ExperimentFile.EMBEDDING_METHODS) + ")");
        }
        for (int i = 0; i < m.methods().size(); i++) {
            String method = m.methods().get(i);
            if (!ExperimentFile.EMBEDDING_METHODS.contains(method)) {
                throw l.error("/embeddings/methods/" + i, "unknown embeddings method '" + method + "' (known: "
                        + String.join(", ", ExperimentFile.EMBEDDING_METHODS) + ")");
            }
            if (m.methods().indexOf(method) != i) {
                throw l.error("/embeddings/methods/" + i, "method " + method + " is listed twice");
            }
        }
        oneOf(l, "/embeddings/pooling", m.pooling(), ExperimentFile.EMBEDDING_POOLINGS);
        positive(l, "/embeddings/max_length", m.maxLength());
        positive(l, "/embeddings/batch_size", m.batchSize());
        if (m.maxLength() != null && m.maxLength() < 3) {
            throw l.error("/embeddings/max_length", "embeddings.max_length must be >= 3 ([CLS], a token, [SEP])");
        }
        if (m.l2() != null && !(m.l2() >= 0)) throw l.error("/embeddings/l2", "embeddings.l2 must be >= 0");
        if (m.labelDescriptions() != null) {
            for (Map.Entry<String, String> d : m.labelDescriptions().entrySet()) {
                if (blank(d.getValue())) {
                    throw l.error("/embeddings/label_descriptions/" + YamlTree.escape(d.getKey()),
                            "the description of label '" + d.getKey() + "' is empty");
                }
            }
        }
        if (e.dataset().multiLabel()) {
            throw l.error("/embeddings", "the embedding classifiers are single-label: dataset.multi_label is set");
        }
    }

    private static void checkSweep(Loaded l, ExperimentFile.Sweep s) {
        String method = s.method() == null ? "grid" : s.method();
        oneOf(l, "/sweep/method", s.method(), ExperimentFile.METHODS);
        boolean random = method.equals("random");
        if (random && s.trials() == null) throw l.error("/sweep", "sweep.method random needs sweep.trials");
        if (s.trials() != null) {
            if (!random) throw l.error("/sweep/trials", "sweep.trials is for method: random (a grid runs every "
                    + "combination)");
            if (s.trials() < 1) throw l.error("/sweep/trials", "sweep.trials must be >= 1");
        }
        Map<String, String> owner = new HashMap<>();   // path -> where it is swept
        if (s.parameters() != null) {
            for (Map.Entry<String, JsonNode> en : s.parameters().entrySet()) {
                String path = en.getKey();
                String ptr = "/sweep/parameters/" + YamlTree.escape(path);
                checkPath(l, ptr, path);
                owner.put(path, ptr);
                JsonNode v = en.getValue();
                if (v == null || v.isNull()) throw l.error(ptr, path + ": no values");
                if (v.isArray()) {
                    if (v.isEmpty()) throw l.error(ptr, path + ": an empty list of values");
                    for (int i = 0; i < v.size(); i++) checkValue(l, ptr + "/" + i, path, v.get(i));
                } else if (v.isObject()) {
                    checkRange(l, ptr, path, v, random);
                } else {
                    throw l.error(ptr, path + ": expected a list of values" + (random ? " or {min, max}" : "")
                            + ", got " + YamlTree.kind(v));
                }
            }
        }
        if (s.tied() != null) {
            for (int g = 0; g < s.tied().size(); g++) {
                String gp = "/sweep/tied/" + g;
                List<Map<String, JsonNode>> group = s.tied().get(g);
                if (group == null || group.isEmpty()) throw l.error(gp, "tied group " + (g + 1) + " is empty");
                Set<String> keys = null;
                for (int i = 0; i < group.size(); i++) {
                    String ip = gp + "/" + i;
                    Map<String, JsonNode> m = group.get(i);
                    if (m == null || m.isEmpty()) throw l.error(ip, "an empty entry in tied group " + (g + 1));
                    if (keys == null) {
                        keys = m.keySet();
                        for (String path : keys) {
                            String kp = ip + "/" + YamlTree.escape(path);
                            checkPath(l, kp, path);
                            if (owner.containsKey(path)) {
                                throw l.error(kp, path + " is swept twice (also at line "
                                        + YamlTree.locate(l.locations(), owner.get(path)).getLineNr() + ")");
                            }
                            owner.put(path, kp);
                        }
                    } else if (!keys.equals(m.keySet())) {
                        throw l.error(ip, "the entries of a tied group must set the same keys: " + keys
                                + " here " + m.keySet());
                    }
                    for (Map.Entry<String, JsonNode> en : m.entrySet()) {
                        String vp = ip + "/" + YamlTree.escape(en.getKey());
                        if (en.getValue() == null || !en.getValue().isValueNode() || en.getValue().isNull()) {
                            throw l.error(vp, en.getKey() + ": a tied value must be a single value, not "
                                    + (en.getValue() == null ? "nothing" : YamlTree.kind(en.getValue())));
                        }
                        checkValue(l, vp, en.getKey(), en.getValue());
                    }
                }
            }
        }
        if (owner.containsKey("seed") && l.experiment().seeds() != null) {
            throw l.error("/seeds", "seeds and a swept 'seed' (line "
                    + YamlTree.locate(l.locations(), owner.get("seed")).getLineNr()
                    + ") conflict: give one of them");
        }
    }

    private static void checkPath(Loaded l, String ptr, String path) {
        if (!SweepPaths.SWEEPABLE.containsKey(path)) {
            throw l.error(ptr, "cannot sweep '" + path + "': not a field of the experiment"
                    + SweepPaths.suggest(path));
        }
    }

    /** A value is checked by setting it into the file and typing the result. */
    private static void checkValue(Loaded l, String ptr, String path, JsonNode value) {
        if (!value.isValueNode() || value.isNull()) {
            throw l.error(ptr, path + ": expected a single value, got " + YamlTree.kind(value));
        }
        if (path.equals("seed")) {
            if (!value.canConvertToLong() || !(value.isIntegralNumber() || value.asText().matches("-?[0-9]+"))) {
                throw l.error(ptr, "seed: expected an integer, got " + YamlTree.kind(value));
            }
            return;
        }
        ObjectNode copy = l.tree().deepCopy();
        copy.remove("sweep");
        copy.remove("seeds");
        SweepPaths.setSwept(copy, path, value);
        ExperimentFile typed = ExperimentFile.convert(l, copy, ptr);
        // run the semantic checks on the variant too, but report them at the value
        try {
            check(new Loaded(l.file(), l.text(), typed, copy, Map.of()));
        } catch (ExperimentException ex) {
            String msg = ex.getMessage();
            throw l.error(ptr, path + " = " + value.asText() + ": " + msg.substring(msg.indexOf(": ") + 2));
        }
    }

    private static void checkRange(Loaded l, String ptr, String path, JsonNode v, boolean random) {
        if (!random) {
            throw l.error(ptr, path + ": a {min, max} range needs sweep.method: random (a grid takes a list "
                    + "of values)");
        }
        for (String k : SweepPaths.keySet(v)) {
            if (!List.of("min", "max", "log").contains(k)) {
                throw l.error(ptr + "/" + YamlTree.escape(k), "unknown key '" + k + "' in a range (known: "
                        + "min, max, log)");
            }
        }
        Class<?> type = SweepPaths.SWEEPABLE.get(path);
        boolean integer = type == Integer.class || type == Long.class;
        if (type != Double.class && !integer) {
            throw l.error(ptr, path + " is not numeric: give a list of values");
        }
        double min = number(l, ptr, v, "min", integer), max = number(l, ptr, v, "max", integer);
        if (!(min < max)) throw l.error(ptr + "/max", path + ": max must be greater than min");
        JsonNode log = v.get("log");
        if (log != null && !log.isBoolean()) {
            throw l.error(ptr + "/log", path + ": log must be true or false");
        }
        if (log != null && log.asBoolean()) {
            if (integer) throw l.error(ptr + "/log", path + ": log ranges are for real-valued fields");
            if (!(min > 0)) throw l.error(ptr + "/min", path + ": a log range needs min > 0");
        }
        checkValue(l, ptr + "/min", path, v.get("min"));
        checkValue(l, ptr + "/max", path, v.get("max"));
    }

    private static double number(Loaded l, String ptr, JsonNode v, String key, boolean integer) {
        JsonNode n = v.get(key);
        if (n == null) throw l.error(ptr, "a range needs " + key);
        double x;
        try {
            x = n.isNumber() ? n.asDouble() : Double.parseDouble(n.asText());
        } catch (NumberFormatException ex) {
            throw l.error(ptr + "/" + key, key + ": expected a number, got " + YamlTree.kind(n));
        }
        if (integer && x != Math.rint(x)) throw l.error(ptr + "/" + key, key + ": expected an integer");
        return x;
    }

    private static void oneOf(Loaded l, String ptr, String value, List<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            String field = ptr.substring(1).replace('/', '.');
            throw l.error(ptr, field + " must be one of " + String.join(", ", allowed) + ", not '" + value + "'");
        }
    }

    private static void positive(Loaded l, String ptr, Integer v) {
        if (v != null && v < 1) throw l.error(ptr, ptr.substring(1).replace('/', '.') + " must be >= 1, not " + v);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

}
