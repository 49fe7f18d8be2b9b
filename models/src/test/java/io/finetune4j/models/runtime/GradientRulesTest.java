package io.finetune4j.models.runtime;

import io.finetune4j.models.FiniteDifference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each of {@link GradientRules}' rules against M2.1's own gradient of the same forward op, in double precision: the
 * same loss, and the same gradient for every variable that needs one. And every other add, multiply and matmul: with
 * the runtime installed they compute and differentiate exactly as in a JVM without it.
 */
class GradientRulesTest {
    private static final int ROWS = 6, COLUMNS = 5;

    @BeforeAll
    static void install() {
        assertTrue(CpuRuntime.install(), "the CPU backend should install the runtime");
    }

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
    void constantsGetNoGradientAndTheOtherOperandTheRightOne() {
        Nd4j.getRandom().setSeed(2);
        Map<String, INDArray> constants = Map.of("mask", randn(ROWS, COLUMNS), "bias", randn(1, COLUMNS));
        assertSameGradients(Map.of("x", randn(ROWS, COLUMNS)), constants, (sd, in, fast) -> {
            SDVariable x = in.get("x"), mask = in.get("mask"), bias = in.get("bias");
            return fast ? GradientRules.addConstant(sd, GradientRules.mulConstant(sd, x, mask), bias)
                    : x.mul(mask).add(bias);
        });
    }

    @Test
    void batchedMatmulWithTheTransposedRightOperand() {
        Nd4j.getRandom().setSeed(4);
        Map<String, INDArray> vars = Map.of("a", randn(2, 3, 4, 5), "b", randn(2, 3, 5, 7));
        assertSameGradients(vars, Map.of(), (sd, in, fast) -> {
            SDVariable a = in.get("a").mul(1.0), b = in.get("b").mul(1.0);   // op outputs, as in the encoder
            return fast ? GradientRules.matmul(sd, a, b, b.permute(0, 1, 3, 2)) : sd.mmul(a, b);
        });
    }

    @Test
    void otherAddsMultipliesAndMatmulsDifferentiateAsBefore() {
        // the same graph with plain ops, against finite differences: the registered op classes change nothing else
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

    @Test
    void ordinaryGraphsComputeExactlyAsInAJvmWithoutTheRuntime() throws Exception {
        // here the runtime is installed (see install()); the child JVM installs nothing
        assertTrue(Proxy.isProxyClass(Nd4j.getExecutioner().getClass()), "the executioner proxy should be installed");
        OrdinaryGraph.Result here = OrdinaryGraph.run();
        OrdinaryGraph.Result fresh = OrdinaryGraph.runInFreshJvm();
        assertFalse(fresh.runtimeInstalled(), "the child JVM should run M2.1 as it is");
        assertTrue(here.ruleClassesInGradient(), "the gradient function should use the rule classes");
        assertFalse(fresh.ruleClassesInGradient());
        assertEquals(fresh.gradientOps(), here.gradientOps(), "the same gradient ops");
        assertEquals(fresh.values().keySet(), here.values().keySet());
        assertEquals(12, fresh.values().size(), "loss and 5 gradients, in double and float32");
        assertTrue(fresh.gradientOps().containsAll(List.of("add_bp", "multiply_bp", "matmul_bp")), fresh.gradientOps().toString());
        for (String name : fresh.values().keySet()) {
            double[] expected = fresh.values().get(name), actual = here.values().get(name);
            assertEquals(expected.length, actual.length, name);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), name + "[" + i + "]");
            }
        }
    }
}
