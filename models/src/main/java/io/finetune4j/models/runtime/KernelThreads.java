package io.finetune4j.models.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Where the Java kernels run: a fixed pool of daemon threads (one fewer than ND4J's, the caller being the other)
 * and per-thread scratch rows. Nothing here depends on a graph: the pool and the scratch arrays are made once and
 * grow only to the longest row a kernel has asked for.
 */
final class KernelThreads {
    private static final int CHUNK = 4096;         // floats per copy: 16 KB in and out stay in L1/L2
    static final int THREADS = threads();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(Math.max(1, THREADS - 1), r -> {
        Thread t = new Thread(r, "finetune4j-kernels");
        t.setDaemon(true);
        return t;
    });

    private KernelThreads() {
    }

    /** A part of a loop: items [from, to), run as part number {@code part} (0 on the calling thread). */
    interface Range {
        void run(int from, int to, int part);
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][CHUNK]);

    /** This thread's scratch array number {@code i}, at least {@code size} long. */
    static float[] scratch(int i, int size) {
        float[][] all = SCRATCH.get();
        if (all[i].length < size) all[i] = new float[size];
        return all[i];
    }

    /**
     * Splits [0, n) into at most THREADS parts, each a multiple of {@code grain} items (work under 64 K floats is not
     * split); the calling thread runs part 0, pool threads the others.
     */
    static void parallel(int n, int grain, int floatsPerItem, Range body) {
        int parts = (long) n * floatsPerItem < 65536 ? 1 : Math.max(1, Math.min(THREADS, (n + grain - 1) / grain));
        int per = (n / parts + grain - 1) / grain * grain;
        List<Future<?>> others = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int from = Math.min(n, p * per), to = p == parts - 1 ? n : Math.min(n, (p + 1) * per), part = p;
            if (from < to) others.add(POOL.submit(() -> body.run(from, to, part)));
        }
        body.run(0, Math.min(n, per), 0);
        try {
            for (Future<?> f : others) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a Java kernel", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a Java kernel failed", e.getCause());
        }
    }

    private static int threads() {
        String omp = System.getenv("OMP_NUM_THREADS");
        try {
            if (omp != null) return Math.max(1, Integer.parseInt(omp.trim()));
        } catch (NumberFormatException ignored) {
            // fall through
        }
        return Runtime.getRuntime().availableProcessors();
    }
}
