package io.finetune4j.framework.experiment;

import io.finetune4j.framework.config.RunConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One run of an experiment: a point of the sweep with one seed.
 *
 * @param index      position in the plan, from 0
 * @param hash       first 12 hex digits of the SHA-256 of the canonical JSON of {@code config}: equal settings, equal
 *                   hashes, whatever the file's layout, the names it uses or the trial's index (results are resumed by
 *                   it)
 * @param params     the swept fields by dotted path as the file writes them (e.g. {@code training.learning_rate})
 * @param seed       the training seed
 * @param run        the run's settings (data and model paths as written; output not set)
 * @param folder     the experiment file's folder: relative data and model paths start there
 * @param config     the settings as canonical names and plain values (what {@code hash} is taken of)
 * @param embeddings the file's {@code embeddings} section with this trial's swept values, or null (fine-tuning only)
 */
public record Trial(int index, String hash, Map<String, Object> params, long seed, RunConfig run, Path folder,
                    Map<String, Object> config, ExperimentFile.Embeddings embeddings) {

    /** Whether the trial fine-tunes: no embeddings section, or one with {@code compare: true}. */
    public boolean fineTunes() {
        return embeddings == null || embeddings.comparing();
    }

    /** The embedding methods the trial runs (none without an embeddings section). */
    public List<String> embeddingMethods() {
        return embeddings == null ? List.of() : embeddings.methods();
    }

    /** The trial's folder under the experiment's output: {@code trials/<index>-<hash>}. */
    public String dirName() {
        return "trials/" + index + "-" + hash;
    }
}
