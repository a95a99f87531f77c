package org.mqttwarden.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Just enough JSON for the audit columns: an array of strings and an object of string values,
 * written canonically (sorted, no whitespace) so the stored text is what the hash covers.
 */
final class Json {

    private Json() {
    }

    static String array(Collection<String> values) {
        if (values.isEmpty()) {
            return "[]";
        }
        String[] sorted = values.toArray(new String[0]);
        Arrays.sort(sorted);
        StringBuilder out = new StringBuilder(16 * sorted.length);
        out.append('[');
        for (String v : sorted) {
            if (out.length() > 1) {
                out.append(',');
            }
            string(out, v);
        }
        return out.append(']').toString();
    }

    static String object(Map<String, String> values) {
        if (values.isEmpty()) {
            return "{}";
        }
        // a TreeMap in natural order (what AuditRow.safeDetail gives) is already sorted
        Map<String, String> sorted = values instanceof TreeMap<String, String> tree && tree.comparator() == null
                ? values : new TreeMap<>(values);
        StringBuilder out = new StringBuilder(32 * sorted.size());
        out.append('{');
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            string(out, e.getKey());
            out.append(':');
            string(out, e.getValue());
        }
        return out.append('}').toString();
    }

    static List<String> parseArray(String text) {
        Parser p = new Parser(text);
        List<String> values = new ArrayList<>();
        p.expect('[');
        if (!p.take(']')) {
            do {
                values.add(p.string());
            } while (p.take(','));
            p.expect(']');
        }
        p.end();
        return values;
    }

    static Map<String, String> parseObject(String text) {
        Parser p = new Parser(text);
        Map<String, String> values = new LinkedHashMap<>();
        p.expect('{');
        if (!p.take('}')) {
            do {
                String key = p.string();
                p.expect(':');
                values.put(key, p.string());
            } while (p.take(','));
            p.expect('}');
        }
        p.end();
        return values;
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        int plain = 0;
        while (plain < s.length() && s.charAt(plain) >= 0x20 && s.charAt(plain) != '"' && s.charAt(plain) != '\\') {
            plain++;
        }
        out.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        boolean take(char c) {
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!take(c)) {
                throw new IllegalArgumentException("Expected '" + c + "' at " + pos + " in stored JSON");
            }
        }

        void end() {
            skipSpace();
            if (pos != text.length()) {
                throw new IllegalArgumentException("Unexpected text at " + pos + " in stored JSON");
            }
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (pos >= text.length()) {
                    break;
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw new IllegalArgumentException("Truncated \\u escape in stored JSON");
                        }
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(e);
                }
            }
            throw new IllegalArgumentException("Unterminated string in stored JSON");
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }
    }
}
