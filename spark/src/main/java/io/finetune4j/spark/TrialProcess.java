package io.finetune4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.cli.Main;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.experiment.ExperimentFile;
import io.finetune4j.framework.experiment.ExperimentPlan;
import io.finetune4j.framework.experiment.ExperimentRunner;
import io.finetune4j.framework.experiment.Trial;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The child process that runs one trial for a Spark task ({@link TrialTask}): {@code java ... TrialProcess SPEC
 * RESULT}. SPEC is the task's JSON (the experiment file's text and path, the output folder, the trial's index and
 * hash, the finished hashes); RESULT is where the outcome goes, as JSON: {@code {"status": "ok", "lines": [...]}}, or
 * {@code {"status": "failed", "error": "one line", "lines": [...]}} for an error in the user's input (bad or missing
 * data, a missing model, a NaN loss), exit code 0 either way. Anything else (a bug, out of memory) exits 1 without a
 * result, and Spark retries the task.
 *
 * <p>The process ends itself when its parent (the executor) goes away: standard input is a pipe from the parent that
 * is never written, so end-of-file means the parent is gone; its parent process is watched as well.
 */
public final class TrialProcess {
    static final ObjectMapper JSON = new ObjectMapper();

    static {
        // As io.finetune4j.cli.Main: before any logger, and only when slf4j-simple is the provider (not Spark's log4j2).
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setDefault("org.slf4j.simpleLogger.log.org.nd4j.imports.converters.ImportClassMapping", "error");
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showLogName", "false");
    }

    private TrialProcess() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TrialProcess SPEC.json RESULT.json");
            System.exit(64);
        }
        watchParent();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        Path resultFile = Path.of(args[1]);
        JsonNode spec = JSON.readTree(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8));
        List<Map<String, Object>> lines = new ArrayList<>();
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            ExperimentFile.Loaded loaded = ExperimentFile.parse(Path.of(spec.get("file").asText()),
                    spec.get("text").asText());
            List<Trial> plan = ExperimentPlan.trials(loaded);
            int index = spec.get("index").asInt();
            String hash = spec.get("hash").asText();
            if (index >= plan.size() || !plan.get(index).hash().equals(hash)) {
                throw new IllegalArgumentException("trial " + index + " [" + hash + "] is not in the plan this "
                        + "machine makes of " + spec.get("file").asText() + " (a different finetune4j build?)");
            }
            Trial t = plan.get(index);
            Set<String> done = new HashSet<>();
            spec.get("done").forEach(h -> done.add(h.asText()));
            ExperimentRunner.runInProcess(loaded, t, Path.of(spec.get("dir").asText()), done,
                    RunConfig.Progress.valueOf(spec.get("progress").asText()), ExperimentRunner.head(t, plan.size()), out, lines::add);
            result.put("status", "ok");
        } catch (Throwable e) {
            Throwable user = Main.userError(e);
            if (user == null) {
                out.flush();
                System.err.println("finetune4j: trial process failed:");
                e.printStackTrace();
                System.err.flush();
                Runtime.getRuntime().halt(1);
            }
            String message = Main.oneLine(Main.message(user));
            out.println("finetune4j: error: " + message);
            result.put("status", "failed");
            result.put("error", message);
        }
        out.flush();
        result.put("lines", lines);
        Path tmp = resultFile.resolveSibling(resultFile.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(result), StandardCharsets.UTF_8);
        Files.move(tmp, resultFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.flush();
        // ND4J's native threads must not keep the process alive: the result is written, so halt.
        Runtime.getRuntime().halt(0);
    }

    /** Ends this process (exit 143) when standard input closes or the parent process is gone. */
    static void watchParent() {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        Thread stdin = new Thread(() -> {
            try {
                InputStream in = System.in;
                byte[] buf = new byte[256];
                while (in.read(buf) >= 0) {
                    // nothing is ever written: wait for end-of-file
                }
            } catch (IOException e) {
                // closed: the parent is gone
            }
            System.err.println("finetune4j: the executor that started this trial is gone: stopping");
            Runtime.getRuntime().halt(143);
        }, "parent-stdin-watch");
        stdin.setDaemon(true);
        stdin.start();
        if (parent != null) {
            Thread poll = new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (!parent.isAlive()) {
                        System.err.println("finetune4j: the executor that started this trial is gone: stopping");
                        Runtime.getRuntime().halt(143);
                    }
                }
            }, "parent-watch");
            poll.setDaemon(true);
            poll.start();
        }
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
