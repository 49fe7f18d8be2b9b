package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A SameDiff custom op computed in Java on float32 arrays; by default one output shaped like the first input.
 *
 * <p>No native library knows these ops: SameDiff hands every custom op to {@code Nd4j.getExecutioner().exec(op,
 * context)}, and the proxy that {@link CpuRuntime#install} puts in front of the CPU executioner ({@link Nd4jHooks})
 * computes them by calling {@link #execute}. The ops are made by {@link CpuOps} only, after that install; the
 * no-argument constructors are for SameDiff's FlatBuffers clones (docs/dl4j-notes.md §4.4).
 */
public abstract class JavaOp extends DynamicCustomOp {
    protected JavaOp() {
    }

    protected JavaOp(SameDiff sd, SDVariable... inputs) {
        super(sd, inputs);
        Nd4jHooks.requireInstalled(opName());
    }

    /** Fills the outputs; each buffer starts at its array's first element (all contiguous, row-major). */
    protected abstract void compute(FloatBuffer[] in, long[][] inShapes, FloatBuffer[] out);

    protected List<long[]> outputShapes(List<long[]> inputShapes) {
        return List.of(inputShapes.get(0));
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape() {
        return descriptors(inputArguments());
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
        return descriptors(oc.getInputArrays());
    }

    private List<LongShapeDescriptor> descriptors(List<INDArray> inputs) {
        List<long[]> shapes = new ArrayList<>();
        for (INDArray a : inputs) shapes.add(a.shape());
        List<LongShapeDescriptor> out = new ArrayList<>();
        for (long[] shape : outputShapes(shapes)) out.add(LongShapeDescriptor.fromShape(shape, DataType.FLOAT));
        return out;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
        return Collections.nCopies(getNumOutputs(), dataTypes.get(0));
    }

    /** No properties (M2.1's default looks them up in the native op descriptors, which do not list ours). */
    @Override
    public Map<String, Object> propertiesForFunction() {
        return Map.of();
    }

    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
    }

    /** 0, the hash FlatBuffers gives a custom op that the native library does not list. */
    @Override
    public long opHash() {
        return 0L;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    INDArray[] execute(List<INDArray> inputs, List<INDArray> outputs) {
        FloatBuffer[] in = new FloatBuffer[inputs.size()];
        long[][] shapes = new long[in.length][];
        for (int i = 0; i < in.length; i++) {
            INDArray a = inputs.get(i);
            if (a.ordering() != 'c' || a.elementWiseStride() != 1) a = a.dup('c');   // a strided view
            in[i] = floats(a, "input " + i);
            shapes[i] = a.shape();
        }
        FloatBuffer[] out = new FloatBuffer[outputs.size()];
        for (int i = 0; i < out.length; i++) out[i] = floats(outputs.get(i), "output " + i);
        compute(in, shapes, out);
        return outputs.toArray(new INDArray[0]);
    }

    private FloatBuffer floats(INDArray a, String what) {
        if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.elementWiseStride() != 1
                || a.offset() + a.length() > Integer.MAX_VALUE)
            throw new IllegalStateException(opName() + ": " + what + " is not a contiguous float32 array: "
                    + a.shapeInfoToString());
        return NativeFloats.view(a).slice((int) a.offset(), (int) a.length());
    }

    /** The first {@code n} floats of a buffer, as an array (a bias or LayerNorm parameter row). */
    static float[] read(FloatBuffer b, int n) {
        float[] a = new float[n];
        b.get(0, a);
        return a;
    }
}
