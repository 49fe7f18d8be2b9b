package io.finetune4j.cli;

import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.pretrained.MaskedLm;
import io.finetune4j.models.ModelException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code finetune4j fill-mask}: the masked-language-model head's best guesses for the first {@code [MASK]}. */
@Command(name = "fill-mask", sortOptions = false,
        description = "Predict the token behind [MASK] with a model that has a masked-LM head (bert-base-*).")
final class FillMaskCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "NAME|DIR",
            description = "A catalogue name with an MLM head (bert-base-uncased, bert-base-cased) or a checkpoint folder.")
    String model;

    @Option(names = {"-k", "--top"}, paramLabel = "K", defaultValue = "5",
            description = "How many predictions to print (default: ${DEFAULT-VALUE}).")
    int top;

    @Parameters(paramLabel = "TEXT", description = "A text with a [MASK], e.g. \"The capital of France is [MASK].\"")
    String text;

    @Override
    public Integer call() {
        if (top < 1) throw new IllegalArgumentException("--top must be at least 1, not " + top);
        if (!text.contains("[MASK]")) throw new IllegalArgumentException("the text has no [MASK] token: \"" + text + "\"");
        Backbone backbone = Backbone.load(model);
        if (!backbone.hasMaskedLmHead()) {
            throw new ModelException(backbone.name() + " has no masked-LM head (cls.predictions.*): try bert-base-uncased");
        }
        List<MaskedLm.Prediction> predictions = new MaskedLm(backbone).fillMask(text, top);
        PrintWriter out = spec.commandLine().getOut();
        int width = Math.max(5, predictions.stream().mapToInt(p -> p.token().length()).max().orElse(5));
        out.printf("%-" + width + "s  %s%n", "TOKEN", "PROBABILITY");
        for (MaskedLm.Prediction p : predictions) out.printf("%-" + width + "s  %.4f%n", p.token(), p.probability());
        out.flush();
        return 0;
    }
}
