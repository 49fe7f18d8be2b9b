package io.finetune4j.spark;

import io.finetune4j.framework.experiment.ExperimentException;
import io.finetune4j.framework.experiment.ExperimentFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How --spark, --parallelism, --threads-per-trial and the file's spark: section combine (no Spark started). */
class SparkSettingsTest {

    static SparkSettings resolve(String master, Integer p, Integer t, ExperimentFile.Spark file) {
        return SparkSettings.resolve(master, p, t, file, 3);
    }

    @Test
    void localMastersShareTheirCoresOutAndRetry() {
        SparkSettings s = resolve("local[2]", null, null, null);
        assertEquals(2, s.localCores());
        assertEquals(2, s.parallelism());
        assertEquals(1, s.threadsPerTrial());
        assertEquals("local[2,3]", s.sparkMaster());         // plain local mode would try each task once

        s = resolve("local[4]", 2, null, null);
        assertEquals(2, s.parallelism());
        assertEquals(2, s.threadsPerTrial());

        s = resolve("local[4]", null, 4, null);
        assertEquals(1, s.parallelism());
        assertEquals(4, s.threadsPerTrial());

        s = resolve("local[2, 5]", null, null, null);
        assertEquals("local[2,5]", s.sparkMaster());
        assertEquals(5, s.maxFailures());

        s = resolve("local", null, null, null);
        assertEquals("local[1,3]", s.sparkMaster());
        assertEquals(1, s.parallelism());

        s = resolve("local[*]", null, null, null);
        assertEquals(Runtime.getRuntime().availableProcessors(), s.localCores());
    }

    @Test
    void theCommandLineWinsOverTheFile() {
        ExperimentFile.Spark file = new ExperimentFile.Spark(1, 2);
        SparkSettings s = resolve("local[4]", null, null, file);
        assertEquals(1, s.parallelism());
        assertEquals(2, s.threadsPerTrial());
        s = resolve("local[4]", 4, 1, file);
        assertEquals(4, s.parallelism());
        assertEquals(1, s.threadsPerTrial());
    }

    @Test
    void clusterMastersDefaultToOneThreadAndNoCap() {
        SparkSettings s = resolve("spark://127.0.0.1:7077", null, null, null);
        assertEquals("spark://127.0.0.1:7077", s.sparkMaster());
        assertEquals(0, s.parallelism());
        assertEquals(1, s.threadsPerTrial());
        assertEquals(3, s.maxFailures());
        assertEquals("yarn", resolve(" yarn ", 8, 2, null).sparkMaster());
    }

    @Test
    void impossibleSettingsAreOneLineErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resolve("local[2]", null, 3, null));
        assertEquals("--spark local[2]: 3 threads per trial exceed its 2 cores", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> resolve("local[2]", null, null, new ExperimentFile.Spark(null, 4)));
        assertTrue(e.getMessage().contains("spark.threads_per_trial in the file"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> resolve("local[two]", null, null, null));
        assertThrows(IllegalArgumentException.class, () -> resolve(" ", null, null, null));
    }

    static final String BASE = """
            name: s
            dataset: {path: data.jsonl}
            model: {backbone: all-MiniLM-L6-v2}
            """;

    @Test
    void theFilesSparkSectionIsCheckedWithItsLine() {
        ExperimentFile.Loaded l = ExperimentFile.parse(Path.of("s.yaml"),
                BASE + "spark: {parallelism: 3, threads_per_trial: 1}\n");
        assertEquals(new ExperimentFile.Spark(3, 1), l.experiment().spark());

        ExperimentException e = assertThrows(ExperimentException.class, () -> ExperimentFile.parse(Path.of("s.yaml"),
                BASE + "spark:\n  parallelism: 0\n"));
        assertTrue(e.getMessage().startsWith("s.yaml:5:3: spark.parallelism must be >= 1"), e.getMessage());
        e = assertThrows(ExperimentException.class, () -> ExperimentFile.parse(Path.of("s.yaml"),
                BASE + "spark:\n  threads: 2\n"));
        assertTrue(e.getMessage().startsWith("s.yaml:5:3: unknown key 'threads' in spark"), e.getMessage());
    }
}
