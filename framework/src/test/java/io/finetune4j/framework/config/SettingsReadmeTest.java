package io.finetune4j.framework.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README documents every setting once: its table between the {@code settings} markers is exactly what the
 * settings' annotations make ({@code finetune4j settings --markdown} prints it).
 */
class SettingsReadmeTest {
    static final String BEGIN = "<!-- settings:begin (finetune4j settings --markdown) -->\n";
    static final String END = "<!-- settings:end -->";

    @Test
    void readmeHoldsTheSettingsTable() throws IOException {
        String readme;
        try (InputStream in = SettingsReadmeTest.class.getResourceAsStream("/README.md")) {
            assertNotNull(in, "README.md is not on the test class path (framework/pom.xml)");
            readme = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int b = readme.indexOf(BEGIN), e = readme.indexOf(END);
        assertTrue(b >= 0 && e > b, "README.md has no settings table between the markers");
        assertEquals(SettingsDoc.markdown(), readme.substring(b + BEGIN.length(), e),
                "README's settings table is not the one 'finetune4j settings --markdown' prints: paste that in");
    }

    @Test
    void everySettingHasHelpAndUniqueOptionNames() {
        java.util.Set<String> options = new java.util.HashSet<>();
        for (SettingsDoc.Row r : SettingsDoc.rows()) {
            assertTrue(r.field().setting().help().endsWith("."), r.path() + ": help should be a sentence");
            for (String o : r.field().cliNames()) assertTrue(options.add(o), o + " names two settings");
        }
    }
}
