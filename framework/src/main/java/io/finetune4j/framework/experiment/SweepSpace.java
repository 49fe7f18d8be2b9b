package io.finetune4j.framework.experiment;

import org.deeplearning4j.arbiter.optimize.api.AbstractParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Arbiter's view of a sweep: one named leaf space per swept field (or tied group). Arbiter's generators number the
 * leaves and hand {@link #getValue} a point in [0, 1]^n; each leaf reads its own coordinates. The spaces are held in
 * a map, not in fields, because their number comes from the file.
 */
final class SweepSpace extends AbstractParameterSpace<Map<String, Object>> {
    private final LinkedHashMap<String, ParameterSpace<?>> spaces;

    SweepSpace(Map<String, ParameterSpace<?>> spaces) {
        this.spaces = new LinkedHashMap<>(spaces);
    }

    @Override
    public Map<String, Object> getValue(double[] values) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, ParameterSpace<?>> e : spaces.entrySet()) m.put(e.getKey(), e.getValue().getValue(values));
        return m;
    }

    @Override
    public int numParameters() {
        int n = 0;
        for (ParameterSpace<?> p : collectLeaves()) n += p.numParameters();
        return n;
    }

    @Override
    public List<ParameterSpace> collectLeaves() {
        List<ParameterSpace> leaves = new ArrayList<>();
        for (ParameterSpace<?> p : spaces.values()) leaves.addAll(p.collectLeaves());
        return leaves;
    }

    @Override
    public Map<String, ParameterSpace> getNestedSpaces() {
        return new LinkedHashMap<>(spaces);
    }

    @Override
    public boolean isLeaf() {
        return false;
    }

    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("SweepSpace is not a leaf");
    }
}
