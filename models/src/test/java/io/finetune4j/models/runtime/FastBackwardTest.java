package io.finetune4j.models.runtime;

import io.finetune4j.models.FiniteDifference;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each of {@link FastBackward}'s gradient rules against M2.1's own gradient of the same forward op, in double
 * precision: the same loss, and the same gradient for every variable that needs one.
 */
class FastBackwardTest {
    private static final int ROWS = 6, COLUMNS = 5;

    private interface Op {
        SDVariable apply(SameDiff sd, Map<String, SDVariable> in, boolean fast);
    }

    /** Builds loss = sum(op(...) · r) twice, with and without the rule, and compares the gradients of {@code vars}. */
    private static void assertSameGradients(Map<String, INDArray> variables, Map<String, INDArray> constants, Op op) {
        Map<String, INDArray> plain = gradients(variables, constants, op, false);
        Map<String, INDArray> fast = gradients(variables, constants, op, true);
        assertEquals(plain.get("loss").getDouble(0), fast.get("loss").getDouble(0), 1e-12);
        for (String v : variables.keySet()) {
            INDArray expected = plain.get(v), actual = fast.get(v);
            assertNotNull(actual, "no gradient for " + v);
            assertArrayEquals(expected.shape(), actual.shape(), v);
            double diff = expected.sub(actual).amaxNumber().doubleValue();
            assertTrue(diff < 1e-12, v + ": gradients differ by " + diff);
            assertTrue(expected.amaxNumber().doubleValue() > 1e-3, v + ": the gradient should not be trivially zero");
        }
    }

    private static Map<String, INDArray> gradients(Map<String, INDArray> variables, Map<String, INDArray> constants,
                                                   Op op, boolean fast) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> in = new java.util.HashMap<>();
        variables.forEach((k, a) -> in.put(k, sd.var(k, a.dup())));
        constants.forEach((k, a) -> in.put(k, sd.placeHolder(k, DataType.DOUBLE, a.shape())));
        sd.constant(FastBackward.ROW_ONES, Nd4j.ones(DataType.DOUBLE, ROWS));
        sd.constant(FastBackward.COLUMN_ONES, Nd4j.ones(DataType.DOUBLE, 1, COLUMNS));
        SDVariable out = op.apply(sd, in, fast);
        Nd4j.getRandom().setSeed(3);
        SDVariable loss = out.mul(sd.constant(Nd4j.randn(DataType.DOUBLE, out.eval(constants).shape()))).sum();
        loss.rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> grads = new java.util.HashMap<>(sd.calculateGradients(constants, variables.keySet()));
        grads.put("loss", sd.output(constants, "loss").get("loss"));
        return grads;
    }

    private static INDArray randn(long... shape) {
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    @Test
    void rowAndColumnBroadcasts() {
        Nd4j.getRandom().setSeed(1);
        Map<String, INDArray> vars = Map.of("x", randn(ROWS, COLUMNS), "v", randn(COLUMNS), "c", randn(ROWS, 1));
        // x is read twice so that its gradient is a sum, as in the encoder
        assertSameGradients(vars, Map.of(), (sd, in, fast) -> {
            SDVariable x = in.get("x"), v = in.get("v"), c = in.get("c");
            BiFunction<SDVariable, SDVariable, SDVariable> add = fast ? (a, b) -> FastBackward.addRow(sd, a, b) : SDVariable::add;
            BiFunction<SDVariable, SDVariable, SDVariable> mulRow = fast ? (a, b) -> FastBackward.mulRow(sd, a, b) : SDVariable::mul;
            BiFunction<SDVariable, SDVariable, SDVariable> mulColumn = fast ? (a, b) -> FastBackward.mulColumn(sd, a, b) : SDVariable::mul;
            BiFunction<SDVariable, SDVariable, SDVariable> addColumn = fast ? (a, b) -> FastBackward.addColumn(sd, a, b) : SDVariable::add;
            BiFunction<SDVariable, SDVariable, SDVariable> addSame = fast ? (a, b) -> FastBackward.addSame(sd, a, b) : SDVariable::add;
            SDVariable y = add.apply(mulRow.apply(mulColumn.apply(x, c), v), v);
            return addSame.apply(addColumn.apply(y, c.mul(2.0)), x.mul(x));
        });
    }

    @Test
    void constantsGetNoGradientAndTheOtherOperandTheRightOne() {
        Nd4j.getRandom().setSeed(2);
        Map<String, INDArray> constants = Map.of("mask", randn(ROWS, COLUMNS), "bias", randn(1, COLUMNS));
        assertSameGradients(Map.of("x", randn(ROWS, COLUMNS)), constants, (sd, in, fast) -> {
            SDVariable x = in.get("x"), mask = in.get("mask"), bias = in.get("bias");
            return fast ? FastBackward.addConstant(sd, FastBackward.mulConstant(sd, x, mask), bias)
                    : x.mul(mask).add(bias);
        });
    }

    @Test
    void batchedMatmulWithTheTransposedRightOperand() {
        Nd4j.getRandom().setSeed(4);
        Map<String, INDArray> vars = Map.of("a", randn(2, 3, 4, 5), "b", randn(2, 3, 5, 7));
        assertSameGradients(vars, Map.of(), (sd, in, fast) -> {
            SDVariable a = in.get("a").mul(1.0), b = in.get("b").mul(1.0);   // op outputs, as in the encoder
            return fast ? FastBackward.matmul(sd, a, b, b.permute(0, 1, 3, 2)) : sd.mmul(a, b);
        });
    }

    @Test
    void otherAddsMultipliesAndMatmulsDifferentiateAsBefore() {
        // the same graph with plain ops, against finite differences: the registered op classes change nothing else
        FastBackward.install();
        Nd4j.getRandom().setSeed(5);
        INDArray x = randn(3, 4), w = randn(4, 2), b = randn(2);
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x), wv = sd.var("w", w), bv = sd.var("b", b);
        SDVariable loss = sd.mmul(xv, wv).add(bv).mul(xv.sum(1).reshape(3, 1)).sum();
        loss.rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> g = sd.calculateGradients(Map.of(), List.of("x", "w", "b"));
        for (var e : Map.of("x", x, "w", w, "b", b).entrySet()) {
            INDArray p = e.getValue();
            for (long i = 0; i < p.length(); i++) {
                double numeric = FiniteDifference.derivative(p, i, 1e-6,
                        () -> sd.output(Map.of(), "loss").get("loss").getDouble(0));
                assertEquals(numeric, g.get(e.getKey()).getDouble(i), 1e-6, e.getKey() + "[" + i + "]");
            }
        }
    }
}
