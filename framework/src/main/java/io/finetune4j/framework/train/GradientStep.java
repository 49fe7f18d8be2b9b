package io.finetune4j.framework.train;

import io.finetune4j.framework.model.ClassifierGraph;
import io.finetune4j.framework.model.HeadWeights;
import io.finetune4j.framework.model.TextClassifier;
import io.finetune4j.models.BertConfig;
import io.finetune4j.models.BertEncoder;
import io.finetune4j.models.DropoutMasks;
import io.finetune4j.models.Embeddings;
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
    private final Embeddings embeddings;
    private final DropoutMasks masks;
    private final List<String> graphGrads = new ArrayList<>();
    private final boolean embeddingsLearn;
    private final DataType dt;

    public record Output(double loss, Map<String, INDArray> gradients) {
    }

    public GradientStep(TextClassifier model, Set<String> trainable, long seed) {
        this.model = model;
        BertConfig config = model.config();
        Map<String, INDArray> weights = model.weights();
        this.dt = weights.get(HeadWeights.OUT + ".weight").dataType();
        this.graph = new ClassifierGraph(config, model.head(), weights, true);
        this.embeddings = new Embeddings(config, weights);
        this.masks = new DropoutMasks(seed * 31 + 17, model.head().dropout());
        List<String> tables = List.of(embeddings.tableNames());
        for (String name : trainable) if (graph.sd.hasVariable(name) && !tables.contains(name)) graphGrads.add(name);
        this.embeddingsLearn = trainable.contains(tables.get(0));
        if (embeddingsLearn) graphGrads.add(BertEncoder.INPUT);
    }

    public Output run(Batch b) {
        BertConfig config = model.config();
        Map<String, INDArray> ph = model.placeholders(graph, b,
                masks.next(BertEncoder.dropoutMaskShapes(config, b.size(), b.length()), dt));
        ph.put(ClassifierGraph.HEAD_DROPOUT, masks.mask(new long[]{b.size(), graph.headDropoutWidth(config)}, dt));
        OutAndGrad og = graph.sd.calculateGradientsAndOutputs(ph, List.of(ClassifierGraph.LOSS), graphGrads);
        double loss = og.getOutputs().get(ClassifierGraph.LOSS).getDouble(0);
        Map<String, INDArray> grads = new HashMap<>(og.getGradients());
        INDArray inputGrad = grads.remove(BertEncoder.INPUT);
        if (embeddingsLearn) grads.putAll(embeddings.gradients(inputGrad, b.inputIds(), b.tokenTypeIds()));
        return new Output(loss, grads);
    }
}
