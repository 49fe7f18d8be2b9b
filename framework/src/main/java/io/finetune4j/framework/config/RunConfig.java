package io.finetune4j.framework.config;

import io.finetune4j.framework.data.ReadOptions;

import java.nio.file.Path;
import java.util.List;

/**
 * Every setting of a fine-tuning run, in the spirit of Hugging Face's {@code TrainingArguments}: one record tree
 * that is at once the {@code train} command's options, the {@code dataset} / {@code model} / {@code training}
 * sections of an experiment file, the checks, the trial hash and the {@code config} record of {@code metrics.json}
 * ({@link Settings} derives all of these from the {@link Setting} annotations below). Names are Hugging Face's where
 * HF has the setting; the names earlier versions used still work as aliases. A new hyperparameter is one component
 * here (and its use).
 */
public record RunConfig(@Setting(help = "The data.") DataArgs data,
                        @Setting(help = "The model.") ModelArgs model,
                        @Setting(help = "How to train.") TrainingArgs training,
                        @Setting(help = "Where the run writes.") OutputArgs output) {

    /** Every setting at its default. */
    public static RunConfig defaults() {
        return new RunConfig(Settings.defaults(DataArgs.class), Settings.defaults(ModelArgs.class),
                Settings.defaults(TrainingArgs.class), Settings.defaults(OutputArgs.class));
    }

    public RunConfig withData(DataArgs d) {
        return new RunConfig(d, model, training, output);
    }

    public RunConfig withModel(ModelArgs m) {
        return new RunConfig(data, m, training, output);
    }

    public RunConfig withTraining(TrainingArgs t) {
        return new RunConfig(data, model, t, output);
    }

    public RunConfig withOutput(OutputArgs o) {
        return new RunConfig(data, model, training, o);
    }

    /** The data (YAML section {@code dataset}). */
    public record DataArgs(
            @Setting(help = "Training data: a file (.jsonl, .csv, .tsv, optionally .gz, or a folder of class folders) "
                    + "or a dataset name (see 'finetune4j datasets', fetched on first use). Default: a demo on 600 "
                    + "sentences of the built-in dataset 'mr'.", cli = "--train-data", aliases = "train_file",
                    label = "FILE|NAME") String path,
            @Setting(help = "Test data (labels among the training labels). Default: a split of the training data.",
                    cli = "--test-data", aliases = "test_file", label = "FILE|NAME") String testPath,
            @Setting(help = "Validation data: per-epoch evaluation, best model, early stopping, multi-label "
                    + "thresholds.", cli = "--validation-data", aliases = "validation_file", label = "FILE|NAME")
            String validationPath,
            @Setting(help = "File format; auto: from the file name.", value = "auto") ReadOptions.Format format,
            @Setting(help = "Field (or column) of the text.", value = "text") String textField,
            @Setting(help = "Field of the second text of sentence-pair tasks.") String textPairField,
            @Setting(help = "Field of the label; default: label (labels when multi-label).") String labelField,
            @Setting(help = "Rows carry label lists: sigmoid + binary cross-entropy.", value = "false")
            boolean multiLabel,
            @Setting(help = "Take train / test (and validation, dev or val) rows of the training file by this field.")
            String splitField,
            @Setting(help = "Split ratios train,validation,test of the training file when there is neither test data "
                    + "nor a split field (normalised by their sum); default 0.75,0,0.25.", label = "TR,VA,TE")
            Ratios split,
            @Setting(help = "Splits, limits and fractions keep the label proportions (else a seeded shuffle).",
                    value = "true") boolean stratify,
            @Setting(help = "Hold out this stratified fraction of the training data for validation.", value = "0",
                    range = "[0,1)") double validationFraction,
            @Setting(help = "Train on a stratified, seeded fraction of the training examples.", range = "(0,1]",
                    aliases = "train_fraction") Double fraction,
            @Setting(help = "Train on a stratified, seeded sample of this many examples.", range = "[1,)",
                    aliases = "train_limit", hf = true) Integer maxTrainSamples,
            @Setting(help = "Test on a stratified, seeded sample of this many examples.", range = "[1,)",
                    aliases = {"test_limit", "max_predict_samples"}) Integer maxTestSamples,
            @Setting(help = "Seed of the data split, samples and fractions; default: the training seed.",
                    yaml = "seed", hf = true) Long dataSeed,
            @Setting(help = "The label names in a fixed order (every row's label must be one of them); default: "
                    + "from the data.", label = "A,B,...") List<String> labels) implements Settings.Checked {

        @Override
        public void check(Settings.Problems p) {
            int ways = (splitField != null ? 1 : 0) + (testPath != null ? 1 : 0) + (split != null ? 1 : 0);
            if (ways > 1) {
                p.at(split != null ? "split" : "test_path", "give one of split_field, test_path or split ratios, not "
                        + "several");
            }
            if (validationPath != null && validationFraction > 0) {
                p.at("validation_fraction", "give either validation_path or validation_fraction, not both");
            }
            if (split != null) split.check(p);
        }
    }

    /** Split ratios of one file (normalised by their sum). */
    public record Ratios(
            @Setting(help = "Share of training rows.", range = "(0,)") double train,
            @Setting(help = "Share of validation rows.", value = "0", range = "[0,)") double validation,
            @Setting(help = "Share of test rows.", range = "(0,)") double test) {

        void check(Settings.Problems p) {
            if (!(train > 0)) p.at("split", "split needs a positive train ratio");
            if (!(test > 0)) p.at("split", "split needs a positive test ratio");
        }

        /** {@code train,validation,test} on the command line. */
        public static Ratios parse(String s) {
            String[] parts = s.split(",");
            if (parts.length != 3) throw new IllegalArgumentException("expected train,validation,test ratios");
            return new Ratios(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()),
                    Double.parseDouble(parts[2].trim()));
        }
    }

    /** The model (YAML section {@code model}). */
    public record ModelArgs(
            @Setting(help = "Backbone: a catalogue name (see 'finetune4j models'), a Hugging Face checkpoint folder or "
                    + "a model finetune4j saved.", value = "all-MiniLM-L6-v2", cli = {"-m", "--model"},
                    aliases = "model_name_or_path", label = "NAME|DIR", hf = true) String backbone,
            @Setting(help = "The classification head.") HeadArgs head,
            @Setting(help = "Dropout after the embeddings and after each attention and feed-forward output (BERT's "
                    + "hidden_dropout_prob, DistilBERT's dropout); default: the checkpoint's config.json.",
                    range = "[0,1)", hf = true) Double hiddenDropoutProb,
            @Setting(help = "Dropout on the attention probabilities (DistilBERT: attention_dropout); default: the "
                    + "checkpoint's config.json.", range = "[0,1)", hf = true) Double attentionProbsDropoutProb) {
    }

    /**
     * The head. {@code hf} is Hugging Face's own for the backbone: BERT's pooler → dropout → classifier,
     * DistilBERT's [CLS] → pre_classifier → ReLU → dropout → classifier. {@code dense} is the notebooks' custom
     * head: pooled vector → dense(hidden_size, activation) → dropout → output.
     */
    public record HeadArgs(
            @Setting(help = "hf: Hugging Face's *ForSequenceClassification head; dense: pooling -> dense -> dropout "
                    + "-> output. Default: dense when pooling, hidden_size or activation is given, else hf.",
                    cli = "--head") HeadType type,
            @Setting(help = "What the dense head reads: pooler (BERT's dense+tanh over [CLS]), cls (the raw [CLS] "
                    + "state) or mean (over the real tokens); default: pooler if the backbone has one, else cls.",
                    cli = "--pooling") Pooling pooling,
            @Setting(help = "Width of the dense head's hidden layer; 0: none; default: the backbone's hidden size.",
                    range = "[0,)", cli = {"--head-hidden-size", "--head-hidden"}) Integer hiddenSize,
            @Setting(help = "The dense head's activation.", cli = {"--head-activation", "--activation"})
            Activation activation,
            @Setting(help = "Dropout before the classifier (BERT's classifier_dropout, DistilBERT's "
                    + "seq_classif_dropout); default: the checkpoint's, else hidden_dropout_prob (BERT) or 0.2 "
                    + "(DistilBERT), as Hugging Face does.", range = "[0,1)",
                    cli = {"--classifier-dropout", "--dropout"}, yaml = {"classifier_dropout", "seq_classif_dropout"},
                    hf = true) Double dropout) implements Settings.Checked {

        /** The head type in effect. */
        public HeadType typeOrDefault() {
            if (type != null) return type;
            return pooling != null || hiddenSize != null || activation != null ? HeadType.DENSE : HeadType.HF;
        }

        @Override
        public void check(Settings.Problems p) {
            if (type == HeadType.HF) {
                if (pooling != null) p.at("pooling", "pooling is a setting of the dense head (type: dense)");
                if (hiddenSize != null) p.at("hidden_size", "hidden_size is a setting of the dense head (type: dense)");
                if (activation != null) p.at("activation", "activation is a setting of the dense head (type: dense)");
            }
        }
    }

    /** How to train (YAML section {@code training}); defaults as Hugging Face's TrainingArguments unless noted. */
    public record TrainingArgs(
            @Setting(help = "Tokens per text, [CLS] and [SEP] included.", value = "128", range = "[2,)",
                    aliases = "max_seq_length", label = "N") int maxLength,
            @Setting(help = "Peak learning rate of AdamW.", value = "5e-5", range = "(0,)", aliases = "lr",
                    label = "LR", hf = true) double learningRate,
            @Setting(help = "Epochs (Hugging Face's default: 3).", value = "1", range = "[1,)", aliases = "epochs",
                    label = "N", hf = true) int numTrainEpochs,
            @Setting(help = "Training batch size (Hugging Face's default: 8).", value = "16", range = "[1,)",
                    aliases = {"batch_size", "train_batch_size"}, label = "N", hf = true) int perDeviceTrainBatchSize,
            @Setting(help = "Batch size of evaluation and prediction; default: the training batch size, at least 32.",
                    range = "[1,)", aliases = "eval_batch_size", label = "N", hf = true) Integer perDeviceEvalBatchSize,
            @Setting(help = "AdamW's decoupled weight decay; biases and LayerNorm weights get none (Hugging Face's "
                    + "default: 0).", value = "0.01", range = "[0,)", hf = true) double weightDecay,
            @Setting(help = "AdamW's beta1.", value = "0.9", range = "[0,1)", hf = true) double adamBeta1,
            @Setting(help = "AdamW's beta2.", value = "0.999", range = "[0,1)", hf = true) double adamBeta2,
            @Setting(help = "AdamW's epsilon.", value = "1e-8", range = "(0,)", hf = true) double adamEpsilon,
            @Setting(help = "Warm-up as a share of all optimizer steps (steps = ceil(share x total)).", value = "0",
                    range = "[0,1]", hf = true) double warmupRatio,
            @Setting(help = "Warm-up steps; wins over warmup_ratio when > 0.", value = "0", range = "[0,)",
                    label = "N", hf = true) int warmupSteps,
            @Setting(help = "Learning-rate schedule, as Hugging Face's get_scheduler (constant ignores warm-up).",
                    value = "linear", aliases = "schedule", hf = true) SchedulerType lrSchedulerType,
            @Setting(help = "Clip the gradients' global L2 norm to this; 0: no clipping.", value = "1.0",
                    range = "[0,)", hf = true) double maxGradNorm,
            @Setting(help = "Batches per optimizer step (each batch's loss divided by the batches of its step).",
                    value = "1", range = "[1,)", aliases = "gradient_accumulation", label = "N", hf = true)
            int gradientAccumulationSteps,
            @Setting(help = "Batch texts of similar length together (less padding).", value = "false",
                    aliases = "bucket_by_length", hf = true) boolean groupByLength,
            @Setting(help = "Seeds the new head weights, the shuffling, dropout and (unless data_seed) the data split.",
                    value = "42", label = "N", hf = true) long seed,
            @Setting(help = "After training, restore the weights of the epoch with the best metric_for_best_model "
                    + "(needs validation data; on whenever early stopping is).", value = "false", hf = true)
            boolean loadBestModelAtEnd,
            @Setting(help = "What the best model and early stopping watch on the validation set.", value = "loss",
                    aliases = "monitor", yaml = "early_stopping.monitor", hf = true) BestMetric metricForBestModel,
            @Setting(help = "Whether a larger metric_for_best_model is better; default: false for loss, else true.",
                    hf = true) Boolean greaterIsBetter,
            @Setting(help = "Stop after this many epochs without improvement of metric_for_best_model by more than "
                    + "early_stopping_threshold, and restore the best weights; 0: off.", value = "0", range = "[0,)",
                    aliases = "patience", yaml = "early_stopping.patience", label = "N", hf = true)
            int earlyStoppingPatience,
            @Setting(help = "The improvement early stopping counts as one.", value = "0", range = "[0,)", hf = true)
            double earlyStoppingThreshold,
            @Setting(help = "Per-class loss weights: none, balanced (n / (classes x count)) or w1,w2,...",
                    value = "none", pattern = "none|balanced|[0-9.eE+\\-]+(,[0-9.eE+\\-]+)*",
                    label = "none|balanced|W1,W2,...") String classWeights,
            @Setting(help = "How a weighted loss is normalised: pytorch (sum of w*loss / sum of w, as "
                    + "CrossEntropyLoss(weight=w)) or keras (mean of w*loss).", value = "pytorch")
            LossNormalisation classWeightsNormalisation,
            @Setting(help = "Oversample the smaller classes of the training data.", value = "false")
            boolean oversample,
            @Setting(help = "What does not learn: none, backbone (only the head learns) or top:N (the head, the "
                    + "pooler and the top N layers learn).", value = "none", pattern = "none|backbone|top:[0-9]+",
                    label = "none|backbone|top:N") String freeze) {

        /** Whether a larger {@link #metricForBestModel} is better (Hugging Face's rule when not given). */
        public boolean greaterIsBetterOrDefault() {
            return greaterIsBetter != null ? greaterIsBetter : metricForBestModel != BestMetric.LOSS;
        }

        /** Whether training restores the best epoch's weights at the end: asked for, or implied by early stopping. */
        public boolean restoresBestModel() {
            return loadBestModelAtEnd || earlyStoppingPatience > 0;
        }

        /** The evaluation batch size in effect. */
        public int evalBatchSize() {
            return perDeviceEvalBatchSize != null ? perDeviceEvalBatchSize : Math.max(perDeviceTrainBatchSize, 32);
        }
    }

    /** Where a single run writes (command line only; an experiment gives each trial its folder). */
    public record OutputArgs(
            @Setting(help = "The run's folder; default: runs/train-<time>.", cli = {"-o", "--output-dir", "--output"},
                    label = "DIR", hf = true) Path outputDir,
            @Setting(help = "Overwrite an output folder that already holds a run.", value = "false",
                    aliases = "force", hf = true) boolean overwriteOutputDir,
            @Setting(help = "Progress display: a redrawn bar on a terminal, else log lines (auto), or bar, log, none.",
                    value = "auto") Progress progress) {
    }

    /** {@link HeadArgs#type}. */
    public enum HeadType { HF, DENSE }

    /** {@link HeadArgs#pooling}. */
    public enum Pooling { POOLER, CLS, MEAN }

    /** {@link HeadArgs#activation}. */
    public enum Activation { TANH, RELU, GELU, LINEAR }

    /** {@link TrainingArgs#lrSchedulerType}: Hugging Face's names. */
    public enum SchedulerType { LINEAR, COSINE, CONSTANT, CONSTANT_WITH_WARMUP }

    /** {@link TrainingArgs#metricForBestModel}; {@code eval_loss} and {@code val_loss} name the same. */
    public enum BestMetric implements Settings.Choice {
        LOSS, ACCURACY, MACRO_F1;

        @Override
        public List<String> aliases() {
            String n = Settings.text(this);
            return List.of("eval_" + n, "val_" + n);
        }
    }

    /** {@link TrainingArgs#classWeightsNormalisation}. */
    public enum LossNormalisation { PYTORCH, KERAS }

    /** {@link OutputArgs#progress}. */
    public enum Progress { AUTO, BAR, LOG, NONE }
}
