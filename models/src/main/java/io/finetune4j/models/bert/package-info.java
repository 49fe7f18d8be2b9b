/**
 * BERT and DistilBERT as in Hugging Face's {@code modeling_bert.py} / {@code modeling_distilbert.py}: the config,
 * the checkpoints' parameter names, the encoder graph ({@link io.finetune4j.models.bert.BertModel}), the embedding
 * lookup that runs outside it, inference over it, and the conversion of a BERT into a DistilBERT.
 */
package io.finetune4j.models.bert;
