package io.finetune4j.framework.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A YAML section (a mapping) as a settings record: every key names a setting (its name, an alias or a YAML-only
 * name, dotted names inside nested mappings included), missing settings take their defaults, each value is checked
 * and then the relations; every problem is reported at the key as written.
 *
 * <p>Why a binder of our own rather than Jackson's record mapping: a setting has several accepted names (HF's and
 * the ones earlier versions used), YAML-only dotted aliases ({@code early_stopping.patience}), a default that is
 * not Java's and a range, all of which live on its one annotation.
 */
public final class SettingsYaml {
    private SettingsYaml() {
    }

    /** Turns a problem at a path into the exception the caller reports (located in a file, or naming an option). */
    @FunctionalInterface
    public interface Locator {
        RuntimeException error(String jsonPointer, String message);
    }

    /**
     * A record from a YAML mapping: every key must name a setting (its name, an alias or a YAML name, dotted names
     * inside nested mappings included); missing settings take their defaults; each value is checked, then the
     * relations. Problems go to {@code locator} with the JSON pointer of the key as written.
     *
     * @param pointer the JSON pointer of {@code section} in the file ({@code /training}), for messages
     */
    public static <R> R bind(Class<R> type, ObjectNode section, String pointer, Locator locator) {
        return bindObject(type, section, pointer, locator);
    }

    private static <R> R bindObject(Class<R> type, ObjectNode section, String pointer, Locator locator) {
        List<Settings.Field> fs = Settings.fields(type);
        Object[] values = new Object[fs.size()];
        String[] where = new String[fs.size()];
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < fs.size(); i++) for (String n : fs.get(i).yamlNames()) byName.put(n, i);
        String dotted = pointer.isEmpty() ? "" : pointer.substring(1).replace('/', '.') + ".";
        for (Map.Entry<String, JsonNode> e : flatten(section, "", byName)) {
            String key = e.getKey();
            String ptr = pointer + "/" + key.replace("~", "~0").replace("/", "~1").replace(".", "/");
            Integer i = byName.get(key);
            if (i == null) {
                throw fail(locator, ptr, "unknown key '" + key + "'" + (dotted.isEmpty() ? "" : " in "
                        + dotted.substring(0, dotted.length() - 1)) + " (known: " + String.join(", ",
                        fs.stream().map(Settings.Field::name).toList()) + ")");
            }
            Settings.Field f = fs.get(i);
            if (where[i] != null) {
                throw fail(locator, ptr, "'" + key + "' sets " + dotted + f.name() + " a second time ("
                        + where[i].substring(where[i].lastIndexOf('/') + 1) + " sets it too)");
            }
            where[i] = ptr;
            // messages name the key as written, and the setting's own name when the key is another of its names
            String named = dotted + key, alias = key.equals(f.name()) ? "" : " (" + key + " is " + f.name() + ")";
            if (f.isGroup()) {
                if (!e.getValue().isObject()) throw fail(locator, ptr, named + ": expected a mapping");
                values[i] = bindObject(f.type(), (ObjectNode) e.getValue(), ptr, locator);
                continue;
            }
            try {
                values[i] = Settings.convert(f, e.getValue());
            } catch (Settings.SettingException ex) {
                throw ex;
            } catch (IllegalArgumentException ex) {
                throw fail(locator, ptr, named + ": " + ex.getMessage() + alias);
            }
            String problem = Settings.problem(f, values[i]);
            if (problem != null) throw fail(locator, ptr, named + " " + problem + alias);
        }
        for (int i = 0; i < fs.size(); i++) if (where[i] == null) values[i] = fs.get(i).defaultValue();
        R r = Settings.construct(type, values);
        try {
            if (r instanceof Settings.Checked c) c.check(new Settings.Problems(""));
        } catch (Settings.SettingException ex) {
            int i = Settings.indexOf(fs, ex.path());
            String ptr = i >= 0 && where[i] != null ? where[i] : pointer;
            throw fail(locator, ptr, dotted + ex.path() + ": " + ex.getMessage());
        }
        return r;
    }

    private static RuntimeException fail(Locator locator, String pointer, String message) {
        return locator != null ? locator.error(pointer, message) : new IllegalArgumentException(message);
    }

    /** The section's keys, nested mappings under names that are not settings turned into dotted keys. */
    private static List<Map.Entry<String, JsonNode>> flatten(ObjectNode n, String prefix, Map<String, Integer> names) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            if (e.getValue().isObject() && !names.containsKey(key)) {
                out.addAll(flatten((ObjectNode) e.getValue(), key + ".", names));
            } else {
                out.add(Map.entry(key, e.getValue()));
            }
        }
        return out;
    }
}
