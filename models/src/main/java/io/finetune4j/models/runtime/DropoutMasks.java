package io.finetune4j.models.runtime;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Inverted-dropout masks (0 or 1/keep) made outside the graph from one seeded RNG, so that a seed fixes every
 * mask of a run (in-graph random ops repeat their first sample on M2.1: docs/dl4j-notes.md §2.3).
 *
 * <p>{@link #next} refills the arrays it returned the last time when the shapes are the same: a training step
 * needs a hundred megabytes of masks, and allocating them afresh each step left that much garbage for ND4J to
 * free at the next garbage collection. The masks of one call are therefore valid until the next call.
 */
public final class DropoutMasks {
    private final Random rng;
    private final Map<String, INDArray> reused = new HashMap<>();

    /** The shape of a mask and the rate of its site. */
    public record Mask(long[] shape, double rate) {
        public Mask {
            if (rate < 0 || rate >= 1) throw new IllegalArgumentException("dropout rate must be in [0, 1): " + rate);
        }
    }

    public DropoutMasks(long seed) {
        this.rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
    }

    /** One fresh mask per placeholder name, in arrays reused from the previous call where the shape allows. */
    public Map<String, INDArray> next(Map<String, Mask> masks, DataType dtype) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Mask> e : masks.entrySet()) out.put(e.getKey(), next(e.getKey(), e.getValue(), dtype));
        return out;
    }

    /** A fresh mask for {@code name}, refilling the array returned for that name last time if its shape fits. */
    public INDArray next(String name, Mask mask, DataType dtype) {
        INDArray a = reused.get(name);
        if (a == null || a.dataType() != dtype || !Arrays.equals(a.shape(), mask.shape())) {
            if (a != null) a.close();
            a = Nd4j.createUninitialized(dtype, mask.shape());
            reused.put(name, a);
        }
        return fill(a, mask.rate());
    }

    private INDArray fill(INDArray a, double rate) {
        if (rate == 0) return a.assign(1);
        double keep = 1.0 - rate;
        Nd4j.getExecutioner().exec(new BernoulliDistribution(a, keep), rng);   // 1 with probability keep
        return a.muli(1.0 / keep);
    }
}
