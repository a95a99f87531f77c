package org.mqttwarden.audit.command;

import java.util.List;

/**
 * CSV as RFC 4180 writes it: comma-separated, CRLF-terminated, a field quoted when it must be.
 *
 * <p>Usernames, client ids and topics come from MQTT clients, and a spreadsheet opening the export
 * would run a cell starting with {@code = + - @}, a tab or a CR as a formula (CSV injection). Such a
 * field gets a leading apostrophe, as OWASP recommends; the JSON Lines export keeps values unchanged.
 */
final class Csv {

    static final String EOL = "\r\n";

    private Csv() {
    }

    /** @return the record of {@code fields}, with its CRLF; {@code null} fields are empty */
    static String line(List<String> fields) {
        StringBuilder out = new StringBuilder(128);
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(field(fields.get(i)));
        }
        return out.append(EOL).toString();
    }

    /**
     * @return {@code value} defused if a spreadsheet would read it as a formula, then quoted, inner
     *     quotes doubled, when it holds a comma, quote, CR or LF
     */
    static String field(String value) {
        if (value == null) {
            return "";
        }
        if (!value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0) {
            value = "'" + value;
        }
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }
}
