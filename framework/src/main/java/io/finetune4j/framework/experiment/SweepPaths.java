package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune4j.framework.config.Settings;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a sweep may vary: the dotted paths of an experiment file's scalar fields ({@code training.learning_rate},
 * also under a setting's other names), and how a swept value is set into a copy of the file's tree.
 */
public final class SweepPaths {
    private SweepPaths() {
    }

    /**
     * The scalar fields a sweep may vary, by dotted path, with their Java type: every run setting under each of its
     * names ({@code training.batch_size} and {@code training.per_device_train_batch_size}), the leaves of
     * {@code evaluation} and {@code embeddings}, and {@code seed}.
     */
    public static final Map<String, Class<?>> SWEEPABLE = sweepable();

    private static Map<String, Class<?>> sweepable() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("seed", Long.class);
        for (String section : List.of("dataset", "model", "training")) {
            settingPaths(section, ExperimentFile.SETTINGS.get(section), (path, f) -> m.put(path, boxed(f.type())));
        }
        for (String section : List.of("evaluation", "embeddings")) {
            for (RecordComponent rc : ExperimentFile.class.getRecordComponents()) {
                if (rc.getName().equals(section)) collect(section, rc.getType(), m);
            }
        }
        return m;
    }

    /** Every name of every setting of {@code type}, as a dotted path below {@code prefix} (groups recursed). */
    static void settingPaths(String prefix, Class<?> type, java.util.function.BiConsumer<String, Settings.Field> out) {
        for (Settings.Field f : Settings.fields(type)) {
            for (String n : f.isGroup() ? List.of(f.name()) : f.yamlNames()) {
                if (n.contains(".")) continue;   // dotted YAML names (early_stopping.patience) are not sweep paths
                if (f.isGroup()) settingPaths(prefix + "." + n, f.type(), out);
                else out.accept(prefix + "." + n, f);
            }
        }
    }

    /** The setting a sweep path names and its canonical path ({@code training.batch_size} → its field). */
    static Map.Entry<String, Settings.Field> setting(String path) {
        Map<String, Map.Entry<String, Settings.Field>> found = new HashMap<>();
        for (String section : List.of("dataset", "model", "training")) {
            canonical(section, section, ExperimentFile.SETTINGS.get(section), found);
        }
        return found.get(path);
    }

    private static void canonical(String written, String canonical, Class<?> type,
                                  Map<String, Map.Entry<String, Settings.Field>> out) {
        for (Settings.Field f : Settings.fields(type)) {
            for (String n : f.isGroup() ? List.of(f.name()) : f.yamlNames()) {
                if (n.contains(".")) continue;
                if (f.isGroup()) canonical(written + "." + n, canonical + "." + f.name(), f.type(), out);
                else out.put(written + "." + n, Map.entry(canonical + "." + f.name(), f));
            }
        }
    }

    /**
     * Sets a swept value into a copy of the file's tree: a run setting at its canonical key, after removing the keys
     * that name the same setting otherwise; any other path as it is written.
     */
    static void setSwept(ObjectNode tree, String path, JsonNode value) {
        Map.Entry<String, Settings.Field> s = setting(path);
        if (s == null) {
            ExperimentPlan.set(tree, path, value);
            return;
        }
        String canonical = s.getKey();
        ObjectNode parent = tree;
        String[] parts = canonical.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode c = parent.get(parts[i]);
            parent = c instanceof ObjectNode o ? o : parent.putObject(parts[i]);
        }
        for (String n : s.getValue().yamlNames()) {
            if (!n.contains(".")) {
                parent.remove(n);
            } else if (parent.get(n.substring(0, n.indexOf('.'))) instanceof ObjectNode nested) {
                nested.remove(n.substring(n.indexOf('.') + 1));
                if (nested.isEmpty()) parent.remove(n.substring(0, n.indexOf('.')));
            }
        }
        parent.set(parts[parts.length - 1], value);
    }

    private static Class<?> boxed(Class<?> t) {
        if (t == int.class) return Integer.class;
        if (t == long.class) return Long.class;
        if (t == double.class) return Double.class;
        if (t == boolean.class) return Boolean.class;
        return t;
    }

    private static void collect(String prefix, Class<?> type, Map<String, Class<?>> m) {
        for (RecordComponent rc : type.getRecordComponents()) {
            String key = prefix + "." + snake(rc.getName());
            if (rc.getType().isRecord()) collect(key, rc.getType(), m);
            else if (!Collection.class.isAssignableFrom(rc.getType()) && !Map.class.isAssignableFrom(rc.getType())) {
                m.put(key, rc.getType());
            }
        }
    }

    static String snake(String camel) {
        return PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(camel);
    }

    /** Helper for messages: the nearest sweepable paths to a wrong one. */
    static String suggest(String path) {
        Set<String> out = new TreeSet<>();
        String last = path.substring(path.lastIndexOf('.') + 1);
        for (String k : SWEEPABLE.keySet()) if (k.endsWith("." + last) || k.equals(last)) out.add(k);
        if (out.isEmpty()) {
            String first = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
            for (String k : SWEEPABLE.keySet()) if (k.startsWith(first + ".")) out.add(k);
        }
        return out.isEmpty() ? "" : " (did you mean " + String.join(", ", out) + "?)";
    }

    static Set<String> keySet(JsonNode obj) {
        Set<String> s = new HashSet<>();
        obj.fieldNames().forEachRemaining(s::add);
        return s;
    }
}
