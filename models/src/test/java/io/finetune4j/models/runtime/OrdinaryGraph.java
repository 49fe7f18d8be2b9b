package io.finetune4j.models.runtime;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A SameDiff graph that none of our code built (adds, broadcasting multiplies, matmuls with a transposed operand,
 * rank 2 and 4, softmax, erf) in float32 and double: its outputs and gradients, and the ops of its gradient function.
 * {@link #main} prints them, so that a test can compare a JVM with the runtime installed against one without it.
 */
public final class OrdinaryGraph {
    /** Output and gradient values by name; the gradient function's op names in order; what ran them. */
    record Result(Map<String, double[]> values, List<String> gradientOps, boolean ruleClassesInGradient,
                  boolean runtimeInstalled) {
    }

    private OrdinaryGraph() {
    }

    static Result run() {
        Map<String, double[]> values = new LinkedHashMap<>();
        List<String> ops = new ArrayList<>();
        boolean rules = false;
        for (DataType dt : List.of(DataType.DOUBLE, DataType.FLOAT)) {
            Random random = new Random(5);   // ND4J's seeded normals differ between processes (dl4j-notes §2.4)
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", array(random, dt, 3, 4)), w = sd.var("w", array(random, dt, 5, 4));
            SDVariable b = sd.var("b", array(random, dt, 5)), a = sd.var("a", array(random, dt, 2, 3, 4, 5));
            SDVariable c = sd.var("c", array(random, dt, 2, 3, 6, 5));
            SDVariable y = sd.mmul(x, w, false, true, false).add(b).mul(x.sum(1).reshape(3, 1));    // [3, 5]
            SDVariable z = sd.nn.softmax(sd.mmul(a, c, false, true, false), 3);                    // [2, 3, 4, 6]
            SDVariable r = sd.constant(array(random, dt, 2, 3, 4, 6));
            SDVariable loss = y.mul(y).sum().add(z.mul(r).sum()).add(sd.math.erf(y).sum());
            loss.rename("loss");
            sd.setLossVariables("loss");
            Map<String, INDArray> grads = sd.calculateGradients(Map.of(), List.of("x", "w", "b", "a", "c"));
            grads.forEach((k, g) -> values.put(dt + "." + k + ".grad", doubles(g)));
            values.put(dt + ".loss", doubles(sd.output(Map.of(), "loss").get("loss")));
            for (SameDiffOp op : sd.getFunction("grad").getOps().values()) {
                ops.add(op.getOp().opName());
                rules |= op.getOp().getClass().getEnclosingClass() == GradientRules.class;
            }
        }
        return new Result(values, ops, rules, Proxy.isProxyClass(Nd4j.getExecutioner().getClass()));
    }

    /** Runs {@link #main} in a new JVM on this one's class path, where nothing installs the runtime. */
    static Result runInFreshJvm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-Dorg.bytedeco.javacpp.maxbytes=1g",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=2g", "-cp", System.getProperty("java.class.path"),
                OrdinaryGraph.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, double[]> values = new LinkedHashMap<>();
        List<String> ops = new ArrayList<>();
        boolean rules = false, installed = true;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "VALUE" -> values.put(f[1], Arrays.stream(f, 2, f.length).mapToDouble(Double::parseDouble).toArray());
                    case "OPS" -> ops.addAll(Arrays.asList(f).subList(1, f.length));
                    case "RULES" -> rules = Boolean.parseBoolean(f[1]);
                    case "INSTALLED" -> installed = Boolean.parseBoolean(f[1]);
                    default -> { }   // SameDiff's own lines
                }
            }
        }
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("the child JVM failed (exit " + (p.isAlive() ? "none" : p.exitValue()) + ")");
        }
        return new Result(values, ops, rules, installed);
    }

    public static void main(String[] args) {
        Result r = run();
        StringBuilder s = new StringBuilder();
        r.values().forEach((name, v) -> {
            s.append("VALUE ").append(name);
            for (double d : v) s.append(' ').append(d);
            s.append('\n');
        });
        s.append("OPS ").append(String.join(" ", r.gradientOps())).append('\n');
        s.append("RULES ").append(r.ruleClassesInGradient()).append('\n');
        s.append("INSTALLED ").append(r.runtimeInstalled()).append('\n');
        System.out.print(s);
        System.out.flush();
    }

    private static INDArray array(Random random, DataType dt, long... shape) {
        double[] v = new double[(int) Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
        for (int i = 0; i < v.length; i++) v[i] = random.nextGaussian();
        return Nd4j.create(v, shape, DataType.DOUBLE).castTo(dt);
    }

    private static double[] doubles(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
