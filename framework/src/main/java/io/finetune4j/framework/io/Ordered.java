package io.finetune4j.framework.io;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that keeps the order its entries were given in. For records written to disk: {@code Map.of} iterates in
 * an order that changes from one JVM to the next, and a seeded run must write the same bytes in every process.
 */
public final class Ordered {
    private Ordered() {
    }

    /** {@code key, value, key, value, ...} in that order. */
    public static Map<String, Object> map(Object... keyValues) {
        if (keyValues.length % 2 != 0) throw new IllegalArgumentException("keys and values must pair up");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }
}
