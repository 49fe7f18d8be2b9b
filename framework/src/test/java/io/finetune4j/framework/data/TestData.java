package io.finetune4j.framework.data;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Finds the shared real datasets: walks up from {@code user.dir} to a directory holding {@code shared/data}. */
final class TestData {
    private TestData() {
    }

    /** The {@code shared/data} directory, or {@code null} when there is none above the working directory. */
    static Path dir() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("shared").resolve("data");
            if (Files.isDirectory(d)) {
                return d;
            }
        }
        return null;
    }

    /** A file of {@code shared/data}; the test is skipped (not failed) when the data is not on this machine. */
    static Path file(String name) {
        Path d = dir();
        assumeTrue(d != null && Files.exists(d.resolve(name)), "shared/data/" + name + " not found above "
                + System.getProperty("user.dir"));
        return d.resolve(name);
    }
}
