/**
 * How SameDiff graphs run on M2.1. {@link io.finetune4j.models.runtime.EncoderOps} are the blocks an encoder is
 * written in; {@link io.finetune4j.models.runtime.ReferenceOps} builds them from plain M2.1 ops,
 * {@link io.finetune4j.models.runtime.CpuOps} from the Java kernels here (one op and its gradient per file:
 * {@code BiasGelu}, {@code LayerNorm}, {@code SplitHeads}, {@code MergeHeads}, on {@code JavaOp},
 * {@code KernelMath} and {@code KernelThreads}) and {@link io.finetune4j.models.runtime.GradientRules}.
 * {@link io.finetune4j.models.runtime.CpuRuntime} is the one switch between them, and installs what CpuOps needs
 * ({@code Nd4jHooks} lists every change it makes to ND4J). {@link io.finetune4j.models.runtime.StepMemory},
 * {@link io.finetune4j.models.runtime.DropoutMasks} and {@link io.finetune4j.models.runtime.NativeFloats} serve the
 * steps that run a graph over and over. Nothing here knows BERT.
 */
package io.finetune4j.models.runtime;
