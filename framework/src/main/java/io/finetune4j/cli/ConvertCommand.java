package io.finetune4j.cli;

import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.DistilBertConversion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code finetune4j convert-distilbert}: a DistilBERT checkpoint folder made from a BERT's layers, by DistilBERT's
 * own initialisation recipe (every other layer; token-type row 0 folded into the position table). The folder is a
 * Hugging Face one (config.json, model.safetensors, tokenizer) that {@code --model DIR} and transformers read.
 */
@Command(name = "convert-distilbert", sortOptions = false,
        description = "Write a DistilBERT checkpoint folder initialised from a BERT's layers (DistilBERT's recipe).")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "NAME|DIR", description = "The BERT to take layers from.")
    String model;

    @Option(names = "--layers", paramLabel = "I,J,...", split = ",",
            description = "BERT layers to keep, in order (default: every other layer: 0,2,4,...).")
    int[] layers;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Folder to write (must not exist).")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(output)) throw new IllegalArgumentException(output + ": already exists");
        Backbone bert = Backbone.load(model);
        int[] keep = layers != null ? layers : DistilBertConversion.everyOtherLayer(bert.config());
        DistilBertConversion.Result r = DistilBertConversion.convert(bert.config(), bert.weights(), keep);
        new Backbone(output.getFileName().toString(), r.config(), r.weights(), bert.tokenizer())
                .save(output, Map.of("format", "pt", "finetune4j.source", bert.name(), "finetune4j.layers", Arrays.toString(keep)));
        spec.commandLine().getOut().printf("%s: DistilBERT with %d layers (BERT layers %s of %s)%n", output,
                keep.length, Arrays.toString(keep), bert.name());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
