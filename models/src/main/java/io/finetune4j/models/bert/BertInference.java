package io.finetune4j.models.bert;

import io.finetune4j.models.runtime.StepMemory;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The encoder without dropout, for encoding and evaluation: one graph, reused for every batch shape. */
public final class BertInference {
    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final BertModel encoder;
    private final DataType dtype;
    private final StepMemory memory;

    public record Output(INDArray lastHidden, INDArray pooled) {
    }

    public BertInference(BertConfig config, Map<String, INDArray> weights) {
        this.config = config;
        this.embeddings = new BertEmbeddings(config, weights);
        this.encoder = new BertModel(SameDiff.create(), config, weights, false);
        this.dtype = BertModel.dtype(weights);
        this.memory = StepMemory.install(encoder.sameDiff(), false, 1L << 30);
    }

    public BertModel encoder() {
        return encoder;
    }

    public BertConfig config() {
        return config;
    }

    /** Placeholders for a padded batch: the summed embeddings and the additive attention mask. */
    public Map<String, INDArray> inputs(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(BertModel.INPUT, embeddings.lookup(inputIds, tokenTypeIds).castTo(dtype));
        ph.put(BertModel.ATTENTION_BIAS, attentionBias(attentionMask, dtype));
        return ph;
    }

    public Output forward(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
        List<String> outs = new ArrayList<>(List.of(encoder.lastHidden.name()));
        if (encoder.pooled != null) outs.add(encoder.pooled.name());
        Map<String, INDArray> in = inputs(inputIds, tokenTypeIds, attentionMask);
        memory.begin(outs);
        Map<String, INDArray> r = encoder.sameDiff().output(in, outs);
        // Copies: the graph's own arrays are reused by the next batch.
        Output out = new Output(r.get(encoder.lastHidden.name()).dup(),
                encoder.pooled == null ? null : r.get(encoder.pooled.name()).dup());
        memory.recycle();
        in.values().forEach(INDArray::close);
        return out;
    }

    /** [B, 1, 1, T]: 0 where the mask is 1, {@value BertModel#MASKED} where it is 0 (padding). */
    public static INDArray attentionBias(int[][] attentionMask, DataType dtype) {
        int b = attentionMask.length, t = attentionMask[0].length;
        double[] bias = new double[b * t];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < t; j++) bias[i * t + j] = attentionMask[i][j] == 0 ? BertModel.MASKED : 0.0;
        return Nd4j.create(bias, new long[]{b, 1, 1, t}, DataType.DOUBLE).castTo(dtype);
    }
}
