package io.finetune4j.framework.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The compact real-data fixtures of the default test suite: subsets of the full datasets, committed as test
 * resources under {@code fixtures/} (made by {@code fixtures/make_fixtures.py}, which says how each was taken). The
 * tests module gets them through this module's test jar.
 *
 * <ul>
 *   <li>{@code imdb_train.jsonl}: 400 IMDB reviews (200 neg, 200 pos); {@code imdb_test.jsonl}: 200 (100, 100)</li>
 *   <li>{@code fine_foods.jsonl}: 500 food reviews, split field train 400 / test 100, great 324 / other 176</li>
 *   <li>{@code reuters.jsonl}: 295 Reuters documents, multi-label (grain 160, corn 69, 134 with no label)</li>
 *   <li>{@code wordnet.jsonl.gz}: 3,993 glosses of 40 supersenses (every 24th)</li>
 *   <li>{@code uci.jsonl}: 300 sentences, 100 each from amazon, imdb and yelp</li>
 * </ul>
 * The Rotten Tomatoes sentences need no fixture: the product ships them as the dataset {@code mr}.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /**
     * A fixture as a file. Inside a jar (the tests module reads this module's test jar) it is copied once into
     * {@code target/fixtures/} of the running module.
     *
     * @throws IllegalStateException the fixture is not on the class path (a test that needs it then fails)
     */
    public static Path file(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name);
        if (url == null) throw new IllegalStateException("test fixture fixtures/" + name + " is not on the class path");
        try {
            if (url.getProtocol().equals("file")) return Path.of(url.toURI());
            Path out = Path.of("target", "fixtures", name).toAbsolutePath();
            if (!Files.isRegularFile(out)) {
                Files.createDirectories(out.getParent());
                Path tmp = Files.createTempFile(out.getParent(), name, ".tmp");
                try (InputStream in = url.openStream()) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The built-in Rotten Tomatoes sentences ({@code mr}, 4,000 rows), unpacked into the test's dataset cache. */
    public static Path mr() {
        return DatasetCatalogue.materialize(DatasetCatalogue.find("mr").orElseThrow(), line -> { });
    }
}
