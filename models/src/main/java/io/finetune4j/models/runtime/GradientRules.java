package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gradient rules of our own for three M2.1 ops that {@link CpuOps} builds: adding the attention mask, multiplying by a
 * dropout mask, and the batched attention matmuls. The forward ops are M2.1's own {@code add}, {@code multiply} and
 * {@code matmul}; only their gradients differ, and only in speed (GradientRulesTest checks each rule against M2.1's
 * gradient).
 *
 * <p>Why: M2.1 differentiates a broadcasting add or multiply with {@code add_bp} / {@code multiply_bp}, which also
 * compute the gradient of the mask, which nothing reads, on a slow strided path (docs/dl4j-notes.md §4.1); and its
 * batched matmul is slow with a transposed operand, which its own {@code matmul_bp} uses (§4.2, {@link #matmul}).
 *
 * <p>How, and what it changes outside our graphs: SameDiff builds a gradient by cloning the forward graph through
 * FlatBuffers, which re-creates each op as the class registered for its native op, and then asks each clone for its
 * gradient ({@code doDiff}). {@link CpuRuntime#install} registers {@link Add}, {@link Mul} and {@link MatMul} as the
 * classes of the native {@code add}, {@code multiply} and {@code matmul} ops ({@link Nd4jHooks}). Each is M2.1's own
 * class ({@code AddOp}, {@code MulOp}, {@code Mmul}) with {@code doDiff} overridden, and applies a rule only to an op
 * whose output name one of the methods below gave it ({@value #PREFIX}{@code <rule>.<n>}). Every other add, multiply
 * or matmul, in any graph, is differentiated by M2.1's {@code doDiff}: the same ops as without the install, so the
 * same gradients. No state is kept per graph: the matmul rule finds the transposed operand it needs by its name.
 */
public final class GradientRules {
    static final String PREFIX = "grad_rule.";
    private static final String ADD_CONSTANT = PREFIX + "add_constant.", MUL_CONSTANT = PREFIX + "mul_constant.",
            MATMUL = PREFIX + "matmul.";
    /** The name of a {@link #matmul}'s transposed right operand: the matmul's output name and this. */
    static final String RIGHT_TRANSPOSED = ".right_t";
    /** Names only: an op's name must be unique in its graph. */
    private static final AtomicLong COUNTER = new AtomicLong();

    private GradientRules() {
    }

    /** x + c, where c (the attention mask) needs no gradient: x's gradient is g itself. */
    public static SDVariable addConstant(SameDiff sd, SDVariable x, SDVariable c) {
        return sd.math.add(name(ADD_CONSTANT), x, c);
    }

    /** x · c, where c (a dropout mask of x's shape) needs no gradient: x's gradient is g · c. */
    public static SDVariable mulConstant(SameDiff sd, SDVariable x, SDVariable c) {
        return sd.math.mul(name(MUL_CONSTANT), x, c);
    }

    /**
     * a · b over batches (rank 4, both operands contiguous), given bT, b's transpose in its last two axes, also
     * contiguous. Gradients: a ← g · bT and b ← aᵀ · g. M2.1 runs a batched matmul as one small GEMM per matrix, and
     * with a transposed operand those ran 2.5× slower with two threads than with one (7.2 against 2.8 ms for the
     * MiniLM attention scores); its own matmul_bp transposes the right operand. With bT at hand no product needs a
     * transposed right operand. bT is renamed to the matmul's output name + {@value #RIGHT_TRANSPOSED}, which is how
     * the rule finds it in the gradient function.
     */
    public static SDVariable matmul(SameDiff sd, SDVariable a, SDVariable b, SDVariable bT) {
        String name = name(MATMUL);
        bT.rename(name + RIGHT_TRANSPOSED);
        return sd.mmul(name, a, b);
    }

    private static String name(String rule) {
        Nd4jHooks.requireInstalled("a gradient rule");
        return rule + COUNTER.incrementAndGet();
    }

    /*
     * The gradient of an operand that needs none is still returned (SameDiff wants one per input), as an op that
     * nothing reads: a gradient calculation runs only the ops its requested outputs depend on, so it never runs.
     * A gradient that passes through unchanged goes through identity(): SameDiff renames the variable it is given.
     */

    /** The class of every {@code matmul} op in a gradient function: M2.1's, except for {@link #matmul}'s. */
    public static final class MatMul extends Mmul {
        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            String out = outputVariable().name();
            if (!out.startsWith(MATMUL)) return super.doDiff(grads);
            SDVariable g = grads.get(0);
            return List.of(sameDiff.mmul(g, sameDiff.getVariable(out + RIGHT_TRANSPOSED)),
                    sameDiff.mmul(arg(0), g, true, false, false));
        }
    }

    /** The class of every {@code add} op in a gradient function: M2.1's, except for {@link #addConstant}'s. */
    public static final class Add extends AddOp {
        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            if (!outputVariable().name().startsWith(ADD_CONSTANT)) return super.doDiff(grads);
            SDVariable g = grads.get(0);
            return List.of(sameDiff.identity(g), sameDiff.zerosLike(rarg()));
        }
    }

    /** The class of every {@code multiply} op in a gradient function: M2.1's, except for {@link #mulConstant}'s. */
    public static final class Mul extends MulOp {
        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            if (!outputVariable().name().startsWith(MUL_CONSTANT)) return super.doDiff(grads);
            SDVariable g = grads.get(0), y = rarg();
            return List.of(g.mul(y), sameDiff.zerosLike(y));
        }
    }
}
