package io.finetune4j.framework.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The few numeric conventions of numpy / Python that the metrics must reproduce bit for bit
 * to print the same report text as scikit-learn.
 */
final class NpMath {
    private NpMath() {}

    /** numpy's {@code np.add.reduce} on a contiguous float64 array: identity 0 plus pairwise summation. */
    static double sum(double[] a) {
        return 0.0 + pairwise(a, 0, a.length);
    }

    /** numpy's {@code np.mean}: pairwise sum divided by the count (NaN for an empty array). */
    static double mean(double[] a) {
        return a.length == 0 ? Double.NaN : sum(a) / a.length;
    }

    /** numpy's {@code np.average(a, weights=w)}: {@code sum(a*w) / sum(w)}. */
    static double average(double[] a, long[] w) {
        double[] prod = new double[a.length];
        double[] wd = new double[w.length];
        for (int i = 0; i < a.length; i++) {
            wd[i] = w[i];
            prod[i] = a[i] * wd[i];
        }
        return sum(prod) / sum(wd);
    }

    /** numpy/core/src/umath/loops_utils.h.src {@code pairwise_sum} (8 accumulators, blocks of 128). */
    private static double pairwise(double[] a, int off, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[off + i];
            }
            return res;
        } else if (n <= 128) {
            double[] r = new double[8];
            for (int j = 0; j < 8; j++) {
                r[j] = a[off + j];
            }
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[off + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[off + i];
            }
            return res;
        } else {
            int n2 = n / 2;
            n2 -= n2 % 8;
            return pairwise(a, off, n2) + pairwise(a, off + n2, n - n2);
        }
    }

    /**
     * Python's {@code format(x, '.{digits}f')}: the exact binary value rounded half-even
     * (Java's {@code String.format("%.2f")} rounds the shortest decimal half-up, which differs
     * on values such as 0.125 or 0.675).
     */
    static String fixed(double x, int digits) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        if (x < 0 || (x == 0 && 1 / x < 0)) {
            // Python keeps the sign of negative values that round to zero ("-0.00").
            if (!s.startsWith("-")) {
                s = "-" + s;
            }
        }
        return s;
    }

    /** Right-aligns {@code s} in a field of {@code width} characters (Python's {@code '{:>w}'}). */
    static String right(String s, int width) {
        int len = s.codePointCount(0, s.length());
        return len >= width ? s : " ".repeat(width - len) + s;
    }
}
