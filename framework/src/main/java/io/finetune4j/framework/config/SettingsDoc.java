package io.finetune4j.framework.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of {@link RunConfig} with where it is written: the YAML key (section and name), the command-line
 * options, the other accepted names, the default and the help. {@code finetune4j settings --markdown} prints the
 * README's table from it, and a test checks that the README holds exactly that table.
 */
public final class SettingsDoc {
    /** The record types and their YAML section (null: command line only). */
    public record Section(String yaml, String path, Class<?> type) {
    }

    public static final List<Section> SECTIONS = List.of(
            new Section("dataset", "data", RunConfig.DataArgs.class),
            new Section("model", "model", RunConfig.ModelArgs.class),
            new Section("training", "training", RunConfig.TrainingArgs.class),
            new Section(null, "output", RunConfig.OutputArgs.class));

    /** One setting: its path in the record tree ({@code model.head.pooling}), its YAML key, its field. */
    public record Row(String path, String yamlKey, Settings.Field field) {
    }

    private SettingsDoc() {
    }

    /** Every leaf setting, in declaration order. */
    public static List<Row> rows() {
        List<Row> out = new ArrayList<>();
        for (Section s : SECTIONS) leaves(s.path(), s.yaml(), s.type(), out);
        return out;
    }

    private static void leaves(String path, String yaml, Class<?> type, List<Row> out) {
        for (Settings.Field f : Settings.fields(type)) {
            String p = path + "." + f.name(), y = yaml == null ? null : yaml + "." + f.name();
            if (f.isGroup()) leaves(p, y, f.type(), out);
            else out.add(new Row(p, y, f));
        }
    }

    /** The table as Markdown: YAML key, command line, other names, default, what it does. */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| YAML key | command line | also accepted | default | HF name | what it sets |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Row r : rows()) {
            Setting s = r.field().setting();
            List<String> also = new ArrayList<>(List.of(s.aliases()));
            also.addAll(List.of(s.yaml()));
            String dflt = s.value().isEmpty() ? (r.field().type() == boolean.class ? "false" : "—") : s.value();
            sb.append("| ").append(r.yamlKey() == null ? "—" : "`" + r.yamlKey() + "`")
                    .append(" | ").append(String.join(" ", r.field().cliNames().stream()
                            .filter(n -> !n.contains("_")).map(n -> "`" + n + "`").toList()))
                    .append(" | ").append(also.isEmpty() ? "" : String.join(", ", also.stream().map(a -> "`" + a + "`")
                            .toList()))
                    .append(" | ").append(dflt)
                    .append(" | ").append(s.hf() ? "yes" : "")
                    .append(" | ").append(s.help().replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }
}
