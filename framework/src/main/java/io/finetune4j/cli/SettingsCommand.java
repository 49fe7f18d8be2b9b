package io.finetune4j.cli;

import io.finetune4j.framework.config.SettingsDoc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code finetune4j settings}: every run setting, its YAML key, its options, other names and default. */
@Command(name = "settings", sortOptions = false,
        description = {"List every setting of a run: the experiment-file key, the 'train' option, the other names it "
                + "answers to, and the default."})
final class SettingsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--markdown", description = "As the README's Markdown table.")
    boolean markdown;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (markdown) {
            out.print(SettingsDoc.markdown());
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"YAML KEY", "OPTION", "DEFAULT"});
            for (SettingsDoc.Row r : SettingsDoc.rows()) {
                String dflt = r.field().setting().value();
                rows.add(new String[]{r.yamlKey() == null ? "-" : r.yamlKey(), r.field().option(),
                        dflt.isEmpty() ? "-" : dflt});
            }
            ModelsCommand.printTable(out, rows);
        }
        out.flush();
        return 0;
    }
}
