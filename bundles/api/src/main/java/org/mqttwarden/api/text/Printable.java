package org.mqttwarden.api.text;

/**
 * Makes a value chosen by a client (username, client id, topic, address) safe to print in a terminal or a
 * log line: control characters (C0, DEL, C1, among them ESC, so no ANSI escape sequence survives), the
 * bidirectional controls U+200E, U+200F, U+202A–U+202E and U+2066–U+2069 (which reorder what a reader sees,
 * "Trojan Source"), the line and paragraph separators U+2028, U+2029, and lone surrogates are written as
 * {@code \}{@code uXXXX}, a backslash as two. Everything else, including any other non-ASCII letter, is kept,
 * so the result is unambiguous and a value without such characters prints unchanged.
 */
public final class Printable {

    private Printable() {
    }

    /** @return {@code value} safe to print; {@code null} stays {@code null} */
    public static String escape(String value) {
        if (value == null) {
            return null;
        }
        int n = value.length();
        int i = 0;
        while (i < n && !needsEscape(value, i)) {
            i++;
        }
        if (i == n) {
            return value;
        }
        StringBuilder out = new StringBuilder(n + 16).append(value, 0, i);
        for (; i < n; i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (needsEscape(value, i)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(String s, int i) {
        char c = s.charAt(i);
        if (c == '\\' || c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
            return true;
        }
        if (c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x2028 || c == 0x2029) {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
