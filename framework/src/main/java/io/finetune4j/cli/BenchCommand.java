package io.finetune4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.framework.bench.StepBenchmark;
import io.finetune4j.models.pretrained.Backbone;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code finetune4j bench}: training-step and inference throughput on random token ids, the PyTorch peer's
 * measurement ({@code bench/compare.sh} runs both). The last line is one JSON object.
 */
@Command(name = "bench", sortOptions = false,
        description = "Time a training step (forward + backward + AdamW) and inference on random tokens.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, defaultValue = "all-MiniLM-L6-v2", paramLabel = "NAME|DIR",
            description = "Backbone (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "B", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-length", defaultValue = "128", paramLabel = "T", description = "Tokens per sequence, no padding (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--steps", defaultValue = "5", paramLabel = "N", description = "Timed steps after 2 warm-up steps; the median is reported (default: ${DEFAULT-VALUE}).")
    int steps;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || seq < 2 || steps < 1) throw new IllegalArgumentException("--batch-size, --max-length and --steps must be positive");
        Backbone backbone = Backbone.load(model);
        if (seq > backbone.config().maxPositions()) {
            throw new IllegalArgumentException("--max-length " + seq + " exceeds " + backbone.name() + "'s "
                    + backbone.config().maxPositions() + " positions");
        }
        Map<String, Object> result = StepBenchmark.run(backbone, batch, seq, steps);
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().writeValueAsString(result));
        out.flush();
        return 0;
    }
}
