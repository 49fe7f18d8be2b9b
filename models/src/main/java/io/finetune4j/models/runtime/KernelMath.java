package io.finetune4j.models.runtime;

/**
 * The arithmetic of the Java kernels: erf and exp(-x²) as polynomial fits, and row sums with several accumulators.
 * Each uses only + × ÷ min max, so the loops that call them vectorise (M2.1's {@code erf} is scalar libm:
 * docs/dl4j-notes.md §4.3).
 */
final class KernelMath {
    private KernelMath() {
    }

    /*
     * erf(x) = x · P(x²) / Q(x²) on [-4, 4], and ±1 beyond (|erf(4)| = 1 - 1.5e-8 rounds to 1 in float32). P has
     * degree 6 and Q degree 4 in x²; the coefficients are our own weighted least-squares (Lawson) fit: 6e-8 maximum
     * absolute error in exact arithmetic, 4e-7 evaluated in float32 (erff: 3e-8). Only + × ÷ min max, so the loops
     * that call it vectorise.
     */
    private static final float P0 = 1.1283787488937378f, P1 = 0.21404607594013214f, P2 = 0.05244851112365723f,
            P3 = 0.004297574516385794f, P4 = 1.5564411296509206e-4f, P5 = -1.990715190913761e-6f,
            P6 = 1.9214182245264055e-8f;
    private static final float Q1 = 0.5230211019515991f, Q2 = 0.12084277719259262f, Q3 = 0.015560577623546124f,
            Q4 = 0.001099119894206524f;

    static float erf(float u) {
        float x = Math.max(-4f, Math.min(4f, u));
        float s = x * x;
        float p = (((((P6 * s + P5) * s + P4) * s + P3) * s + P2) * s + P1) * s + P0;
        float q = (((Q4 * s + Q3) * s + Q2) * s + Q1) * s + 1f;
        return Math.max(-1f, Math.min(1f, x * p / q));   // the fit overshoots 1 by an ulp near ±4
    }

    static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    static final float INV_SQRT_PI = (float) (1.0 / Math.sqrt(Math.PI));
    /* exp(-t) on [0, 1]: a degree-7 Chebyshev fit (3e-9 relative error). */
    private static final float E0 = 1.0f, E1 = -0.9999999403953552f, E2 = 0.49999845027923584f,
            E3 = -0.16665512323379517f, E4 = 0.0416225828230381f, E5 = -0.008239079266786575f,
            E6 = 0.0012737589422613382f, E7 = -1.2123119813622907e-4f;

    /** exp(-c²) for |c| ≤ 4, as exp(-c²/16)^16 (5e-6 relative, 8e-7 absolute error in float32). */
    static float expMinusSquare(float c) {
        float t = c * c * (1f / 16f);
        float e = ((((((E7 * t + E6) * t + E5) * t + E4) * t + E3) * t + E2) * t + E1) * t + E0;
        e *= e;
        e *= e;
        e *= e;
        return e * e;
    }

    /* Sums with eight accumulators: no single dependency chain, and the JIT keeps them in registers. */
    static float sum(float[] a, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            s0 += a[j]; s1 += a[j + 1]; s2 += a[j + 2]; s3 += a[j + 3];
            s4 += a[j + 4]; s5 += a[j + 5]; s6 += a[j + 6]; s7 += a[j + 7];
        }
        for (; j < n; j++) s0 += a[j];
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    static float sumOfSquares(float[] a, int n) {
        return dot(a, a, n);
    }

    static float dot(float[] a, float[] b, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            s0 += a[j] * b[j]; s1 += a[j + 1] * b[j + 1]; s2 += a[j + 2] * b[j + 2]; s3 += a[j + 3] * b[j + 3];
            s4 += a[j + 4] * b[j + 4]; s5 += a[j + 5] * b[j + 5]; s6 += a[j + 6] * b[j + 6]; s7 += a[j + 7] * b[j + 7];
        }
        for (; j < n; j++) s0 += a[j] * b[j];
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Subtracts the row's mean from x[0, h) and returns 1 / √(variance + eps). */
    static float centre(float[] x, int h, float eps) {
        float mean = sum(x, h) / h;
        for (int j = 0; j < h; j++) x[j] -= mean;
        return (float) (1.0 / Math.sqrt(sumOfSquares(x, h) / h + eps));
    }

    /** The sum over threads of their partial row sums. */
    static float[] sumParts(float[][] parts, int n) {
        float[] total = new float[n];
        for (float[] p : parts)
            for (int j = 0; j < n; j++) total[j] += p[j];
        return total;
    }
}
