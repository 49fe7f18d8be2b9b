package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The encoder's broadcasting adds and multiplies, masks and batched attention matmuls: M2.1's own {@code add},
 * {@code multiply} and {@code matmul} ops, differentiated by rules of our own.
 *
 * <p>Why: M2.1 differentiates a broadcasting add or multiply with {@code add_bp} / {@code multiply_bp}, which
 * reduce the gradient to the small operand on a generic strided path (~20 ms on [2048, 384] against ~1 ms for a
 * same-shape op, bench/RESULTS.md), and which also compute gradients that nothing needs (of a dropout mask, of the
 * attention mask). The rules here use same-shape ops, and the sum over rows that a bias or scale gradient needs is a
 * vector-matrix product with ones, which oneDNN does in a fraction of a millisecond. For the matmul rule see
 * {@link #matmul}.
 *
 * <p>How: SameDiff builds a gradient by cloning the forward graph through FlatBuffers, which re-creates each op as
 * the class registered for its native op name, and then asks each clone for its gradient ({@code doDiff}). So the
 * forward ops here are plain {@code add}/{@code multiply}/{@code matmul} whose output variable names carry the rule
 * to use, and {@link #install} registers {@link Add}, {@link Mul} and {@link MatMul} as the classes of those three
 * native ops; for any other add, multiply or matmul they differentiate exactly as M2.1 does. {@code FastBackwardTest} checks every rule against the
 * built-in gradient.
 */
public final class FastBackward {
    /** [N] ones, N = the rows of the matrices below; a graph using the row rules must define it. */
    public static final String ROW_ONES = "fastbw.row_ones";
    /** [1, H] ones, H = the columns; a graph using the column rules must define it. */
    public static final String COLUMN_ONES = "fastbw.column_ones";

    private static final String PREFIX = "fastbw.";
    private static final String ADD_ROW = PREFIX + "add_row.", MUL_ROW = PREFIX + "mul_row.",
            MUL_COLUMN = PREFIX + "mul_column.", ADD_COLUMN = PREFIX + "add_column.",
            ADD_SAME = PREFIX + "add_same.", ADD_CONSTANT = PREFIX + "add_constant.",
            MUL_CONSTANT = PREFIX + "mul_constant.", MATMUL = PREFIX + "matmul.";
    /** Output name of a {@link #matmul} → name of its right operand's transpose. */
    private static final Map<String, String> TRANSPOSED_RIGHT = new ConcurrentHashMap<>();
    private static final AtomicLong COUNTER = new AtomicLong();
    private static volatile boolean installed;

    private FastBackward() {
    }

    /** x [N, H] + v [H] on every row; gradient of v: 1ᵀ·g (a vector-matrix product, already of v's shape). */
    public static SDVariable addRow(SameDiff sd, SDVariable x, SDVariable v) {
        return sd.math.add(name(ADD_ROW), x, v);
    }

    /** x [N, H] · v [H] on every row; gradient of v: 1ᵀ·(g·x). */
    public static SDVariable mulRow(SameDiff sd, SDVariable x, SDVariable v) {
        return sd.math.mul(name(MUL_ROW), x, v);
    }

    /** x [N, H] + c [N, 1] on every column; gradient of c: g·1. */
    public static SDVariable addColumn(SameDiff sd, SDVariable x, SDVariable c) {
        return sd.math.add(name(ADD_COLUMN), x, c);
    }

    /** x + y of the same shape (a residual connection); both gradients are g itself, not copies of it. */
    public static SDVariable addSame(SameDiff sd, SDVariable x, SDVariable y) {
        return sd.math.add(name(ADD_SAME), x, y);
    }

    /** x [N, H] · c [N, 1] on every column; gradient of c: (g·x)·1. */
    public static SDVariable mulColumn(SameDiff sd, SDVariable x, SDVariable c) {
        return sd.math.mul(name(MUL_COLUMN), x, c);
    }

    /** x + c, where c (the attention mask) needs no gradient. */
    public static SDVariable addConstant(SameDiff sd, SDVariable x, SDVariable c) {
        return sd.math.add(name(ADD_CONSTANT), x, c);
    }

    /** x · c, where c (a dropout mask of x's shape) needs no gradient. */
    public static SDVariable mulConstant(SameDiff sd, SDVariable x, SDVariable c) {
        return sd.math.mul(name(MUL_CONSTANT), x, c);
    }

    /**
     * a · b over batches (rank 4, both operands contiguous), given bT, b's transpose in its last two axes, also
     * contiguous. Gradients: a ← g · bT and b ← aᵀ · g. M2.1 runs a batched matmul as one small GEMM per matrix, and
     * with a transposed operand those ran 2.5× slower with two threads than with one (7.2 against 2.8 ms for the
     * MiniLM attention scores); its own matmul_bp transposes the right operand. With bT at hand no product needs a
     * transposed right operand.
     */
    public static SDVariable matmul(SameDiff sd, SDVariable a, SDVariable b, SDVariable bT) {
        String name = name(MATMUL);
        TRANSPOSED_RIGHT.put(name, bT.name());
        return sd.mmul(name, a, b);
    }

    private static String name(String rule) {
        install();
        return rule + COUNTER.incrementAndGet();
    }

    /** Registers {@link Add}, {@link Mul}, {@link MatMul} for the native add, multiply, matmul ops (once per JVM). */
    @SuppressWarnings("unchecked")
    public static synchronized void install() {
        if (installed) return;
        try {
            DifferentialFunctionClassHolder holder = DifferentialFunctionClassHolder.getInstance();
            Field byHash = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClass");
            Field byHashAndName = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClasses");
            byHash.setAccessible(true);
            byHashAndName.setAccessible(true);
            Map<Long, Class<?>> classes = (Map<Long, Class<?>>) byHash.get(holder);
            Map<Long, Map<String, Class<?>>> shared = (Map<Long, Map<String, Class<?>>>) byHashAndName.get(holder);
            for (var op : List.of(new Add(), new Mul(), new MatMul())) {
                long hash = op.opHash();
                classes.put(hash, op.getClass());
                if (shared.containsKey(hash)) shared.get(hash).put(op.opName(), op.getClass());
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot register the encoder's gradient rules with this ND4J version", e);
        }
        installed = true;
    }

    /** The class of every {@code matmul} op in a gradient function (see the class comment). */
    public static final class MatMul extends Mmul {
        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            String transposedRight = TRANSPOSED_RIGHT.get(outputVariable().name());
            if (transposedRight == null) return super.doDiff(grads);
            SDVariable g = grads.get(0);
            return List.of(sameDiff.mmul(g, sameDiff.getVariable(transposedRight)),
                    sameDiff.mmul(arg(0), g, true, false, false));
        }
    }

    /*
     * The gradient of an operand that needs none is still returned (SameDiff wants one per input), as an op that
     * nothing reads: a gradient calculation runs only the ops its requested outputs depend on, so it never runs.
     * A gradient that passes through unchanged goes through identity(): SameDiff renames the variable it is given.
     */

    /** The class of every {@code add} op in a gradient function (see the class comment). */
    public static final class Add extends AddOp {
        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            String rule = outputVariable().name();
            SDVariable g = grads.get(0);
            if (rule.startsWith(ADD_ROW)) {
                SDVariable ones = sameDiff.getVariable(ROW_ONES);
                return List.of(sameDiff.identity(g), sameDiff.mmul(ones, g));
            }
            if (rule.startsWith(ADD_COLUMN)) {
                SDVariable ones = sameDiff.getVariable(COLUMN_ONES);
                return List.of(sameDiff.identity(g), sameDiff.mmul(g, ones, false, true, false));
            }
            if (rule.startsWith(ADD_SAME)) return List.of(sameDiff.identity(g), sameDiff.identity(g));
            if (rule.startsWith(ADD_CONSTANT)) return List.of(sameDiff.identity(g), sameDiff.zerosLike(rarg()));
            return super.doDiff(grads);
        }
    }

    /** The class of every {@code multiply} op in a gradient function (see the class comment). */
    public static final class Mul extends MulOp {
        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            String rule = outputVariable().name();
            SDVariable g = grads.get(0), x = larg(), y = rarg();
            if (rule.startsWith(MUL_ROW)) {
                SDVariable ones = sameDiff.getVariable(ROW_ONES);
                return List.of(g.mul(y), sameDiff.mmul(ones, g.mul(x)));
            }
            if (rule.startsWith(MUL_COLUMN)) {
                SDVariable ones = sameDiff.getVariable(COLUMN_ONES);
                return List.of(g.mul(y), sameDiff.mmul(g.mul(x), ones, false, true, false));
            }
            if (rule.startsWith(MUL_CONSTANT)) return List.of(g.mul(y), sameDiff.zerosLike(y));
            return super.doDiff(grads);
        }
    }
}
