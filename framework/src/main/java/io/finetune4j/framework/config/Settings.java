package io.finetune4j.framework.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What {@link RunConfig}'s {@link Setting} annotations give: defaults, parsing of a value from YAML or from the
 * command line, its check, the record as a canonical map, and a copy with one value changed. {@link SettingsYaml}
 * binds a YAML section; the command line ({@code TrainCommand}) builds its options from {@link #fields}.
 *
 * <p>Over 300 lines on purpose: it is the one place that knows how a setting's text becomes a typed value, how a
 * value is checked against its annotation and how a record of settings is read, copied and written; split, the
 * rules of that small language would be spread over several files.
 */
public final class Settings {
    private static final Map<Class<?>, List<Field>> FIELDS = new ConcurrentHashMap<>();

    private Settings() {
    }

    /** A record that checks relations between its settings (one value at a time is checked by its annotation). */
    public interface Checked {
        void check(Problems p);
    }

    /** An enum whose constants have other accepted names. */
    public interface Choice {
        default List<String> aliases() {
            return List.of();
        }
    }

    /** A wrong value: the setting's path of canonical names inside the record tree, and what is wrong. */
    public static final class SettingException extends IllegalArgumentException {
        private final String path;

        public SettingException(String path, String message) {
            super(message);
            this.path = path;
        }

        public String path() {
            return path;
        }
    }

    /** Where {@link Checked#check} reports: {@link #at} throws for the named setting of the record. */
    public static final class Problems {
        private final String prefix;

        Problems(String prefix) {
            this.prefix = prefix;
        }

        public void at(String setting, String message) {
            throw new SettingException(prefix + setting, message);
        }
    }

    /** One setting: a record component and its annotation. */
    public record Field(Class<?> owner, RecordComponent component, Setting setting) {
        /** The canonical (snake_case) name. */
        public String name() {
            return snake(component.getName());
        }

        public Class<?> type() {
            return component.getType();
        }

        /** A nested group of settings (a record), such as {@code head}. */
        public boolean isGroup() {
            return type().isRecord() && type() != RunConfig.Ratios.class;
        }

        /** The names this setting answers to in YAML. */
        public List<String> yamlNames() {
            List<String> n = new ArrayList<>(List.of(name()));
            n.addAll(List.of(setting.aliases()));
            n.addAll(List.of(setting.yaml()));
            return n;
        }

        /** The command-line names: {@code cli}, else {@code --kebab-name} and {@code --snake_name}; then aliases. */
        public List<String> cliNames() {
            List<String> n = new ArrayList<>();
            if (setting.cli().length > 0) n.addAll(List.of(setting.cli()));
            else addOption(n, name());
            for (String a : setting.aliases()) addOption(n, a);
            return n;
        }

        /** The first long option name ({@code --model} rather than {@code -m}). */
        public String option() {
            return cliNames().stream().filter(n -> n.startsWith("--")).findFirst().orElse(cliNames().get(0));
        }

        private static void addOption(List<String> out, String snake) {
            for (String s : List.of("--" + snake.replace('_', '-'), "--" + snake)) if (!out.contains(s)) out.add(s);
        }

        /** The default value (null when the annotation gives none and the type allows it). */
        public Object defaultValue() {
            if (isGroup()) return defaults(type());
            if (!setting.value().isEmpty()) return parse(this, setting.value());
            if (type() == boolean.class) return false;
            if (type().isPrimitive()) throw new IllegalStateException(owner.getSimpleName() + "." + name() + " has no default");
            return null;
        }

        /** The value's placeholder in help texts. */
        public String label() {
            if (!setting.label().isEmpty()) return setting.label();
            if (type().isEnum()) return String.join("|", Arrays.stream(type().getEnumConstants()).map(Settings::text).toList());
            if (type() == int.class || type() == Integer.class || type() == long.class || type() == Long.class) return "N";
            if (type() == double.class || type() == Double.class) return "X";
            if (type() == boolean.class || type() == Boolean.class) return "true|false";
            if (type() == Path.class) return "DIR";
            return "TEXT";
        }
    }

    /** The settings of a record type, in declaration order. */
    public static List<Field> fields(Class<?> recordType) {
        return FIELDS.computeIfAbsent(recordType, t -> {
            List<Field> out = new ArrayList<>();
            for (RecordComponent rc : t.getRecordComponents()) {
                Setting s = rc.getAnnotation(Setting.class);
                if (s == null) throw new IllegalStateException(t.getSimpleName() + "." + rc.getName() + " has no @Setting");
                out.add(new Field(t, rc, s));
            }
            return List.copyOf(out);
        });
    }

    /** The field of {@code recordType} with this canonical name. */
    public static Field field(Class<?> recordType, String name) {
        for (Field f : fields(recordType)) if (f.name().equals(name)) return f;
        throw new IllegalArgumentException(recordType.getSimpleName() + " has no setting '" + name + "'");
    }

    /** The record with every setting at its default. */
    public static <R> R defaults(Class<R> recordType) {
        List<Field> fs = fields(recordType);
        Object[] values = new Object[fs.size()];
        for (int i = 0; i < values.length; i++) values[i] = fs.get(i).defaultValue();
        return construct(recordType, values);
    }

    /** A copy of {@code r} with the setting at {@code path} (canonical names, dotted into groups) set to {@code value}. */
    @SuppressWarnings("unchecked")
    public static <R> R with(R r, String path, Object value) {
        int dot = path.indexOf('.');
        String head = dot < 0 ? path : path.substring(0, dot);
        List<Field> fs = fields(r.getClass());
        Object[] values = values(r);
        for (int i = 0; i < fs.size(); i++) {
            if (!fs.get(i).name().equals(head)) continue;
            values[i] = dot < 0 ? value : with(values[i], path.substring(dot + 1), value);
            return (R) construct(r.getClass(), values);
        }
        throw new IllegalArgumentException(r.getClass().getSimpleName() + " has no setting '" + path + "'");
    }

    /** Checks one value against its field's range and pattern; returns a message, or null when it is fine. */
    public static String problem(Field f, Object v) {
        if (v == null) return f.type().isPrimitive() ? "needs a value" : null;
        String range = f.setting().range();
        if (!range.isEmpty() && v instanceof Number n && !inRange(range, n.doubleValue())) {
            return "must be " + describeRange(range) + ", not " + text(v);
        }
        String pattern = f.setting().pattern();
        if (!pattern.isEmpty() && !Pattern.matches(pattern, text(v))) {
            return "must be " + f.label() + ", not '" + text(v) + "'";
        }
        return null;
    }

    /** Runs the cross-setting checks of {@code r} and of its groups. */
    public static void checkRelations(Object r, String prefix) {
        for (Field f : fields(r.getClass())) {
            Object v = value(r, f);
            if (f.isGroup() && v != null) checkRelations(v, prefix + f.name() + ".");
        }
        if (r instanceof Checked c) c.check(new Problems(prefix));
    }

    // ---- values ----------------------------------------------------------------------------------------------

    /** A value from its command-line text. */
    public static Object parse(Field f, String text) {
        return convert(f, TextNode.valueOf(text));
    }

    /**
     * A value from a YAML/JSON node (text is accepted for every type, as the command line gives it).
     *
     * @throws IllegalArgumentException what was expected, for the caller to locate
     */
    public static Object convert(Field f, JsonNode n) {
        Class<?> t = f.type();
        if (n == null || n.isNull()) {
            if (t.isPrimitive()) throw new IllegalArgumentException("needs a value");
            return null;
        }
        if (n.isContainerNode() && !(List.class.isAssignableFrom(t) && n.isArray())
                && !(t == RunConfig.Ratios.class && n.isObject())) {
            throw new IllegalArgumentException("expected " + expected(f) + ", got " + (n.isArray() ? "a list" : "a mapping"));
        }
        String s = n.isValueNode() ? n.asText().strip() : null;
        try {
            if (t == String.class) return s;
            if (t == int.class || t == Integer.class) return Integer.valueOf(integral(n, s));
            if (t == long.class || t == Long.class) return Long.valueOf(integral(n, s));
            if (t == double.class || t == Double.class) return n.isNumber() ? n.asDouble() : Double.valueOf(s);
            if (t == boolean.class || t == Boolean.class) {
                if (n.isBoolean()) return n.asBoolean();
                if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) return Boolean.valueOf(s.toLowerCase(Locale.ROOT));
                throw new IllegalArgumentException();
            }
            if (t == Path.class) return Path.of(s);
            if (t.isEnum()) return choice(t, s);
            if (t == RunConfig.Ratios.class) {
                if (n.isObject()) return SettingsYaml.bind(RunConfig.Ratios.class, (ObjectNode) n, "", null);
                return RunConfig.Ratios.parse(s);
            }
            if (List.class.isAssignableFrom(t)) {
                List<String> out = new ArrayList<>();
                if (n.isArray()) n.forEach(x -> out.add(x.asText()));
                else for (String part : s.split(",")) if (!part.isBlank()) out.add(part.strip());
                return List.copyOf(out);
            }
        } catch (SettingException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("expected " + expected(f) + ", got '" + (s != null ? s : n.toString()) + "'");
        }
        throw new IllegalStateException("no conversion to " + t);
    }

    private static String integral(JsonNode n, String s) {
        if (n.isNumber() && !n.isIntegralNumber()) throw new IllegalArgumentException();
        if (!s.matches("-?[0-9]+")) throw new IllegalArgumentException();
        return s;
    }

    private static Object choice(Class<?> t, String s) {
        String want = s.toLowerCase(Locale.ROOT).replace('-', '_');
        for (Object c : t.getEnumConstants()) {
            if (text(c).equals(want)) return c;
            if (c instanceof Choice ch && ch.aliases().contains(want)) return c;
        }
        throw new IllegalArgumentException();
    }

    private static String expected(Field f) {
        Class<?> t = f.type();
        if (t.isEnum()) return "one of " + String.join(", ", Arrays.stream(t.getEnumConstants()).map(Settings::text).toList());
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) return "an integer";
        if (t == double.class || t == Double.class) return "a number";
        if (t == boolean.class || t == Boolean.class) return "true or false";
        if (t == RunConfig.Ratios.class) return "train,validation,test ratios or {train, validation, test}";
        if (List.class.isAssignableFrom(t)) return "a list";
        return "a string";
    }

    /** The canonical text of a value: enums in lower case, numbers as Java prints them. */
    public static String text(Object v) {
        if (v instanceof Enum<?> e) return e.name().toLowerCase(Locale.ROOT);
        if (v instanceof RunConfig.Ratios r) return r.train() + "," + r.validation() + "," + r.test();
        if (v instanceof List<?> l) return String.join(",", l.stream().map(String::valueOf).toList());
        return String.valueOf(v);
    }

    /** The record as a map of canonical names to plain values (groups nested), for hashes and records on disk. */
    public static Map<String, Object> toMap(Object r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Field f : fields(r.getClass())) {
            Object v = value(r, f);
            if (v == null) m.put(f.name(), null);
            else if (f.isGroup() || v instanceof RunConfig.Ratios) m.put(f.name(), toMap(v));
            else if (v instanceof Enum<?> || v instanceof Path) m.put(f.name(), text(v));
            else m.put(f.name(), v);
        }
        return m;
    }

    // ---- reflection --------------------------------------------------------------------------------------------

    static Object value(Object r, Field f) {
        try {
            return f.component().getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object[] values(Object r) {
        List<Field> fs = fields(r.getClass());
        Object[] v = new Object[fs.size()];
        for (int i = 0; i < v.length; i++) v[i] = value(r, fs.get(i));
        return v;
    }

    @SuppressWarnings("unchecked")
    static <R> R construct(Class<R> type, Object[] values) {
        RecordComponent[] rc = type.getRecordComponents();
        Class<?>[] types = Arrays.stream(rc).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Constructor<R> c = type.getDeclaredConstructor(types);
            return c.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static int indexOf(List<Field> fs, String name) {
        for (int i = 0; i < fs.size(); i++) if (fs.get(i).name().equals(name)) return i;
        return -1;
    }

    // ---- ranges ------------------------------------------------------------------------------------------------

    /** Whether {@code x} lies in an interval written {@code [a,b)}, {@code (a,)}, ... */
    static boolean inRange(String range, double x) {
        String[] ab = range.substring(1, range.length() - 1).split(",", -1);
        boolean loInclusive = range.charAt(0) == '[', hiInclusive = range.charAt(range.length() - 1) == ']';
        if (!ab[0].isBlank()) {
            double lo = Double.parseDouble(ab[0]);
            if (loInclusive ? x < lo : x <= lo) return false;
        }
        if (!ab[1].isBlank()) {
            double hi = Double.parseDouble(ab[1]);
            if (hiInclusive ? x > hi : x >= hi) return false;
        }
        return !Double.isNaN(x);
    }

    /** {@code [0,1)} → {@code in [0, 1)}; {@code (0,)} → {@code > 0}; {@code [1,)} → {@code >= 1}. */
    static String describeRange(String range) {
        String[] ab = range.substring(1, range.length() - 1).split(",", -1);
        boolean loInclusive = range.charAt(0) == '[';
        if (ab[1].isBlank()) return (loInclusive ? ">= " : "> ") + ab[0];
        if (ab[0].isBlank()) return (range.endsWith("]") ? "<= " : "< ") + ab[1];
        return "in " + range.charAt(0) + ab[0] + ", " + ab[1] + range.charAt(range.length() - 1);
    }

    /** {@code maxTrainSamples} → {@code max_train_samples}. */
    public static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
