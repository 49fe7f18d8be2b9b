package io.finetune4j.framework.experiment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where things are in an experiment file: every key's and value's line and column by JSON pointer, and the small
 * helpers that turn a path in the tree into words for a message ({@code FILE:LINE:COLUMN: what is wrong}).
 */
final class YamlTree {
    private YamlTree() {
    }

    /** JSON pointer → where its key (for object members) or value (array elements, the root) starts. */
    static Map<String, JsonLocation> index(String text) throws JsonProcessingException {
        Map<String, JsonLocation> m = new HashMap<>();
        try (JsonParser p = ExperimentFile.MAPPER.getFactory().createParser(text)) {
            JsonToken t = p.nextToken();
            if (t != null) {
                m.put("", p.currentTokenLocation());
                walk(p, "", m);
            }
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    private static void walk(JsonParser p, String ptr, Map<String, JsonLocation> m) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String child = ptr + "/" + escape(p.currentName());
                m.put(child, p.currentTokenLocation());
                p.nextToken();
                walk(p, child, m);
            }
        } else if (t == JsonToken.START_ARRAY) {
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String child = ptr + "/" + i++;
                m.put(child, p.currentTokenLocation());
                walk(p, child, m);
            }
        }
    }

    static JsonLocation locate(Map<String, JsonLocation> m, String pointer) {
        for (String p = pointer; ; p = p.substring(0, p.lastIndexOf('/'))) {
            JsonLocation l = m.get(p);
            if (l != null) return l;
            if (p.isEmpty()) return null;
        }
    }

    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    static String pointer(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            sb.append('/');
            sb.append(r.getFieldName() != null ? escape(r.getFieldName()) : String.valueOf(r.getIndex()));
        }
        return sb.toString();
    }

    static String dotted(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) sb.append('.');
                sb.append(r.getFieldName());
            } else {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    static JsonNode at(JsonNode tree, String pointer) {
        JsonNode n = tree.at(pointer.isEmpty() ? "" : pointer);
        return n.isMissingNode() ? null : n;
    }

    static List<String> known(Collection<Object> ids) {
        List<String> out = new ArrayList<>();
        if (ids != null) for (Object o : ids) out.add(String.valueOf(o));
        return out;
    }

    static String typeName(Class<?> c) {
        if (c == null) return "a value";
        if (c == Integer.class || c == int.class || c == Long.class || c == long.class) return "an integer";
        if (c == Double.class || c == double.class) return "a number";
        if (c == Boolean.class || c == boolean.class) return "true or false";
        if (c == String.class) return "a string";
        if (List.class.isAssignableFrom(c)) return "a list";
        if (Map.class.isAssignableFrom(c) || c.isRecord()) return "a mapping";
        return "a " + c.getSimpleName();
    }

    static String kind(JsonNode n) {
        if (n.isObject()) return "a mapping";
        if (n.isArray()) return "a list";
        if (n.isNull()) return "nothing (null)";
        return "'" + n.asText() + "'";
    }
}
