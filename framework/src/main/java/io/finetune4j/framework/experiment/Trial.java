package io.finetune4j.framework.experiment;

import io.finetune4j.framework.run.SingleRun;

import java.util.Map;

/**
 * One run of an experiment: a point of the sweep with one seed.
 *
 * @param index   position in the plan, from 0
 * @param hash    first 12 hex digits of the SHA-256 of the canonical JSON of {@code config}: equal configs, equal
 *                hashes, whatever the file's layout or the trial's index (results are resumed by it)
 * @param params  the swept fields by dotted path (e.g. {@code training.learning_rate}), typed
 * @param seed    the training seed
 * @param options what {@link SingleRun#run} gets (output not set)
 * @param config  the fully resolved configuration (data paths as written in the file)
 * @param embeddings the file's {@code embeddings} section with this trial's swept values, or null (fine-tuning only)
 */
public record Trial(int index, String hash, Map<String, Object> params, long seed, SingleRun.Options options,
                    Map<String, Object> config, ExperimentFile.Embeddings embeddings) {

    /** A fine-tuning trial. */
    public Trial(int index, String hash, Map<String, Object> params, long seed, SingleRun.Options options,
                 Map<String, Object> config) {
        this(index, hash, params, seed, options, config, null);
    }

    /** Whether the trial fine-tunes: no embeddings section, or one with {@code compare: true}. */
    public boolean fineTunes() {
        return embeddings == null || embeddings.comparing();
    }

    /** The embedding methods the trial runs (none without an embeddings section). */
    public java.util.List<String> embeddingMethods() {
        return embeddings == null ? java.util.List.of() : embeddings.methods();
    }

    /** The trial's folder under the experiment's output: {@code trials/<index>-<hash>}. */
    public String dirName() {
        return "trials/" + index + "-" + hash;
    }
}
