package org.mqttwarden.crypto.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the test-vector files in src/test/resources: blocks of "name = value" lines, a blank line between. */
final class Vectors {

    private Vectors() {
    }

    /** One vector: its fields, values as written. */
    record Vector(Map<String, String> fields) {

        String text(String name) {
            String v = fields.get(name);
            if (v == null) {
                throw new IllegalArgumentException("vector " + fields.get("name") + " has no " + name);
            }
            return v;
        }

        byte[] hex(String name) {
            return HexFormat.of().parseHex(text(name));
        }

        @Override
        public String toString() {
            return fields.get("name");
        }
    }

    static List<Vector> load(String resource, String suite) {
        try (InputStream in = Vectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<Vector> out = new ArrayList<>();
            for (String block : text.split("\\R\\s*\\R")) {
                Map<String, String> fields = new LinkedHashMap<>();
                for (String line : block.split("\\R")) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    int eq = line.indexOf('=');
                    fields.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
                if (suite.equals(fields.get("suite"))) {
                    out.add(new Vector(fields));
                }
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("no " + suite + " vectors in " + resource);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
