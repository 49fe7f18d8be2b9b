package io.finetune4j.spark;

import io.finetune4j.framework.experiment.ExperimentFile;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a grid runs on Spark: the master, how many trials at once ({@code parallelism}) and how many native threads
 * each trial gets ({@code threadsPerTrial}, which is also {@code spark.task.cpus}). The command line wins over the
 * file's {@code spark:} section, which wins over the defaults: for {@code local[N]}, N cores shared out (one thread
 * per trial, N trials at once, unless one of the two is given); on a cluster one thread per trial and as many trials
 * at once as the executors' cores allow.
 *
 * @param master          the Spark master as given ({@code local[2]}, {@code spark://host:7077}, {@code yarn}, ...)
 * @param sparkMaster     what Spark gets: {@code local[N]} becomes {@code local[N,F]} so that local mode retries a
 *                        failed task too (plain local mode tries each task once)
 * @param localCores      N of {@code local[N]}, or 0 for a cluster
 * @param parallelism     at most this many trials at once (0: no cap of ours, the cluster's cores decide)
 * @param threadsPerTrial native threads of each trial
 * @param maxFailures     attempts of a trial's task before Spark gives up on it ({@code spark.task.maxFailures})
 */
public record SparkSettings(String master, String sparkMaster, int localCores, int parallelism, int threadsPerTrial,
                            int maxFailures) {

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[\\s*([0-9]+|\\*)\\s*(?:,\\s*([0-9]+)\\s*)?])?");

    /** Whether the master is a local one ({@code local}, {@code local[N]}, {@code local[N,F]}, {@code local[*]}). */
    public boolean local() {
        return localCores > 0;
    }

    /**
     * Resolves the settings.
     *
     * @param master      the {@code --spark} value
     * @param cliP        {@code --parallelism} or null
     * @param cliT        {@code --threads-per-trial} or null
     * @param file        the file's {@code spark:} section or null
     * @param maxFailures {@code spark.task.maxFailures} in effect (the conf's, else our default)
     * @throws IllegalArgumentException a master that is empty, or threads that exceed local[N]'s cores
     */
    public static SparkSettings resolve(String master, Integer cliP, Integer cliT, ExperimentFile.Spark file,
                                        int maxFailures) {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("--spark needs a master: local[N], spark://HOST:PORT, yarn, ...");
        }
        master = master.strip();
        Integer p = cliP != null ? cliP : file != null ? file.parallelism() : null;
        Integer t = cliT != null ? cliT : file != null ? file.threadsPerTrial() : null;
        Matcher m = LOCAL.matcher(master);
        if (m.matches()) {
            int cores = m.group(1) == null ? 1 : m.group(1).equals("*")
                    ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
            if (cores < 1) throw new IllegalArgumentException("--spark " + master + ": needs at least one core");
            int failures = m.group(2) != null ? Integer.parseInt(m.group(2)) : maxFailures;
            int threads = t != null ? t : p != null ? Math.max(1, cores / p) : 1;
            if (threads > cores) {
                throw new IllegalArgumentException("--spark " + master + ": " + threads + " threads per trial exceed "
                        + "its " + cores + (cores == 1 ? " core" : " cores")
                        + (cliT == null ? " (spark.threads_per_trial in the file)" : ""));
            }
            int parallelism = p != null ? p : Math.max(1, cores / threads);
            return new SparkSettings(master, "local[" + cores + "," + failures + "]", cores, parallelism, threads,
                    failures);
        }
        if (master.startsWith("local")) {
            throw new IllegalArgumentException("--spark " + master + ": expected local, local[N], local[*] or "
                    + "local[N,F]");
        }
        return new SparkSettings(master, master, 0, p != null ? p : 0, t != null ? t : 1, maxFailures);
    }
}
