package io.finetune4j.cli;

import org.junit.jupiter.api.Test;

import static io.finetune4j.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run --spark} where the finetune4j-spark module is not on the class path (the framework does not have it). */
class RunSparkOptionTest {

    @Test
    void sparkWithoutTheModuleIsOneLineNamingIt() {
        MainTest.Result r = run("run", "never-read.yaml", "--spark", "local[2]");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("finetune4j: error: --spark needs the finetune4j-spark module"), r.err());
    }

    @Test
    void sparkOptionsWithoutSparkAreOneLine() {
        MainTest.Result r = run("run", "never-read.yaml", "--parallelism", "2");
        assertEquals(2, r.code(), r.err());
        assertEquals("finetune4j: error: --parallelism and --threads-per-trial are for --spark MASTER", r.err().strip());
        r = run("run", "never-read.yaml", "--spark", "local[2]", "--threads-per-trial", "0");
        assertEquals(2, r.code(), r.err());
        assertEquals("finetune4j: error: --threads-per-trial must be >= 1", r.err().strip());
    }
}
