package io.finetune4j.framework.train;

import io.finetune4j.framework.model.Batch;
import io.finetune4j.framework.model.ClassifierGraph;
import io.finetune4j.framework.config.RunConfig.LossNormalisation;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.BertModel;
import io.finetune4j.models.runtime.DropoutMasks;
import io.finetune4j.models.bert.BertEmbeddings;
import io.finetune4j.models.runtime.StepMemory;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forward and backward pass of one batch through the training graph: fresh dropout masks, the loss, and the
 * gradients of every trainable weight (embedding tables scattered back from the graph input's gradient).
 * The trainer and the benchmark both run steps through this class, so the benchmark times the real thing.
 */
public final class GradientStep {
    private final TextClassifier model;
    private final ClassifierGraph graph;
    private final BertEmbeddings embeddings;
    private final DropoutMasks masks;
    private final List<String> graphGrads = new ArrayList<>();
    private final boolean embeddingsLearn;
    private final DataType dt;
    private final StepMemory memory;
    private final String wordTable;
    private final List<String> outputs = new ArrayList<>();   // names in the gradient graph the caller reads
    /** At most this much memory is held in free buffers between steps (normally one step's working set). */
    private static final long MAX_POOLED_BYTES = 6L << 30;

    /**
     * The loss and the gradients of one batch, valid until {@link #close}: closing hands the step's arrays back
     * for reuse ({@link StepMemory}), so close it as soon as the optimizer has used the gradients, and before the
     * next {@link #run} where possible.
     */
    public record Output(double loss, Map<String, INDArray> gradients, Runnable release) implements AutoCloseable {
        @Override
        public void close() {
            release.run();
        }
    }

    public GradientStep(TextClassifier model, Set<String> trainable, long seed, LossNormalisation normalisation) {
        this.model = model;
        BertConfig config = model.config();
        Map<String, INDArray> weights = model.weights();
        this.dt = model.dtype();
        this.graph = new ClassifierGraph(config, model.head(), weights, true, normalisation);
        this.embeddings = new BertEmbeddings(config, weights);
        this.masks = new DropoutMasks(seed * 31 + 17);
        List<String> tables = List.of(embeddings.tableNames());
        this.wordTable = tables.get(0);
        for (String name : trainable) if (graph.sd.hasVariable(name) && !tables.contains(name)) graphGrads.add(name);
        this.embeddingsLearn = trainable.contains(tables.get(0));
        if (embeddingsLearn) graphGrads.add(BertModel.INPUT);
        this.memory = StepMemory.install(graph.sd, true, MAX_POOLED_BYTES);
        outputs.add(ClassifierGraph.LOSS);
        for (String name : graphGrads) {
            SDVariable grad = graph.sd.getVariable(name).getGradient();
            if (grad != null) outputs.add(grad.name());   // null: not on the loss's path (an unused pooler)
        }
    }

    public Output run(Batch b) {
        BertConfig config = model.config();
        Map<String, INDArray> ph = model.placeholders(graph, b,
                masks.next(BertModel.dropoutMasks(config, b.size(), b.length()), dt));
        double headRate = model.head().dropout();
        if (headRate > 0) {
            ph.put(ClassifierGraph.HEAD_DROPOUT, masks.next(ClassifierGraph.HEAD_DROPOUT,
                    new DropoutMasks.Mask(new long[]{b.size(), graph.headDropoutWidth()}, headRate), dt));
        }
        memory.begin(outputs);
        OutAndGrad og = graph.sd.calculateGradientsAndOutputs(ph, List.of(ClassifierGraph.LOSS), graphGrads);
        model.closeInputs(ph);   // the masks stay: DropoutMasks refills them next step
        double loss = og.getOutputs().get(ClassifierGraph.LOSS).getDouble(0);
        Map<String, INDArray> grads = new HashMap<>(og.getGradients());
        INDArray inputGrad = grads.remove(BertModel.INPUT);
        List<INDArray> tables = new ArrayList<>();
        if (embeddingsLearn) {
            Map<String, INDArray> tableGrads = embeddings.gradients(inputGrad, b.inputIds(), b.tokenTypeIds());
            tableGrads.forEach((name, g) -> {
                if (!name.equals(wordTable)) tables.add(g);   // the word table's gradient is reused (BertEmbeddings)
            });
            grads.putAll(tableGrads);
        }
        return new Output(loss, grads, () -> {
            tables.forEach(INDArray::close);
            memory.recycle();
        });
    }
}
