package org.mqttwarden.audit.command;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * JSON values of the export, written with jackson-core (the gateway's JSON library). Beyond RFC 8259's
 * escapes, DEL and U+2028/U+2029 are escaped too: valid JSON, but they end lines in JavaScript and in some
 * line-oriented readers of a JSON Lines file.
 */
final class JsonText {

    private static final JsonFactory JSON = new JsonFactory().setCharacterEscapes(new LineSafe());

    private JsonText() {
    }

    /** @return {@code s} as a JSON string literal, or {@code null} */
    static String string(String s) {
        return write(g -> {
            if (s == null) {
                g.writeNull();
            } else {
                g.writeString(s);
            }
        });
    }

    /** @return the values as a JSON array of strings, sorted */
    static String array(Collection<String> values) {
        return write(g -> {
            g.writeStartArray();
            for (String v : new TreeSet<>(values)) {
                g.writeString(v);
            }
            g.writeEndArray();
        });
    }

    /** @return the entries as a JSON object of strings, keys sorted */
    static String object(Map<String, String> values) {
        return write(g -> {
            g.writeStartObject();
            for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        });
    }

    private interface Writing {
        void to(JsonGenerator g) throws IOException;
    }

    private static String write(Writing w) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            w.to(g);
        } catch (IOException e) {
            throw new UncheckedIOException("Writing JSON to a string failed", e);
        }
        return out.toString();
    }

    /** RFC 8259's escapes, plus DEL, U+2028 and U+2029 as {@code \}{@code uXXXX}. */
    private static final class LineSafe extends CharacterEscapes {

        private static final long serialVersionUID = 1L;
        private static final int[] ASCII = standardAsciiEscapesForJSON();

        static {
            ASCII[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0x2028 ? new SerializedString("\\u2028") : ch == 0x2029 ? new SerializedString("\\u2029")
                    : null;
        }
    }
}
