package org.mqttwarden.audit.command;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.audit.AuditRecord;

/**
 * Rows as the console shows them. Usernames, client ids and topics come from MQTT clients, so every
 * value is made safe for a terminal: control characters (escape sequences, new lines) are shown
 * escaped, never sent as such.
 */
final class AuditText {

    static final String[] COLUMNS = {"Id", "Time", "Type", "Outcome", "Reason", "User", "Client", "Address", "Topic",
        "Access", "Actor"};

    private AuditText() {
    }

    static ShellTable table() {
        ShellTable table = new ShellTable();
        for (String c : COLUMNS) {
            table.column(c);
        }
        return table;
    }

    static void addRow(ShellTable table, AuditRecord r) {
        table.addRow().addContent(cells(r).toArray());
    }

    /** @return the values of {@link #COLUMNS} for {@code r}, terminal-safe, "" for none */
    static List<String> cells(AuditRecord r) {
        List<String> out = new ArrayList<>(COLUMNS.length);
        out.add(Long.toString(r.id()));
        out.add(r.time().toString());
        out.add(r.type().name());
        out.add(r.outcome().name());
        out.add(safe(r.reason()));
        out.add(safe(r.username()));
        out.add(safe(r.clientId()));
        out.add(safe(r.address()));
        out.add(safe(r.topic()));
        out.add(r.access() == null ? "" : r.access().name());
        out.add(safe(r.actor()));
        return out;
    }

    /** @return one line for {@code r}, as {@code audit-tail -f} prints it */
    static String line(AuditRecord r) {
        StringBuilder out = new StringBuilder(160);
        out.append(r.time()).append(" #").append(r.id()).append(' ').append(r.type()).append(' ')
                .append(r.outcome()).append(' ').append(safe(r.reason()));
        part(out, "user", r.username());
        if (!r.roles().isEmpty()) {
            part(out, "roles", String.join(",", new TreeSet<>(r.roles())));
        }
        part(out, "client", r.clientId());
        part(out, "address", r.address());
        part(out, "topic", r.topic());
        part(out, "access", r.access() == null ? null : r.access().name());
        part(out, "actor", r.actor());
        return out.toString();
    }

    private static void part(StringBuilder out, String name, String value) {
        if (value != null) {
            out.append(' ').append(name).append('=').append(safe(value));
        }
    }

    /** @return {@code s} with C0/C1 control characters and DEL escaped; "" for {@code null} */
    static String safe(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
            if (control && out == null) {
                out = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (out != null) {
                if (!control) {
                    out.append(c);
                } else if (c == '\n') {
                    out.append("\\n");
                } else if (c == '\r') {
                    out.append("\\r");
                } else if (c == '\t') {
                    out.append("\\t");
                } else {
                    out.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return out == null ? s : out.toString();
    }
}
