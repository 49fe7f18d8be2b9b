package io.finetune4j.models.checkpoint;

import io.finetune4j.models.ModelException;
import io.finetune4j.models.checkpoint.TfCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Fast checks of the TF reader that need no 400 MB jar. */
class TfNamesTest {
    @TempDir
    Path tmp;

    @Test
    void tfNamesMapToHuggingFaceNames() {
        assertEquals("encoder.layer.11.attention.self.query.weight",
                TfCheckpoint.canonicalName("module/bert/encoder/layer_11/attention/self/query/kernel"));
        assertEquals("encoder.layer.0.output.LayerNorm.bias",
                TfCheckpoint.canonicalName("bert/encoder/layer_0/output/LayerNorm/beta"));
        assertEquals("embeddings.LayerNorm.weight", TfCheckpoint.canonicalName("bert/embeddings/LayerNorm/gamma"));
        assertEquals("embeddings.word_embeddings.weight", TfCheckpoint.canonicalName("bert/embeddings/word_embeddings"));
        assertEquals("cls.predictions.bias", TfCheckpoint.canonicalName("module/cls/predictions/output_bias"));
        assertEquals("pooler.dense.weight", TfCheckpoint.canonicalName("bert/pooler/dense/kernel"));
        assertNull(TfCheckpoint.canonicalName("global_step"));
        assertNull(TfCheckpoint.canonicalName("bert/encoder/layer_0/output/dense/kernel/adam_m"));
        assertNull(TfCheckpoint.canonicalName("bert/encoder/layer_0/output/dense/kernel/adam_v"));
    }

    @Test
    void missingOrForeignIndexIsAModelException() throws IOException {
        ModelException missing = assertThrows(ModelException.class, () -> TfCheckpoint.read(tmp));
        assertTrue(missing.getMessage().contains("variables.index"), missing.getMessage());
        Files.write(tmp.resolve("variables.index"), new byte[100]);
        ModelException foreign = assertThrows(ModelException.class, () -> TfCheckpoint.read(tmp));
        assertTrue(foreign.getMessage().contains("not a TF checkpoint index"), foreign.getMessage());
    }
}
