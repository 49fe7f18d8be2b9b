package io.finetune4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Spark standalone cluster on 127.0.0.1: a {@code Master} and two {@code Worker} processes (one core each)
 * started from this build's class path, every port picked free at run time, everything killed at the end. Runs with
 * {@code mvn -Pspark-cluster -pl spark -am verify} (failsafe, after package, so that the application jar exists).
 *
 * <ol>
 *   <li>spark-submit: {@code SparkSubmit} (Spark's main class) submits {@code finetune4j-spark-app.jar} with
 *   {@code run FILE --spark spark://...}; the workers' Spark home holds Spark's jars only (this build's class path
 *   without finetune4j and DL4J), so finetune4j reaches the executors in the application jar alone.</li>
 *   <li>Faults: a grid run from this JVM (as {@code ./finetune4j run --spark spark://...} does); once a trial has
 *   started on the first worker, that Worker process is killed with SIGKILL. Its executor and the trial's child JVM
 *   must go away, Spark must retry the trial on the other worker, and the grid must complete with every trial exactly
 *   once in {@code results.jsonl}.</li>
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkClusterIT {
    @TempDir
    static Path tmp;

    static Path data;
    static Path sparkHome;
    static String masterUrl;
    static final List<Process> processes = new ArrayList<>();
    static Process master, worker1, worker2;
    static final Map<String, String> ENV = Map.of("SPARK_LOCAL_IP", "127.0.0.1", "SPARK_SCALA_VERSION", "2.13");

    @BeforeAll
    static void startCluster() throws Exception {
        data = SparkGridTest.data(tmp);
        Path classpath = Path.of(System.getProperty("finetune4j.test.classpath"));
        assertTrue(Files.isRegularFile(classpath), classpath + " is missing: run through mvn -Pspark-cluster verify");
        // Spark's home: its jars = this build's class path less finetune4j and DL4J (a stand-in for a Spark
        // installation: the application jar has to bring finetune4j).
        sparkHome = tmp.resolve("spark-home");
        Files.createDirectories(sparkHome.resolve("jars"));
        Files.createDirectories(sparkHome.resolve("conf"));
        int i = 0;
        for (String entry : Files.readString(classpath).trim().split(File.pathSeparator)) {
            String e = entry.replace(File.separatorChar, '/');
            if (Path.of(entry).getFileName().toString().startsWith("finetune4j-") || e.endsWith("/classes")
                    || e.contains("/org/nd4j/") || e.contains("/org/bytedeco/") || e.contains("/org/deeplearning4j/")
                    || e.contains("/org/datavec/") || e.contains("/info/picocli/")) {
                continue;
            }
            Path jar = Path.of(entry);
            Files.createSymbolicLink(sparkHome.resolve("jars").resolve((i++) + "-" + jar.getFileName()), jar);
        }
        int port = freePort();
        masterUrl = "spark://127.0.0.1:" + port;
        master = start("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort())));
        worker1 = startWorker("worker1");
        worker2 = startWorker("worker2");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (count(tmp.resolve("master.log"), "Registering worker") < 2) {
            if (System.nanoTime() > deadline) fail("the workers did not register in 120 s: " + tail("master.log"));
            if (!master.isAlive()) fail("the master died: " + tail("master.log"));
            Thread.sleep(500);
        }
    }

    @AfterAll
    static void stopCluster() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static Process startWorker(String name) throws IOException {
        Path work = tmp.resolve(name);
        Files.createDirectories(work);
        return start(name, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--port", Integer.toString(freePort()), "--webui-port", Integer.toString(freePort()), "--cores", "1",
                "--memory", "2g", "--work-dir", work.toString(), masterUrl));
    }

    /** A JVM on Spark's jars (the stand-in installation), its output in {@code <name>.log}. */
    static Process start(String name, List<String> mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx512m"));
        cmd.addAll(moduleOptions());
        cmd.add("-cp");
        cmd.add(sparkHome.resolve("jars") + File.separator + "*");
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().putAll(ENV);
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    static List<String> moduleOptions() {
        return List.of("-XX:+IgnoreUnrecognizedVMOptions", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
                "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
                "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                "-Dio.netty.tryReflectionSetAccessible=true");
    }

    static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static long count(Path f, String what) throws IOException {
        if (!Files.exists(f)) return 0;
        return Files.readString(f, StandardCharsets.ISO_8859_1).lines().filter(l -> l.contains(what)).count();
    }

    static String tail(String log) {
        try {
            List<String> l = Files.readAllLines(tmp.resolve(log), StandardCharsets.ISO_8859_1);
            return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
        } catch (IOException e) {
            return "(no " + log + ")";
        }
    }

    static Path experiment(String name, String sweep) throws IOException {
        Path f = tmp.resolve(name + ".yaml");
        Files.writeString(f, SparkGridTest.yaml(name, data.toString(), sweep));
        return f;
    }

    static String cache() {
        return System.getProperty("finetune4j.cache");
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void sparkSubmitRunsTheApplicationJar() throws Exception {
        Path app = Path.of(System.getProperty("finetune4j.test.appJar"));
        assertTrue(Files.isRegularFile(app), app + " is missing: run through mvn -Pspark-cluster verify");
        Path file = experiment("submitted", """
                seeds: [1]
                sweep:
                  method: grid
                  parameters:
                    training.learning_rate: [5.0e-5, 2.0e-4]
                """);
        Path out = tmp.resolve("submitted-out");
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx1g", "-Dfinetune4j.cache=" + cache()));
        cmd.addAll(moduleOptions());
        cmd.addAll(List.of("-cp", sparkHome.resolve("jars") + File.separator + "*",
                "org.apache.spark.deploy.SparkSubmit", "--master", masterUrl, "--deploy-mode", "client",
                "--class", "io.finetune4j.cli.Main",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=1g",
                "--conf", "spark.executor.extraJavaOptions=-Dfinetune4j.cache=" + cache(),
                app.toString(), "run", file.toString(), "--spark", masterUrl, "--output", out.toString(),
                "--progress", "none"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().putAll(ENV);
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("submit.log").toFile());
        Process p = pb.start();
        processes.add(p);
        assertTrue(p.waitFor(8, TimeUnit.MINUTES), "spark-submit did not finish in 8 minutes: " + tail("submit.log"));
        assertEquals(0, p.exitValue(), tail("submit.log"));
        List<JsonNode> lines = SparkGridTest.results(out);
        assertEquals(2, lines.size(), tail("submit.log"));
        for (JsonNode l : lines) {
            assertFalse(l.has("status"), l.toString());
            assertEquals(32, l.get("test").get("examples").asInt());
        }
        // the executors loaded finetune4j from the application jar they were sent, not from Spark's jars
        String log = Files.readString(out.resolve("logs").resolve("trial-0-" + lines.stream()
                .filter(l -> l.get("trial").asInt() == 0).findFirst().orElseThrow().get("hash").asText() + ".log"));
        assertTrue(log.contains("fine-tuning all-MiniLM-L6-v2"), log);
        assertTrue(Files.readString(tmp.resolve("submit.log")).contains("finetune4j: submitted: ran 2, skipped 0"),
                tail("submit.log"));
    }

    @Test
    @Order(2)
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void aKilledWorkerLosesNoTrialAndDuplicatesNone() throws Exception {
        Path file = experiment("faults", """
                seeds: [1, 2]
                sweep:
                  method: grid
                  parameters:
                    training.learning_rate: [5.0e-5, 2.0e-4]
                """);
        Path out = tmp.resolve("faults-out");
        Set<Path> oldApps = new HashSet<>();
        try (Stream<Path> s = Files.list(tmp.resolve("worker1"))) {
            s.forEach(oldApps::add);
        }
        // The driver in this JVM, as ./finetune4j runs it; Spark reads its settings from spark.* properties.
        Map<String, String> props = Map.of("spark.driver.host", "127.0.0.1", "spark.driver.bindAddress", "127.0.0.1",
                "spark.ui.enabled", "false", "spark.executor.memory", "1g",
                "spark.executor.extraJavaOptions", "-Dfinetune4j.cache=" + cache());
        props.forEach(System::setProperty);
        CompletableFuture<SparkGridTest.Result> run;
        try {
            run = CompletableFuture.supplyAsync(() -> SparkGridTest.cli("run", file.toString(), "--spark", masterUrl,
                    "--output", out.toString(), "--progress", "none"));

            // ---- wait for a trial to start on worker 1; then kill -9 that Worker ----------------------------------
            Pattern started = Pattern.compile("finetune4j: trial ([0-9]+-[0-9a-f]+) started in process ([0-9]+) on "
                    + ".* \\(executor pid ([0-9]+)\\)");
            Matcher m = null;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (m == null) {
                if (System.nanoTime() > deadline) fail("no trial started on worker 1 in 4 minutes");
                if (run.isDone()) fail("the grid ended before a trial started on worker 1: " + run.get().out());
                try (Stream<Path> s = Files.walk(tmp.resolve("worker1"))) {
                    for (Path f : s.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
                        if (oldApps.stream().anyMatch(f::startsWith)) continue;
                        Matcher mm = started.matcher(Files.readString(f, StandardCharsets.ISO_8859_1));
                        if (mm.find()) m = mm;
                    }
                }
                Thread.sleep(250);
            }
            String killedTrial = m.group(1);
            long childPid = Long.parseLong(m.group(2)), executorPid = Long.parseLong(m.group(3));
            Thread.sleep(3000);                                  // the child is loading the model / training now
            assertTrue(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false),
                    "trial " + killedTrial + " ended before the worker could be killed");
            worker1.destroyForcibly();                           // SIGKILL: no shutdown hook runs
            assertTrue(worker1.waitFor(30, TimeUnit.SECONDS));
            // the executor notices its worker is gone and exits; the trial's child notices its executor is gone
            for (long pid : new long[]{executorPid, childPid}) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    if (System.nanoTime() > until) fail("process " + pid + " outlived its killed worker by 90 s");
                    Thread.sleep(250);
                }
            }

            // ---- the grid completes on worker 2, every trial exactly once -----------------------------------------
            SparkGridTest.Result r = run.get(9, TimeUnit.MINUTES);
            System.out.println("SparkClusterIT: killed worker 1 during trial " + killedTrial + "; the driver said:\n"
                    + r.out());
            assertEquals(0, r.code(), r.err() + r.out());
            List<JsonNode> lines = SparkGridTest.results(out);
            assertEquals(4, lines.size(), r.out());
            assertEquals(4, lines.stream().map(l -> l.get("hash").asText()).distinct().count(), lines.toString());
            assertEquals(Set.of(0, 1, 2, 3), Set.copyOf(lines.stream().map(l -> l.get("trial").asInt()).toList()));
            for (JsonNode l : lines) assertFalse(l.has("status"), l.toString());
            String log = Files.readString(out.resolve("logs").resolve("trial-" + killedTrial + ".log"));
            assertTrue(log.lines().filter(x -> x.startsWith("==== ")).count() >= 2,
                    "the killed trial should have run twice:\n" + log);
            assertTrue(r.out().contains("attempt 2 on executor"), r.out());
            String index = killedTrial.substring(0, killedTrial.indexOf('-'));
            assertTrue(r.out().lines().anyMatch(x -> x.startsWith("finetune4j: trial " + index + " [")
                    && x.contains("attempt 1 failed")), r.out());
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
    }
}
