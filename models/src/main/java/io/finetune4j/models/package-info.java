/**
 * Pretrained BERT-family encoders on SameDiff (Deeplearning4j 1.0.0-M2.1). This package holds only
 * {@link io.finetune4j.models.ModelException}; the rest is in its subpackages, each of which depends only on those
 * listed before it:
 * <ul>
 *   <li>{@link io.finetune4j.models.runtime}: how graph ops are computed. {@code EncoderOps}, the blocks an encoder
 *       is written in, with two implementations: {@code ReferenceOps} (plain M2.1 ops) and {@code CpuOps} (Java
 *       kernels and gradient rules, float32 on the CPU), chosen by the one switch {@code CpuRuntime}; and what a
 *       training or inference step needs around a graph: {@code StepMemory}, {@code DropoutMasks},
 *       {@code NativeFloats}. It knows nothing of BERT.</li>
 *   <li>{@link io.finetune4j.models.tokenizer}: Hugging Face's BERT WordPiece tokenizer.</li>
 *   <li>{@link io.finetune4j.models.bert}: the model, as in Hugging Face's {@code modeling_bert.py}: config,
 *       checkpoint names, the encoder graph ({@code BertModel}), the embedding lookup outside it, inference, and the
 *       BERT → DistilBERT conversion.</li>
 *   <li>{@link io.finetune4j.models.checkpoint}: reading and writing weights (safetensors, TF checkpoints, ONNX
 *       initializers, Hugging Face folders, model jars).</li>
 *   <li>{@link io.finetune4j.models.pretrained}: named pretrained models and what they do out of the box: a
 *       {@code Backbone} (config, weights, tokenizer), the {@code ModelCatalogue}, fill-mask ({@code MaskedLm}).</li>
 * </ul>
 * The classification task (a backbone with a head) is in the framework module.
 */
package io.finetune4j.models;
