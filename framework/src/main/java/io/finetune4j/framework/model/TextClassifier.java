package io.finetune4j.framework.model;

import io.finetune4j.framework.config.RunConfig.LossNormalisation;
import io.finetune4j.framework.config.RunConfig.Pooling;
import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.BertConfig;
import io.finetune4j.models.bert.BertModel;
import io.finetune4j.models.bert.BertEmbeddings;
import io.finetune4j.models.bert.BertInference;
import io.finetune4j.models.ModelException;
import io.finetune4j.models.runtime.StepMemory;
import io.finetune4j.models.tokenizer.Encoding;
import io.finetune4j.models.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A text classifier: a backbone plus a head ({@link ClassifierHead}; Keras-Hub's Task). Holds every weight, backbone
 * and head, in one map of live arrays that the trainer updates in place, and saves as a Hugging Face folder
 * ({@link ClassifierFolder}): with the default head, {@code AutoModelForSequenceClassification.from_pretrained}
 * opens it with its trained head.
 */
public final class TextClassifier {
    private static final long INFERENCE_POOL_BYTES = 1L << 30;

    private final String backboneName;
    private final BertConfig config;
    private final ClassifierHead head;
    private final LinkedHashMap<String, INDArray> weights;
    private final WordPieceTokenizer tokenizer;
    private final BertEmbeddings embeddings;
    private final boolean newPooler;
    private ClassifierGraph inference;
    private StepMemory inferenceMemory;

    public TextClassifier(String backboneName, BertConfig config, ClassifierHead head,
                          LinkedHashMap<String, INDArray> weights, WordPieceTokenizer tokenizer) {
        this(backboneName, config, head, weights, tokenizer, false);
    }

    private TextClassifier(String backboneName, BertConfig config, ClassifierHead head,
                           LinkedHashMap<String, INDArray> weights, WordPieceTokenizer tokenizer, boolean newPooler) {
        this.newPooler = newPooler;
        this.backboneName = backboneName;
        this.config = config;
        this.head = head;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.embeddings = new BertEmbeddings(config, weights);
        if (head.pooling() == Pooling.POOLER && !config.hasPooler()) {
            throw new IllegalArgumentException(backboneName + " has no pooler: use pooling cls or mean");
        }
        for (String layer : head.layers(config)) {
            if (!weights.containsKey(layer + ".weight")) throw new ModelException("the head has no tensor '" + layer + ".weight'");
        }
    }

    /**
     * A new classifier on a pretrained backbone: the head (and, for BERT's head on a backbone exported without
     * one, a pooler) initialised from {@code seed}; a masked-LM head of the checkpoint is left out.
     */
    public static TextClassifier create(Backbone backbone, ClassifierHead head, long seed) {
        LinkedHashMap<String, INDArray> w = new LinkedHashMap<>();
        backbone.weights().forEach((k, v) -> {
            if (!Backbone.isMaskedLmTensor(k)) w.put(k, v.dup());
        });
        w.putAll(HeadWeights.initialise(backbone.config(), head, seed, w.values().iterator().next().dataType()));
        BertConfig config = backbone.config();
        boolean newPooler = head.isHf() && !config.isDistilBert() && !config.hasPooler();
        if (newPooler) config = config.withPooler(true);
        return new TextClassifier(backbone.name(), config, head, w, backbone.tokenizer(), newPooler);
    }

    /** The same weights with another config (other dropout rates, say); the head stays. */
    public TextClassifier withConfig(BertConfig other) {
        return new TextClassifier(backboneName, other, head, weights, tokenizer, newPooler);
    }

    /** Whether the pooler is new (initialised for BERT's head on a backbone exported without one), not pretrained. */
    public boolean hasNewPooler() {
        return newPooler;
    }

    public BertConfig config() { return config; }

    public ClassifierHead head() { return head; }

    public LinkedHashMap<String, INDArray> weights() { return weights; }

    public WordPieceTokenizer tokenizer() { return tokenizer; }

    public String backboneName() { return backboneName; }

    public List<Encoding> encode(List<String> texts, List<String> pairs, int maxLength) {
        List<Encoding> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String pair = pairs == null ? null : pairs.get(i);     // a set may mix single texts and pairs
            out.add(pair == null ? tokenizer.encode(texts.get(i), maxLength)
                    : tokenizer.encode(texts.get(i), pair, maxLength));
        }
        return out;
    }

    /** Probabilities, per-example losses and the mean loss of a labelled set (inference: no dropout). */
    public record Evaluation(double[][] probabilities, double[] exampleLoss, double meanLoss) {
    }

    public Evaluation evaluate(TrainingData data, int maxLength, int batchSize) {
        ClassifierGraph graph = inferenceGraph();
        List<Encoding> enc = encode(data.texts(), data.textPairs(), maxLength);
        double[][] probs = new double[data.size()][];
        double[] losses = new double[data.size()];
        double total = 0;
        for (Batch b : Batches.inOrder(enc, data, batchSize, tokenizer.padId())) {
            Map<String, INDArray> ph = placeholders(graph, b, null);
            inferenceMemory.begin(List.of(ClassifierGraph.PROBABILITIES, ClassifierGraph.EXAMPLE_LOSS));
            Map<String, INDArray> out = graph.sd.output(ph, ClassifierGraph.PROBABILITIES, ClassifierGraph.EXAMPLE_LOSS);
            INDArray p = out.get(ClassifierGraph.PROBABILITIES), l = out.get(ClassifierGraph.EXAMPLE_LOSS);
            for (int i = 0; i < b.size(); i++) {
                probs[b.indices()[i]] = p.getRow(i).toDoubleVector();
                losses[b.indices()[i]] = l.getDouble(i);
                total += l.getDouble(i);
            }
            inferenceMemory.recycle();
            closeInputs(ph);
        }
        return new Evaluation(probs, losses, total / Math.max(1, data.size()));
    }

    /** Probabilities of one already-padded batch (inference graph; the benchmark times this). */
    public INDArray forwardProbabilities(Batch b) {
        ClassifierGraph graph = inferenceGraph();
        Map<String, INDArray> ph = placeholders(graph, b, null);
        inferenceMemory.begin(List.of(ClassifierGraph.PROBABILITIES));
        INDArray p = graph.sd.output(ph, ClassifierGraph.PROBABILITIES).get(ClassifierGraph.PROBABILITIES).dup();
        inferenceMemory.recycle();
        closeInputs(ph);
        return p;
    }

    /** Class probabilities for unlabelled texts. */
    public double[][] predict(List<String> texts, List<String> pairs, int maxLength, int batchSize) {
        double[][] dummy = new double[texts.size()][head.numLabels()];
        double[] ones = new double[texts.size()];
        java.util.Arrays.fill(ones, 1);
        return evaluate(new TrainingData(texts, pairs, dummy, ones), maxLength, batchSize).probabilities();
    }

    /** The dropout-free graph, built on first use, with its arrays reused from batch to batch (StepMemory). */
    private ClassifierGraph inferenceGraph() {
        if (inference == null) {
            inference = new ClassifierGraph(config, head, weights, false, LossNormalisation.PYTORCH);
            inferenceMemory = StepMemory.install(inference.sd, false, INFERENCE_POOL_BYTES);
        }
        return inference;
    }

    /** Placeholders of a batch for {@code graph}; {@code masks} (dropout) only for a training graph. */
    public Map<String, INDArray> placeholders(ClassifierGraph graph, Batch b, Map<String, INDArray> masks) {
        DataType dt = dtype();
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(BertModel.INPUT, embeddings.lookup(b.inputIds(), b.tokenTypeIds()).castTo(dt));
        ph.put(BertModel.ATTENTION_BIAS, BertInference.attentionBias(b.attentionMask(), dt));
        ph.put(ClassifierGraph.TARGETS, Nd4j.create(b.targets()).castTo(dt));
        ph.put(ClassifierGraph.EXAMPLE_WEIGHTS, Nd4j.createFromArray(b.weights()).castTo(dt));
        if (head.pooling() == Pooling.MEAN) {
            int[][] m = b.attentionMask();
            double[] flat = new double[b.size() * b.length()];
            for (int i = 0; i < m.length; i++) for (int j = 0; j < m[i].length; j++) flat[i * b.length() + j] = m[i][j];
            ph.put(ClassifierGraph.TOKEN_MASK, Nd4j.create(flat, new long[]{b.size(), b.length(), 1}, DataType.DOUBLE).castTo(dt));
        }
        if (masks != null) ph.putAll(masks);
        return ph;
    }

    /** Frees the arrays {@link #placeholders} made for a batch (not the dropout masks, which their maker reuses). */
    public void closeInputs(Map<String, INDArray> placeholders) {
        for (String name : List.of(BertModel.INPUT, BertModel.ATTENTION_BIAS, ClassifierGraph.TARGETS,
                ClassifierGraph.EXAMPLE_WEIGHTS, ClassifierGraph.TOKEN_MASK)) {
            INDArray a = placeholders.get(name);
            if (a != null) a.close();
        }
    }

    /** The weights' data type (float32 normally, float64 in the reference tests). */
    public DataType dtype() {
        return weights.get(head.layers(config).get(0) + ".weight").dataType();
    }

    // ---- saving and loading ------------------------------------------------------------------------------------

    /** Writes the classifier as a Hugging Face folder ({@link ClassifierFolder#write}). */
    public void save(Path dir, Map<String, Object> extra) throws IOException {
        ClassifierFolder.write(this, dir, extra);
    }

    /** A classifier folder that finetune4j or Hugging Face saved ({@link ClassifierFolder#read}). */
    public static TextClassifier load(Path dir) {
        return ClassifierFolder.read(dir);
    }
}
