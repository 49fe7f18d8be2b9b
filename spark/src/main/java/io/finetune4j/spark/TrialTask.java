package io.finetune4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.function.Function;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A Spark task that runs one trial: it starts {@link TrialProcess} in a child JVM on the executor's machine and
 * returns the child's result JSON (a small string) to the driver.
 *
 * <p>Why a child JVM: ND4J's native thread pools, its off-heap memory limits and a few JVM-wide hooks belong to the
 * whole process, so two trainings in one executor JVM would share (and oversubscribe) cores and could interfere; in a
 * process of its own each trial gets exactly {@code OMP_NUM_THREADS} = {@code spark.task.cpus} native threads, and a
 * native crash ends one trial, not the executor. The child's class path is the executor's ({@code java.class.path}
 * plus the task's class loader URLs, where spark-submit puts the application jar). Its output goes to
 * {@code <output>/logs/trial-<index>-<hash>.log} (appended, one header per attempt).
 *
 * <p>The child exits 0 with a result (finished, or failed for a user error: the task succeeds and the driver records
 * the failure); any other end (killed, out of memory, a crash) fails the task, and Spark runs it again, up to
 * {@code spark.task.maxFailures} times. If this task is interrupted (the job is cancelled, the executor shuts down)
 * the child is killed; if the executor dies outright, the child notices (its standard input closes) and stops.
 */
public final class TrialTask implements Function<String, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(String specJson) throws Exception {
        JsonNode spec = TrialProcess.JSON.readTree(specJson);
        int threads = spec.get("threads").asInt();
        Path dir = Path.of(spec.get("dir").asText());
        String name = spec.get("index").asInt() + "-" + spec.get("hash").asText();
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        Path log = logs.resolve("trial-" + name + ".log");
        Path work = Files.createTempDirectory("finetune4j-trial-" + name + "-");
        Process p = null;
        try {
            Path specFile = work.resolve("spec.json");
            Path resultFile = work.resolve("result.json");
            Files.writeString(specFile, specJson, StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>();
            cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(javaOptions(spec, threads));
            cmd.add("-cp");
            cmd.add(classPath());
            cmd.add(TrialProcess.class.getName());
            cmd.add(specFile.toString());
            cmd.add(resultFile.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd);
            Map<String, String> env = pb.environment();
            env.put("OMP_NUM_THREADS", Integer.toString(threads));
            env.putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
            env.putIfAbsent("OPENBLAS_THREAD_TIMEOUT", "4");
            String host = InetAddress.getLocalHost().getHostName();
            String header = "==== " + OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                    + " trial " + name + " on " + host + ", executor pid " + ProcessHandle.current().pid()
                    + ", " + threads + (threads == 1 ? " thread" : " threads") + "\n";
            Files.writeString(log, header, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);          // never written: EOF tells the child we are gone
            p = pb.start();
            // One line on the executor's stderr: which process runs which trial (the cluster test watches for it).
            System.err.println("finetune4j: trial " + name + " started in process " + p.pid() + " on " + host
                    + " (executor pid " + ProcessHandle.current().pid() + ")");
            int code = p.waitFor();
            if (code == 0 && Files.isRegularFile(resultFile)) {
                return Files.readString(resultFile, StandardCharsets.UTF_8);
            }
            throw new IllegalStateException("trial " + name + ": its process exited with code " + code
                    + (code == 137 || code == 143 ? " (killed)" : "") + "; last lines of " + log + ": "
                    + tail(log, 5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        } finally {
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            deleteQuietly(work);
        }
    }

    /**
     * The child's JVM options: the launcher's defaults ({@code -Xmx1g}: a small heap keeps ND4J's native buffers
     * reused) with JavaCPP's off-heap limits scaled to this machine's memory shared by its concurrent trials, then the
     * task's {@code trialJavaOpts} ({@code spark.finetune4j.trialJavaOpts}), which win.
     */
    static List<String> javaOptions(JsonNode spec, int threads) {
        List<String> o = new ArrayList<>();
        long total = totalMemoryBytes();
        int slots = Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, threads));
        long gib = 1L << 30;
        long physical = total <= 0 ? 14 * gib : Math.max(2 * gib, Math.min(14 * gib, (long) (total * 0.6 / slots)));
        long off = Math.max(gib, physical * 4 / 7);
        o.add("-Xmx1g");
        o.add("-Dorg.bytedeco.javacpp.maxbytes=" + off / (1 << 20) + "m");
        o.add("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + physical / (1 << 20) + "m");
        o.add("-Dfile.encoding=UTF-8");
        // Where models and datasets are cached and model jars are found, if this executor was told (else the
        // child's own defaults).
        for (String key : new String[]{"finetune4j.cache", "finetune4j.datasets", "maven.repo.local"}) {
            String v = System.getProperty(key);
            if (v != null) o.add("-D" + key + "=" + v);
        }
        String extra = spec.path("trialJavaOpts").asText("");
        for (String s : extra.trim().split("\\s+")) if (!s.isEmpty()) o.add(s);
        return o;
    }

    private static long totalMemoryBytes() {
        try {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /** The executor's class path and the task's class loader URLs (spark-submit's application jar), in order. */
    static String classPath() {
        Set<String> cp = new LinkedHashSet<>();
        for (String s : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!s.isEmpty()) cp.add(s);
        }
        for (ClassLoader cl = Thread.currentThread().getContextClassLoader(); cl != null; cl = cl.getParent()) {
            if (cl instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    if ("file".equals(url.getProtocol())) {
                        try {
                            cp.add(Paths.get(url.toURI()).toString());
                        } catch (Exception e) {
                            // not a local file: skip
                        }
                    }
                }
            }
        }
        return String.join(File.pathSeparator, cp);
    }

    static String tail(Path log, int n) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", all.subList(Math.max(0, all.size() - n), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(unreadable)";
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp folder: never mind
        }
    }
}
