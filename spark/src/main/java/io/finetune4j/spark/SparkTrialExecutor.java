package io.finetune4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune4j.cli.Main;
import io.finetune4j.framework.config.RunConfig;
import io.finetune4j.framework.experiment.ExperimentRunner;
import io.finetune4j.framework.experiment.Results;
import io.finetune4j.framework.experiment.Trial;
import io.finetune4j.framework.experiment.TrialExecutor;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs an experiment's trials on Spark, as Hyperopt's {@code SparkTrials} does: each trial is a one-task Spark job
 * ({@link TrialTask}), submitted from a driver thread pool of {@code parallelism} threads, so that each trial's
 * result comes back, and is appended to {@code results.jsonl}, as soon as it finishes. Jobs are named by trial
 * ({@code setJobGroup}: {@code finetune4j-trial-<index>}), so the Spark UI shows which trial runs where.
 *
 * <p>Faults: a trial that fails for a user error (bad data, a missing model, a NaN loss) comes back as a failed
 * result and is recorded with {@code "status": "failed"} and its message, not retried; a task that fails otherwise
 * (executor lost, child process killed) is retried by Spark up to {@code spark.task.maxFailures} times (default 3;
 * local masters get the same through {@code local[N,F]}), after which the trial is recorded as failed too. The rest
 * of the grid goes on either way. The driver never records a hash twice ({@link Results#append}).
 */
public final class SparkTrialExecutor implements TrialExecutor {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Attempts per trial unless {@code spark.task.maxFailures} says otherwise. */
    static final int DEFAULT_MAX_FAILURES = 3;

    static {
        // Quiet, as the rest of finetune4j (slf4j-simple at warn, see cli/Main): Spark's hostname notice and Hadoop's
        // "no native library" warning say nothing a user must act on. Read when each logger is created.
        setDefault("org.slf4j.simpleLogger.log.org.apache.spark.util.Utils", "error");
        setDefault("org.slf4j.simpleLogger.log.org.apache.hadoop.util.NativeCodeLoader", "error");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }

    private final String master;
    private final Integer parallelism;
    private final Integer threadsPerTrial;

    public SparkTrialExecutor(String master, Integer parallelism, Integer threadsPerTrial) {
        this.master = master;
        this.parallelism = parallelism;
        this.threadsPerTrial = threadsPerTrial;
    }

    @Override
    public void run(Work w) throws IOException {
        SparkConf conf = new SparkConf();            // spark.* system properties: spark-submit's, or -D options
        int maxFailures = conf.getInt("spark.task.maxFailures", DEFAULT_MAX_FAILURES);
        SparkSettings s = SparkSettings.resolve(master, parallelism, threadsPerTrial, w.loaded().experiment().spark(),
                maxFailures);
        String name = w.dir().getFileName().toString();
        conf.setMaster(s.sparkMaster());
        conf.setIfMissing("spark.app.name", "finetune4j " + name);
        conf.set("spark.task.cpus", Integer.toString(s.threadsPerTrial()));
        conf.set("spark.task.maxFailures", Integer.toString(s.maxFailures()));
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // A trial is minutes of work on one core: never run a second copy of a slow one.
        conf.setIfMissing("spark.speculation", "false");
        if (!s.local() && System.getProperty("SPARK_SUBMIT") == null && !conf.contains("spark.executor.extraClassPath")) {
            // Started by ./finetune4j, not spark-submit: the executors load finetune4j from the same path as here
            // (the same build on every worker, or a shared folder); see the README.
            conf.set("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        }
        int threads = s.parallelism() > 0 ? Math.min(s.parallelism(), w.trials().size()) : w.trials().size();
        PrintWriter out = w.out();
        out.println("finetune4j: spark " + s.master() + ": " + w.trials().size()
                + (w.trials().size() == 1 ? " trial" : " trials") + ", at most "
                + (s.parallelism() > 0 ? s.parallelism() : "(cluster cores)") + " at once, "
                + s.threadsPerTrial() + (s.threadsPerTrial() == 1 ? " thread" : " threads") + " each; logs in "
                + w.dir().resolve("logs"));
        out.flush();
        String trialJavaOpts = conf.get("spark.finetune4j.trialJavaOpts", "");

        JavaSparkContext sc = new JavaSparkContext(conf);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "finetune4j-trial-submitter");
            t.setDaemon(true);
            return t;
        });
        Map<String, Trial> byGroup = new ConcurrentHashMap<>();
        for (Trial t : w.trials()) byGroup.put(group(t), t);
        AttemptListener attempts = new AttemptListener(byGroup, w.planSize(), out);
        sc.sc().addSparkListener(attempts);
        // A cluster that never runs a task (no worker with spark.task.cpus free cores, no worker at all) would wait
        // forever: after startTimeout seconds without a task start while trials wait, the grid is given up.
        long startTimeout = conf.getLong("spark.finetune4j.startTimeout", 600);
        String[] abort = new String[1];
        Thread watchdog = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                long idle = (System.nanoTime() - attempts.lastStart) / 1_000_000_000L;
                if (attempts.running.get() == 0 && idle > startTimeout) {
                    abort[0] = "no executor started a task in " + startTimeout + " s (do the workers have "
                            + s.threadsPerTrial() + " free " + (s.threadsPerTrial() == 1 ? "core" : "cores")
                            + " each, spark.task.cpus? spark.finetune4j.startTimeout sets the wait)";
                    try {
                        sc.cancelAllJobs();
                    } catch (IllegalStateException stopped) {
                        // the application has stopped already: the trials see that themselves
                    }
                    return;
                }
            }
        }, "finetune4j-start-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Trial t : w.trials()) {
                futures.add(pool.submit(() -> {
                    runOne(sc, w, t, s, trialJavaOpts, abort);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException io) throw io;
                    if (c instanceof RuntimeException re) throw re;
                    throw new IllegalStateException(c);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sc.cancelAllJobs();
            throw new IOException("interrupted", e);
        } finally {
            watchdog.interrupt();
            pool.shutdownNow();
            sc.stop();
        }
    }

    static String group(Trial t) {
        return "finetune4j-trial-" + t.index();
    }

    /** One trial as one Spark job; its lines go to the sink when it ends. */
    private static void runOne(JavaSparkContext sc, Work w, Trial t, SparkSettings s, String trialJavaOpts,
                               String[] abort) throws IOException {
        String head = ExperimentRunner.head(t, w.planSize());
        sc.setJobGroup(group(t), "finetune4j " + head, true);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("file", w.loaded().file().toAbsolutePath().toString());
        spec.put("text", w.loaded().text());
        spec.put("dir", w.dir().toString());
        spec.put("index", t.index());
        spec.put("hash", t.hash());
        spec.put("done", new ArrayList<>(w.done()));
        spec.put("progress", (w.progress() == RunConfig.Progress.NONE ? RunConfig.Progress.NONE : RunConfig.Progress.LOG).name());   // into a log file, not a terminal
        spec.put("threads", s.threadsPerTrial());
        spec.put("trialJavaOpts", trialJavaOpts);
        long t0 = System.nanoTime();
        List<Map<String, Object>> lines = new ArrayList<>();
        String error = null;
        try {
            // Asynchronously, and watched: a job submitted while Spark stops its application (e.g. "all masters are
            // unresponsive") may never complete otherwise.
            JavaFutureAction<List<String>> job = sc.parallelize(List.of(JSON.writeValueAsString(spec)), 1)
                    .map(new TrialTask()).collectAsync();
            String result = null;
            while (result == null && error == null) {
                try {
                    result = job.get(1, TimeUnit.SECONDS).get(0);
                } catch (TimeoutException e) {
                    if (sc.sc().isStopped()) {
                        job.cancel(true);
                        error = "Spark gave up on the trial: " + (abort[0] != null ? abort[0]
                                : "the Spark application stopped (see the messages above)");
                    }
                } catch (ExecutionException e) {
                    // the task failed spark.task.maxFailures times, or the job was cancelled
                    error = "Spark gave up on the trial: " + (abort[0] != null ? abort[0]
                            : Main.oneLine(rootMessage(e.getCause() == null ? e : e.getCause())));
                }
            }
            if (result != null) {
                JsonNode r = JSON.readTree(result);
                for (JsonNode l : r.path("lines")) lines.add(JSON.convertValue(l, LINE));
                if ("failed".equals(r.path("status").asText())) error = r.path("error").asText("failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while trial " + t.index() + " ran", e);
        } catch (RuntimeException e) {
            error = "Spark gave up on the trial: " + (abort[0] != null ? abort[0]
                    : Main.oneLine(rootMessage(e)));
        }
        for (Map<String, Object> l : lines) w.sink().line(t, l);
        if (error != null) w.sink().line(t, Results.failedLine(t, error));
        w.sink().finished(t);
        double seconds = (System.nanoTime() - t0) / 1e9;
        StringBuilder msg = new StringBuilder("finetune4j: " + head + ": ");
        if (error != null) {
            msg.append("failed: ").append(error);
        } else {
            msg.append("done in ").append(String.format(Locale.ROOT, "%.0f s", seconds));
            for (Map<String, Object> l : lines) {
                if (l.get("test") instanceof Map<?, ?> m && m.get("accuracy") instanceof Number a) {
                    msg.append(l.containsKey("method") ? ", " + l.get("method") : "")
                            .append(String.format(Locale.ROOT, ", accuracy %.4f", a.doubleValue()));
                }
            }
        }
        w.out().println(msg);
        w.out().flush();
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> LINE =
            new com.fasterxml.jackson.core.type.TypeReference<>() {
            };

    private static String rootMessage(Throwable e) {
        String m = e.getMessage();
        // Spark's "Job aborted due to stage failure: Task 0 in stage 3.0 failed 3 times, most recent failure: ..."
        // names the attempts and the last cause; keep its first line.
        if (m != null) {
            int nl = m.indexOf('\n');
            return nl > 0 ? m.substring(0, nl) : m;
        }
        return e.getClass().getSimpleName();
    }

    /** Prints where each attempt of a trial runs, and why an attempt failed (Spark then retries it). */
    static final class AttemptListener extends SparkListener {
        private final Map<String, Trial> byGroup;
        private final int planSize;
        private final PrintWriter out;
        private final Map<Integer, Trial> byStage = new ConcurrentHashMap<>();
        /** When the last task started (or the listener was made), and how many of our tasks run now. */
        volatile long lastStart = System.nanoTime();
        final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();

        AttemptListener(Map<String, Trial> byGroup, int planSize, PrintWriter out) {
            this.byGroup = byGroup;
            this.planSize = planSize;
            this.out = out;
        }

        @Override
        public void onJobStart(SparkListenerJobStart e) {
            String g = e.properties() == null ? null : e.properties().getProperty("spark.jobGroup.id");
            Trial t = g == null ? null : byGroup.get(g);
            if (t == null) return;
            scala.collection.Iterator<Object> it = e.stageIds().iterator();
            while (it.hasNext()) byStage.put((Integer) it.next(), t);
        }

        @Override
        public void onTaskStart(SparkListenerTaskStart e) {
            Trial t = byStage.get(e.stageId());
            if (t == null) return;
            lastStart = System.nanoTime();
            running.incrementAndGet();
            out.println("finetune4j: " + ExperimentRunner.head(t, planSize) + ": attempt "
                    + (e.taskInfo().attemptNumber() + 1) + " on executor " + e.taskInfo().executorId() + " ("
                    + e.taskInfo().host() + ")");
            out.flush();
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
            Trial t = byStage.get(e.stageId());
            if (t == null) return;
            running.decrementAndGet();
            lastStart = System.nanoTime();                 // a retry or the next trial is about to start
            if (e.taskInfo().successful()) return;
            out.println("finetune4j: trial " + t.index() + " [" + t.hash() + "]: attempt "
                    + (e.taskInfo().attemptNumber() + 1) + " failed: "
                    + Main.oneLine(firstLine(e.reason().toString())));
            out.flush();
        }

        private static String firstLine(String s) {
            int nl = s.indexOf('\n');
            String l = nl > 0 ? s.substring(0, nl) : s;
            return l.length() > 300 ? l.substring(0, 300) + "..." : l;
        }
    }
}
