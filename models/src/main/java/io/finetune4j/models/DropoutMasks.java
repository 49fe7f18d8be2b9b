package io.finetune4j.models;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Inverted-dropout masks (0 or 1/keep) made outside the graph from one seeded RNG, so that a seed fixes every
 * mask of a run (in-graph random ops repeat their first sample on M2.1: NOTES-dl4j.md).
 */
public final class DropoutMasks {
    private final Random rng;
    private final double rate;

    public DropoutMasks(long seed, double rate) {
        if (rate < 0 || rate >= 1) throw new IllegalArgumentException("dropout rate must be in [0, 1): " + rate);
        this.rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        this.rate = rate;
    }

    public double rate() {
        return rate;
    }

    /** One fresh mask per placeholder name. */
    public Map<String, INDArray> next(Map<String, long[]> shapes, DataType dtype) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) out.put(e.getKey(), mask(e.getValue(), dtype));
        return out;
    }

    public INDArray mask(long[] shape, DataType dtype) {
        if (rate == 0) return Nd4j.ones(dtype, shape);
        double keep = 1.0 - rate;
        INDArray u = Nd4j.rand(rng, shape).castTo(dtype);  // uniform [0, 1)
        return u.lt(keep).castTo(dtype).muli(1.0 / keep);
    }
}
