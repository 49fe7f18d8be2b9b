package io.finetune4j.models.runtime;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Memory for one SameDiff graph that is run over and over (a training step, an inference batch): op outputs come
 * from a pool of native buffers, go back to it as soon as the last op that reads them has run, and whatever is
 * left goes back when the caller {@linkplain #recycle says it is done} with the step's outputs.
 *
 * <p>Why: on M2.1 a gradient calculation hands almost none of its op outputs back to SameDiff's own memory
 * manager (a MiniLM step at 16 × 128 allocated 1,008 arrays, 3.7 GB, and released 22). They were freed only when
 * the garbage collector found them, so every step ran on fresh pages: half the CPU time went to the kernel
 * zeroing pages, and the process grew to the JavaCPP limit. Here a step's arrays are reused by the next step,
 * and arrays die when their last reader has run, so the resident memory is what the step really needs.
 *
 * <p>Liveness is counted per native buffer, not per array: reshape and permute outputs are views that share
 * their input's buffer, and a buffer is reused only when no live variable refers to it. Outputs the caller asked
 * for are never reused before {@link #recycle}. Buffers are reused for the same data type and length only.
 */
public final class StepMemory extends BaseListener implements SessionMemMgr {
    private final Map<String, Integer> readers = new HashMap<>();      // variable -> number of op inputs reading it
    private final Map<String, Integer> pendingReads = new HashMap<>();
    private final Map<String, DataBuffer> bufferOf = new HashMap<>();   // live variable -> root buffer
    private final Map<DataBuffer, Set<String>> holders = new IdentityHashMap<>();
    private final Map<DataBuffer, Boolean> ours = new IdentityHashMap<>(); // allocated here and not yet pooled
    private final Map<DataType, TreeMap<Long, ArrayDeque<DataBuffer>>> pool = new HashMap<>(); // by length
    private final Map<DataBuffer, Integer> pooledAt = new IdentityHashMap<>(); // run in which it went back
    private int run;
    private Set<String> keep = Set.of();
    private final Thread owner = Thread.currentThread();   // other threads run in sessions of their own
    private long pooledBytes;
    private final long maxPooledBytes;

    /**
     * Installs the memory for runs of {@code graph} on the calling thread: {@code graph.output(...)} when
     * {@code gradients} is false, {@code graph.calculateGradients...(...)} (which runs the graph's gradient function
     * in a session of its own, but calls the graph's listeners) when it is true.
     *
     * @param maxPooledBytes buffers beyond this many pooled bytes are freed instead of kept
     */
    public static StepMemory install(SameDiff graph, boolean gradients, long maxPooledBytes) {
        SameDiff run = gradients ? graph.getFunction("grad") : graph;
        if (run == null) throw new IllegalStateException("the graph has no gradient function yet (createGradFunction)");
        StepMemory m = new StepMemory(run, maxPooledBytes);
        InferenceSession session = run.getSessions().computeIfAbsent(Thread.currentThread().getId(), k -> new InferenceSession(run));
        session.setMmgr(m);
        graph.addListeners(m);
        return m;
    }

    private StepMemory(SameDiff sd, long maxPooledBytes) {
        this.maxPooledBytes = maxPooledBytes;
        for (Variable v : sd.getVariables().values()) {
            List<String> ops = v.getInputsForOp();
            int n = 0;
            if (ops != null) {
                for (String op : ops) {
                    for (String in : sd.getOps().get(op).getInputsToOp()) if (in.equals(v.getName())) n++;
                }
            }
            readers.put(v.getName(), n);
        }
    }

    /** Call before each run with the names of the outputs the caller will read; they live until {@link #recycle}. */
    public void begin(Collection<String> outputs) {
        run++;
        keep = new HashSet<>(outputs);
        pendingReads.clear();
        pendingReads.putAll(readers);
    }

    /** The caller is done with the run's outputs: every buffer of the run goes back to the pool. */
    public void recycle() {
        for (DataBuffer b : new ArrayList<>(ours.keySet())) toPool(b);
        // Buffers no run has taken for two runs are of shapes that went out of use (padded lengths vary from batch
        // to batch): free them, so that the pool holds about one step's working set.
        for (TreeMap<Long, ArrayDeque<DataBuffer>> byLength : pool.values()) {
            for (ArrayDeque<DataBuffer> q : byLength.values()) {
                q.removeIf(b -> {
                    if (pooledAt.get(b) >= run - 1) return false;
                    free(b);
                    return true;
                });
            }
            byLength.values().removeIf(ArrayDeque::isEmpty);
        }
        bufferOf.clear();
        holders.clear();
        pendingReads.clear();   // a run without begin() frees nothing early
        keep = Set.of();
    }

    /** Bytes held in the pool (for the benchmark's report). */
    public long pooledBytes() {
        return pooledBytes;
    }

    // ---- SessionMemMgr -----------------------------------------------------------------------------------------

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        return allocate(dataType, shape, 'c');
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor d) {
        return allocate(d.dataType(), d.getShape(), d.getOrder());
    }

    private INDArray allocate(DataType dt, long[] shape, char order) {
        long length = 1;
        for (long s : shape) length *= s;
        if (length == 0 || dt == DataType.UTF8) return Nd4j.createUninitialized(dt, shape, order);
        DataBuffer b = take(dt, length);
        INDArray a;
        if (b == null) {
            if (length * dt.width() >= 1 << 20) evictSmaller(dt, length);
            a = Nd4j.createUninitialized(dt, shape, order);
            b = root(a);
        } else {
            a = Nd4j.create(b, shape, Nd4j.getStrides(shape, order), 0, order, dt);
        }
        ours.put(b, Boolean.TRUE);
        return a;
    }

    @Override
    public INDArray ulike(INDArray arr) {
        return allocate(arr.dataType(), arr.shape(), arr.ordering());
    }

    @Override
    public INDArray dup(INDArray arr) {
        INDArray out = allocate(arr.dataType(), arr.shape(), arr.ordering());
        return out.assign(arr);
    }

    /** SameDiff's own release (rare on M2.1): reuse the buffer if no live variable still refers to it. */
    @Override
    public void release(INDArray array) {
        DataBuffer b = root(array);
        Set<String> h = holders.get(b);
        if (h == null || h.isEmpty()) toPool(b);
    }

    @Override
    public void close() {
        for (TreeMap<Long, ArrayDeque<DataBuffer>> byLength : pool.values()) {
            for (ArrayDeque<DataBuffer> q : byLength.values()) for (DataBuffer b : q) b.close();
        }
        pool.clear();
        pooledAt.clear();
        pooledBytes = 0;
    }

    // ---- Listener: liveness ------------------------------------------------------------------------------------

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void opExecution(SameDiff sameDiff, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                            INDArray[] outputs) {
        if (Thread.currentThread() != owner) return;
        List<String> outNames = op.getOutputsOfOp();
        for (int i = 0; i < outputs.length && i < outNames.size(); i++) {
            if (outputs[i] == null) continue;
            DataBuffer b = root(outputs[i]);
            bufferOf.put(outNames.get(i), b);
            holders.computeIfAbsent(b, k -> new HashSet<>()).add(outNames.get(i));
        }
        for (String in : op.getInputsToOp()) {
            Integer left = pendingReads.get(in);
            if (left == null) continue;
            pendingReads.put(in, left - 1);
            if (left - 1 == 0 && !keep.contains(in)) dead(in);
        }
    }

    private void dead(String var) {
        DataBuffer b = bufferOf.remove(var);
        if (b == null) return;
        Set<String> h = holders.get(b);
        if (h != null) {
            h.remove(var);
            if (!h.isEmpty()) return;
            holders.remove(b);
        }
        toPool(b);
    }

    private void toPool(DataBuffer b) {
        if (ours.remove(b) == null) return;   // not ours (a weight, a placeholder) or already pooled
        long bytes = b.length() * b.dataType().width();
        if (pooledBytes + bytes > maxPooledBytes) {
            b.close();
            return;
        }
        pool.computeIfAbsent(b.dataType(), k -> new TreeMap<>()).computeIfAbsent(b.length(), k -> new ArrayDeque<>()).add(b);
        pooledAt.put(b, run);
        pooledBytes += bytes;
    }

    private void free(DataBuffer b) {
        pooledAt.remove(b);
        pooledBytes -= b.length() * b.dataType().width();
        b.close();
    }

    /**
     * The smallest pooled buffer of at least {@code length} elements and at most twice that: padded lengths vary
     * from batch to batch, and a batch shorter than the last one fits in its buffers.
     */
    private DataBuffer take(DataType dt, long length) {
        TreeMap<Long, ArrayDeque<DataBuffer>> byLength = pool.get(dt);
        if (byLength == null) return null;
        Map.Entry<Long, ArrayDeque<DataBuffer>> e = byLength.ceilingEntry(length);
        if (e == null || e.getKey() > 2 * length) return null;
        DataBuffer b = e.getValue().poll();
        if (e.getValue().isEmpty()) byLength.remove(e.getKey());
        pooledAt.remove(b);
        pooledBytes -= b.length() * dt.width();
        return b;
    }

    /**
     * Before a large allocation the pool cannot serve, frees pooled buffers just smaller than it, about as many
     * bytes as it needs: after a batch longer than the last one, the last one's buffers are too small to be
     * used again, and keeping them would hold two working sets at once.
     */
    private void evictSmaller(DataType dt, long length) {
        TreeMap<Long, ArrayDeque<DataBuffer>> byLength = pool.get(dt);
        if (byLength == null) return;
        long freed = 0;
        while (freed < length && !byLength.isEmpty()) {
            Map.Entry<Long, ArrayDeque<DataBuffer>> e = byLength.lowerEntry(length);
            if (e == null) return;
            DataBuffer b = e.getValue().poll();
            if (e.getValue().isEmpty()) byLength.remove(e.getKey());
            freed += b.length();
            free(b);
        }
    }

    private static DataBuffer root(INDArray a) {
        DataBuffer b = a.data();
        while (b.underlyingDataBuffer() != null && b.underlyingDataBuffer() != b) b = b.underlyingDataBuffer();
        return b;
    }
}
