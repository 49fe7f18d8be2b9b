package io.finetune4j.framework.eval;

import io.finetune4j.framework.io.Files2;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes and reads {@link PredictionRecord}s as JSON Lines (UTF-8, one object a line). */
public final class PredictionsWriter {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private PredictionsWriter() {}

    /**
     * Writes the records to {@code file} atomically: into a temporary file in the same folder,
     * then moved over {@code file}, so a reader never sees a half-written file.
     */
    public static void writeJsonl(Path file, List<PredictionRecord> records) throws IOException {
        ObjectWriter w = MAPPER.writerFor(PredictionRecord.class);
        Files2.writeAtomically(file, out -> {
            for (PredictionRecord r : records) {
                out.write(w.writeValueAsBytes(r));
                out.write('\n');
            }
        });
    }

    /** Reads a file written by {@link #writeJsonl}. */
    public static List<PredictionRecord> readJsonl(Path file) throws IOException {
        List<PredictionRecord> out = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<PredictionRecord> it = MAPPER.readerFor(PredictionRecord.class).readValues(in)) {
            while (it.hasNext()) {
                out.add(it.next());
            }
        }
        return out;
    }
}
