package io.finetune4j.models.checkpoint;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Shared pieces of the checkpoint readers: element types, little-endian decoding to float32, canonical names. */
final class Tensors {
    private Tensors() {
    }

    /** Element types found in checkpoints. Everything floating point is converted to float32 on read. */
    enum Dtype {
        F32(4), F64(8), F16(2), BF16(2), I64(8), I32(4);

        final int size;

        Dtype(int size) {
            this.size = size;
        }

        boolean isFloat() {
            return this != I64 && this != I32;
        }
    }

    /** Number of elements, or -1 if a dimension is negative or the product overflows. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) return -1;
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    /**
     * Decodes a safetensors tensor as it is stored: F64 as float64, integers as int64 / int32, the other floating
     * types as float32 ({@link #toFloat32}).
     */
    static INDArray toArray(ByteBuffer data, Dtype dtype, long[] shape) {
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(numel(shape));
        switch (dtype) {
            case F64 -> {
                double[] d = new double[n];
                b.asDoubleBuffer().get(d);
                return shape.length == 0 ? Nd4j.scalar(d[0]) : Nd4j.create(d, shape, 'c');
            }
            case I64 -> {
                long[] l = new long[n];
                b.asLongBuffer().get(l);
                return Nd4j.createFromArray(l).reshape(shape);
            }
            case I32 -> {
                int[] i = new int[n];
                b.asIntBuffer().get(i);
                return Nd4j.createFromArray(i).reshape(shape);
            }
            default -> {
                return toFloat32(data, dtype, shape);
            }
        }
    }

    /**
     * Decodes {@code data} (exactly numel × size little-endian bytes) into a new float32 c-order INDArray.
     * The bytes are copied once into a float[] and once into ND4J's off-heap buffer; a 90 MB embedding table
     * therefore costs 90 MB of heap briefly, never the whole file.
     */
    static INDArray toFloat32(ByteBuffer data, Dtype dtype, long[] shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of " + n + " elements is too large for one array");
        }
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[(int) n];
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(f);
            case F64 -> {
                var d = b.asDoubleBuffer();
                for (int i = 0; i < f.length; i++) f[i] = (float) d.get(i);
            }
            case F16 -> {
                var s = b.asShortBuffer();
                for (int i = 0; i < f.length; i++) f[i] = halfToFloat(s.get(i));
            }
            case BF16 -> {
                var s = b.asShortBuffer();
                for (int i = 0; i < f.length; i++) f[i] = Float.intBitsToFloat((s.get(i) & 0xffff) << 16);
            }
            case I64 -> {
                var l = b.asLongBuffer();
                for (int i = 0; i < f.length; i++) f[i] = l.get(i);
            }
            case I32 -> {
                var l = b.asIntBuffer();
                for (int i = 0; i < f.length; i++) f[i] = l.get(i);
            }
        }
        if (shape.length == 0) return Nd4j.scalar(DataType.FLOAT, f[0]);
        return Nd4j.create(f, shape, 'c');
    }

    /** IEEE 754 binary16 → float32 (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));   // inf / NaN
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign);                                // ±0
            float v = mant * 0x1p-24f;                                                      // subnormal
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * The canonical name of a checkpoint tensor: a task model's {@code bert.} / {@code distilbert.} prefix is
     * dropped so backbone weights look the same whichever head they were saved with; {@code cls.},
     * {@code classifier.} and the like stay as they are.
     */
    static String canonical(String name) {
        if (name.startsWith("bert.")) return name.substring(5);
        if (name.startsWith("distilbert.")) return name.substring(11);
        return name;
    }

    /** Registered buffers, not parameters: Hugging Face saves them but never trains them. */
    static boolean isBuffer(String canonicalName) {
        return canonicalName.endsWith("position_ids") || canonicalName.endsWith("token_type_ids");
    }

    static String shape(long[] s) {
        return Arrays.toString(s);
    }
}
