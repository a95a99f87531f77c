package org.mqttwarden.audit.command;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** JSON values written by hand for the export: strings escaped per RFC 8259, nothing else needed. */
final class JsonText {

    private JsonText() {
    }

    /** @return {@code s} as a JSON string literal, or {@code null} */
    static String string(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // U+2028/2029 are valid JSON but end lines in JavaScript and some line readers.
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** @return the values as a JSON array of strings, sorted */
    static String array(Collection<String> values) {
        StringBuilder out = new StringBuilder("[");
        for (String v : new TreeSet<>(values)) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(string(v));
        }
        return out.append(']').toString();
    }

    /** @return the entries as a JSON object of strings, keys sorted */
    static String object(Map<String, String> values) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(string(e.getKey())).append(':').append(string(e.getValue()));
        }
        return out.append('}').toString();
    }
}
