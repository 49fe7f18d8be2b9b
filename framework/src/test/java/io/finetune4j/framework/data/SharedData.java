package io.finetune4j.framework.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The full datasets of the team's workspace ({@code shared/data} beside the checkout), for the opt-in checks tagged
 * {@value #TAG} ({@code mvn verify -Pshared-data}). The default suite never reads them.
 */
public final class SharedData {
    /** The JUnit tag of tests that read {@code shared/data}. */
    public static final String TAG = "shared-data";

    private SharedData() {
    }

    /**
     * A file of {@code shared/data}, found from the working directory upwards.
     *
     * @throws IllegalStateException there is none (the profile was asked for, so a missing file is a failure)
     */
    public static Path file(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolve("shared").resolve("data").resolve(name);
            if (Files.isRegularFile(f)) return f;
        }
        throw new IllegalStateException("shared/data/" + name + " not found above " + Path.of("").toAbsolutePath()
                + " (the shared-data profile needs the team's workspace beside the checkout)");
    }
}
