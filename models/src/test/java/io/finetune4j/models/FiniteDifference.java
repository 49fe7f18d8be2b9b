package io.finetune4j.models;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.DoubleSupplier;

/** Central differences of a scalar loss with respect to one entry of a parameter array, which is restored after. */
public final class FiniteDifference {
    private FiniteDifference() {
    }

    /** (loss(p[i] + eps) - loss(p[i] - eps)) / 2eps, with {@code loss} reading p in place. */
    public static double derivative(INDArray p, long i, double eps, DoubleSupplier loss) {
        double orig = p.getDouble(i);
        p.putScalar(i, orig + eps);
        double plus = loss.getAsDouble();
        p.putScalar(i, orig - eps);
        double minus = loss.getAsDouble();
        p.putScalar(i, orig);
        return (plus - minus) / (2 * eps);
    }
}
