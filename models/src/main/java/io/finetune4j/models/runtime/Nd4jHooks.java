package io.finetune4j.models.runtime;

import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the CPU runtime changes in ND4J, in one place. {@link #install} runs once per JVM (through
 * {@link CpuRuntime#install}) and makes three changes, none of which alters what any other graph computes:
 * <ol>
 *   <li><b>Our op classes by name.</b> SameDiff's FlatBuffers clone (made when it builds a gradient function)
 *       re-creates a custom op from the class registered for its hash and name; the {@link JavaOp}s' names
 *       ({@code finetune4j_*}, hash 0: no native op has them) are added to that table. Nothing is replaced.</li>
 *   <li><b>The gradient-rule classes.</b> The classes the clone creates for the native {@code add},
 *       {@code multiply} and {@code matmul} ops become {@link GradientRules.Add}, {@link GradientRules.Mul} and
 *       {@link GradientRules.MatMul}: subclasses of M2.1's {@code AddOp}, {@code MulOp} and {@code Mmul} that override
 *       {@code doDiff} only, and fall back to M2.1's own {@code doDiff} for every op not built by
 *       {@link GradientRules} (see there).</li>
 *   <li><b>The executioner proxy.</b> SameDiff runs every custom op through {@code Nd4j.getExecutioner().exec(op,
 *       context)} (docs/dl4j-notes.md §4.4). The CPU executioner is wrapped in a proxy that computes a
 *       {@link JavaOp} in Java and passes every other call to the CPU executioner unchanged.</li>
 * </ol>
 * Only the CPU backend's executioner is wrapped (on CUDA the data would have to go to the host first). Nothing here
 * is kept per graph.
 */
final class Nd4jHooks {
    private static final String CPU_EXECUTIONER = "org.nd4j.linalg.cpu.nativecpu.ops.NativeOpExecutioner";
    private static volatile boolean installed;

    private Nd4jHooks() {
    }

    /** Makes the three changes (once); false, and no change, where the executioner is not the CPU backend's. */
    static synchronized boolean install() {
        if (installed) return true;
        OpExecutioner cpu = Nd4j.getExecutioner();
        if (!cpu.getClass().getName().equals(CPU_EXECUTIONER)) return false;
        try {
            registerByName(new BiasGelu(), new BiasGelu.Grad(), new LayerNorm(), new LayerNorm.Grad(),
                    new SplitHeads(), new MergeHeads());
            registerGradientRules();
            Field instance = Nd4j.class.getDeclaredField("OP_EXECUTIONER_INSTANCE");
            instance.setAccessible(true);
            instance.set(null, Proxy.newProxyInstance(Nd4jHooks.class.getClassLoader(),
                    new Class<?>[]{OpExecutioner.class}, new Dispatch(cpu)));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot install the CPU runtime with this ND4J version (set -D"
                    + CpuRuntime.PROPERTY + "=false to run without it)", e);
        }
        installed = true;
        return true;
    }

    static boolean installed() {
        return installed;
    }

    /** Graph ops of the runtime can be built only after the install, or the graph could not run them. */
    static void requireInstalled(String what) {
        if (!installed) {
            throw new IllegalStateException(what + " needs the CPU runtime: build graphs through CpuRuntime.ops");
        }
    }

    /**
     * Adds our op classes to the table the FlatBuffers clone re-creates custom ops from: it stores a custom op's
     * hash from the native op list (0 for ours, which that list does not have) and its name.
     */
    @SuppressWarnings("unchecked")
    private static void registerByName(JavaOp... ops) throws ReflectiveOperationException {
        Map<Long, Map<String, Class<?>>> classes = (Map<Long, Map<String, Class<?>>>) holderField("customOpHashToClasses");
        for (JavaOp op : ops) classes.computeIfAbsent(op.opHash(), k -> new HashMap<>()).put(op.opName(), op.getClass());
    }

    /** Makes the rule classes the classes of the native add, multiply and matmul ops in every clone. */
    @SuppressWarnings("unchecked")
    private static void registerGradientRules() throws ReflectiveOperationException {
        Map<Long, Class<?>> byHash = (Map<Long, Class<?>>) holderField("customOpHashToClass");
        Map<Long, Map<String, Class<?>>> byHashAndName =
                (Map<Long, Map<String, Class<?>>>) holderField("customOpHashToClasses");
        for (var op : List.of(new GradientRules.Add(), new GradientRules.Mul(), new GradientRules.MatMul())) {
            long hash = op.opHash();
            byHash.put(hash, op.getClass());
            if (byHashAndName.containsKey(hash)) byHashAndName.get(hash).put(op.opName(), op.getClass());
        }
    }

    private static Object holderField(String name) throws ReflectiveOperationException {
        Field f = DifferentialFunctionClassHolder.class.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(DifferentialFunctionClassHolder.getInstance());
    }

    /** Our ops in Java; every other call goes to the executioner ND4J made, unchanged. */
    private record Dispatch(OpExecutioner target) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("exec") && args != null && args.length >= 1 && args[0] instanceof JavaOp op) {
                if (args.length == 2 && args[1] instanceof OpContext oc)
                    return op.execute(oc.getInputArrays(), oc.getOutputArrays());
                if (args.length == 1) {
                    if (op.outputArguments().isEmpty())
                        for (LongShapeDescriptor d : op.calculateOutputShape()) op.addOutputArgument(Nd4j.create(d));
                    return op.execute(op.inputArguments(), op.outputArguments());
                }
            }
            if (method.getName().equals("calculateOutputShape") && args != null && args[0] instanceof JavaOp op)
                return args.length == 2 ? op.calculateOutputShape((OpContext) args[1]) : op.calculateOutputShape();
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
