package org.mqttwarden.broker.lint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * The findings as one JSON document, for CI tools:
 * {@code {"file":…,"findings":[{"severity":"CRITICAL","rule":…,"file":…,"line":…,"message":…,"why":…,"fix":…}],
 * "counts":{"CRITICAL":n,"WARNING":n,"INFO":n}}}. Written with jackson-core's streaming generator, the project's
 * one JSON library.
 */
final class JsonReport {

    private static final JsonFactory JSON = new JsonFactory();

    private JsonReport() {
    }

    static void write(MosquittoConfig config, List<Finding> findings, Writer out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("file", config.main().toString());
            g.writeArrayFieldStart("files");
            for (var f : config.files()) {
                g.writeString(f.toString());
            }
            g.writeEndArray();
            g.writeArrayFieldStart("findings");
            for (Finding f : findings) {
                g.writeStartObject();
                g.writeStringField("severity", f.severity().name());
                g.writeStringField("rule", f.rule());
                g.writeStringField("file", f.file().toString());
                g.writeNumberField("line", f.line());
                g.writeStringField("message", f.message());
                g.writeStringField("why", f.why());
                g.writeStringField("fix", f.fix());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("counts");
            for (Severity s : Severity.values()) {
                g.writeNumberField(s.name(), findings.stream().filter(f -> f.severity() == s).count());
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        out.write(System.lineSeparator());
        out.flush();
    }

    /** The error document for exit code 2: {@code {"file":…,"error":…}}. */
    static void writeError(String file, String message, Writer out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("file", file);
            g.writeStringField("error", message);
            g.writeEndObject();
        }
        out.write(System.lineSeparator());
        out.flush();
    }
}
