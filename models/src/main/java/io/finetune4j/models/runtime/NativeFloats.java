package io.finetune4j.models.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Java access to a float32 array's native memory without copying it (for loops ND4J has no fused op for). */
public final class NativeFloats {
    private NativeFloats() {
    }

    /** A view of the whole buffer behind {@code a}: index i is buffer element i, not a's i-th element if a is a view. */
    public static FloatBuffer view(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
