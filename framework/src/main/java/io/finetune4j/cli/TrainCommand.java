package io.finetune4j.cli;

import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.config.SettingsDoc;
import io.finetune4j.framework.finetune.FineTuneRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code finetune4j train}: one fine-tuning run ({@link FineTuneRun}). Its options are the settings of
 * {@link RunConfig}, one per setting, made from the same annotations as the experiment files' keys: Hugging Face's
 * names ({@code --learning-rate} or {@code --learning_rate}) and the names earlier versions used. With no
 * arguments it runs a small demo on the built-in Rotten Tomatoes sentences.
 */
@Command(name = "train", sortOptions = false,
        description = {"Fine-tune a classifier on a training file, evaluate it on a test file and write metrics.json, "
                + "timing.json, report.txt, confusion.png, predictions.jsonl and the model (model/, a Hugging Face "
                + "folder) into --output-dir.",
                "With no arguments: a demo (all-MiniLM-L6-v2 on 600 sentences of the built-in Rotten Tomatoes "
                        + "dataset, tested on 300).",
                "Every option is also an experiment-file key ('finetune4j settings' lists them)."})
final class TrainCommand implements Callable<Integer> {
    /** The demo's sequence length when none is given (its sentences are short). */
    static final int DEMO_MAX_LENGTH = 64;

    @Spec
    CommandSpec spec;

    /** Adds an option per setting: its names, placeholder, help and default come from its {@code @Setting}. */
    static void addSettingOptions(CommandSpec spec) {
        for (SettingsDoc.Row r : SettingsDoc.rows()) {
            Settings.Field f = r.field();
            String dflt = f.setting().value();
            String help = f.setting().help() + (dflt.isEmpty() ? "" : " (default: " + dflt + ")");
            OptionSpec.Builder b = OptionSpec.builder(f.cliNames().toArray(String[]::new))
                    .paramLabel(f.label()).description(help).type(String.class);
            if (f.type() == boolean.class || f.type() == Boolean.class) b.arity("0..1").fallbackValue("true");
            spec.addOption(b.build());
        }
    }

    @Override
    public Integer call() throws IOException {
        ParseResult parsed = spec.commandLine().getParseResult();
        RunConfig c = RunConfig.defaults();
        List<String> given = new ArrayList<>();
        for (SettingsDoc.Row r : SettingsDoc.rows()) {
            OptionSpec o = spec.findOption(r.field().option());
            if (!parsed.hasMatchedOption(o)) continue;
            String text = o.getValue();
            Object value;
            try {
                value = Settings.parse(r.field(), text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(o.longestName() + ": " + e.getMessage());
            }
            String problem = Settings.problem(r.field(), value);
            if (problem != null) throw new IllegalArgumentException(o.longestName() + " " + problem);
            c = Settings.with(c, r.path(), value);
            given.add(r.path());
        }
        if (c.data().path() == null && !given.contains("training.max_length")) {
            c = c.withTraining(Settings.with(c.training(), "max_length", DEMO_MAX_LENGTH));
        }
        try {
            Settings.checkRelations(c, "");
        } catch (Settings.SettingException e) {
            throw new IllegalArgumentException(option(e.path()) + ": " + e.getMessage());
        }
        FineTuneRun.run(c, Path.of("").toAbsolutePath(), spec.commandLine().getOut());
        return 0;
    }

    /** The option of a setting path, for messages ({@code data.split} → {@code --split}). */
    private String option(String path) {
        for (SettingsDoc.Row r : SettingsDoc.rows()) {
            if (r.path().equals(path) || r.path().endsWith("." + path)) {
                return r.field().option();
            }
        }
        return path;
    }
}
