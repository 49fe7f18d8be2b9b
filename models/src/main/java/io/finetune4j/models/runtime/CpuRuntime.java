package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The one switch between the two {@link EncoderOps}: {@link CpuOps} (Java kernels and gradient rules) for float32
 * graphs on the CPU backend, {@link ReferenceOps} (plain M2.1 ops) for everything else: double precision (the
 * finite-difference gradient checks), CUDA, and any graph when {@code -D}{@value #PROPERTY}{@code =false} is set (for
 * comparisons).
 *
 * <p>The first graph that gets {@link CpuOps} installs the runtime ({@link Nd4jHooks} lists what that changes in
 * ND4J, and why nothing else computes differently afterwards); a JVM that only builds reference graphs changes
 * nothing.
 */
public final class CpuRuntime {
    /** Set to {@code false} to build every graph from M2.1's ops ({@link ReferenceOps}). */
    public static final String PROPERTY = "finetune4j.javaKernels";
    private static Boolean installed;

    private CpuRuntime() {
    }

    /**
     * The ops an encoder graph is built from: {@link CpuOps} if {@link #enabled} for {@code dtype}, else
     * {@link ReferenceOps}.
     *
     * @param training whether gradients will be taken through the graph (CpuOps then also builds the operand
     *                 layouts its gradient rules read)
     */
    public static EncoderOps ops(SameDiff sd, DataType dtype, boolean training) {
        return enabled(dtype) ? new CpuOps(sd, training) : new ReferenceOps(sd);
    }

    /** Whether graphs of {@code dtype} get {@link CpuOps}: float32, with the runtime installed (see {@link #install}). */
    public static boolean enabled(DataType dtype) {
        return dtype == DataType.FLOAT && install();
    }

    /**
     * Installs the runtime once per JVM, unless {@value #PROPERTY} is false or the backend is not the CPU's; says
     * whether it is installed.
     */
    public static synchronized boolean install() {
        if (installed == null) {
            installed = Boolean.parseBoolean(System.getProperty(PROPERTY, "true")) && Nd4jHooks.install();
        }
        return installed;
    }
}
