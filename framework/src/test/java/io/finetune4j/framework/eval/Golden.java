package io.finetune4j.framework.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the scikit-learn golden files written by {@code golden/make_golden.py}. */
final class Golden {
    private Golden() {}

    static final double TOL = 1e-12;

    static JsonNode load(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("missing golden file " + name);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).intValue();
        }
        return out;
    }

    static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).longValue();
        }
        return out;
    }

    /** Doubles; JSON null becomes NaN. */
    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).isNull() ? Double.NaN : a.get(i).doubleValue();
        }
        return out;
    }

    static int[][] ints2(JsonNode a) {
        int[][] out = new int[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ints(a.get(i));
        }
        return out;
    }

    static long[][] longs2(JsonNode a) {
        long[][] out = new long[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs(a.get(i));
        }
        return out;
    }

    static double[][] doubles2(JsonNode a) {
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = doubles(a.get(i));
        }
        return out;
    }

    static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.textValue()));
        return out;
    }
}
