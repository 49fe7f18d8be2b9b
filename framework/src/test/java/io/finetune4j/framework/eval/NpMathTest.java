package io.finetune4j.framework.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NpMathTest {

    @Test
    void fixedRoundsTheExactBinaryValueHalfEvenLikePython() {
        assertEquals("0.12", NpMath.fixed(0.125, 2));   // exact tie -> even
        assertEquals("0.38", NpMath.fixed(0.375, 2));   // exact tie -> even
        assertEquals("2.67", NpMath.fixed(2.675, 2));   // 2.67499999...
        assertEquals("0.68", NpMath.fixed(0.675, 2));   // 0.67500000000000004...
        assertEquals("1.0000", NpMath.fixed(1.0, 4));
        assertEquals("0", NpMath.fixed(0.4, 0));
        assertEquals("-0.00", NpMath.fixed(-0.001, 2));
        assertEquals("nan", NpMath.fixed(Double.NaN, 2));
    }

    @Test
    void pairwiseSumMatchesNumpyStructure() {
        double[] a = new double[300];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1.0 / (i + 1);
        }
        double naive = 0;
        for (double v : a) {
            naive += v;
        }
        assertEquals(naive, NpMath.sum(a), 1e-13);
        assertEquals(0.0, NpMath.sum(new double[0]));
        assertEquals(2.5, NpMath.mean(new double[] {1, 2, 3, 4}));
        assertEquals(3.0, NpMath.average(new double[] {1, 4}, new long[] {1, 2}));
    }
}
