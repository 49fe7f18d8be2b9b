package io.finetune4j.cli;

import io.finetune4j.framework.io.TextTable;
import io.finetune4j.models.pretrained.ModelCatalogue;
import io.finetune4j.models.pretrained.ModelCatalogue.Entry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code finetune4j models}: the catalogue, and what is already on this machine. Loads no model and no ND4J. */
@Command(name = "models", description = "List the pretrained models finetune4j can fetch by name.")
final class ModelsCommand implements Callable<Integer> {
    /** {@code ModelJar}'s marker of a complete extraction (package-private there). */
    private static final String EXTRACTED_MARKER = ".extracted";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"NAME", "ARCHITECTURE", "SIZE MB", "IN ~/.m2", "UNPACKED", "MAVEN COORDINATES"});
        for (Entry e : ModelCatalogue.ENTRIES) {
            rows.add(new String[]{e.name(), e.architecture(), String.valueOf(e.sizeMb()),
                    Files.isRegularFile(localJar(e)) ? "yes" : "no",
                    Files.exists(cacheFolder(e).resolve(EXTRACTED_MARKER)) ? "yes" : "no",
                    e.coordinates()});
        }
        printTable(out, rows);
        out.println();
        out.println("A model not in ~/.m2 is fetched through Maven (mvn dependency:get) on first use, then unpacked");
        out.println("into " + ModelCatalogue.cacheDir() + " (-Dfinetune4j.cache or $FINETUNE4J_CACHE to move it).");
        out.println("Any Hugging Face BERT / DistilBERT folder (config.json + model.safetensors + tokenizer.json or");
        out.println("vocab.txt) also works as --model DIR.");
        out.flush();
        return 0;
    }

    /** Where Maven keeps the jar: -Dmaven.repo.local, else ~/.m2/repository (as {@code ModelCatalogue}). */
    static Path localJar(Entry e) {
        String[] c = e.coordinates().split(":");
        String repo = System.getProperty("maven.repo.local");
        Path root = repo != null ? Paths.get(repo) : Paths.get(System.getProperty("user.home"), ".m2", "repository");
        return root.resolve(c[0].replace('.', '/')).resolve(c[1]).resolve(c[2]).resolve(c[1] + "-" + c[2] + ".jar");
    }

    /** {@code ModelJar.extract}'s folder: the jar's name without {@code .jar}, under the cache. */
    static Path cacheFolder(Entry e) {
        String[] c = e.coordinates().split(":");
        return ModelCatalogue.cacheDir().resolve(c[1] + "-" + c[2]);
    }

    /** Prints {@code rows} (the first is the header) as a plain table: columns two spaces apart. */
    static void printTable(PrintWriter out, List<String[]> rows) {
        TextTable t = TextTable.text(List.of(rows.get(0)));
        for (String[] r : rows.subList(1, rows.size())) t.row(r);
        out.print(t.plain());
    }
}
