/**
 * Named pretrained models and what they do out of the box: a {@link io.finetune4j.models.pretrained.Backbone}
 * (config, weights, tokenizer), loaded from the {@link io.finetune4j.models.pretrained.ModelCatalogue} or a Hugging
 * Face folder, and fill-mask ({@link io.finetune4j.models.pretrained.MaskedLm}). Nothing in the other packages
 * depends on this one.
 */
package io.finetune4j.models.pretrained;
