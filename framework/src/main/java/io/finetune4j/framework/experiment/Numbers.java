package io.finetune4j.framework.experiment;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Compact number text for the summary tables and the plot legends. */
final class Numbers {

    private Numbers() {
    }

    /** Integers plain, tiny or huge values as {@code 5e-05}, others with up to 4 significant digits. */
    static String compact(double v) {
        if (!Double.isFinite(v)) return String.valueOf(v);
        if (v == Math.rint(v) && Math.abs(v) < 1e6) return Long.toString((long) v);
        double abs = Math.abs(v);
        if (abs < 1e-3 || abs >= 1e6) {
            String s = String.format(Locale.ROOT, "%.3e", v);
            String mant = s.substring(0, s.indexOf('e'));
            String exp = s.substring(s.indexOf('e') + 1);
            if (mant.contains(".")) mant = mant.replaceAll("0+$", "").replaceAll("\\.$", "");
            int e = Integer.parseInt(exp);
            return mant + "e" + (e < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(e));
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
