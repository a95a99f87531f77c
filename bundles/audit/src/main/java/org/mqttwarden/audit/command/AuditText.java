package org.mqttwarden.audit.command;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.text.Printable;

/**
 * Rows as the console shows them. Usernames, client ids and topics come from MQTT clients, so every
 * value goes through {@link Printable#escape}: control characters (escape sequences, new lines) and
 * bidirectional controls are shown escaped, never sent as such.
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

    /**
     * @return {@code s} safe for a terminal ({@link Printable#escape}: control characters, escape sequences,
     *     bidirectional controls and lone surrogates written as {@code \}{@code uXXXX}); "" for {@code null}
     */
    static String safe(String s) {
        return s == null ? "" : Printable.escape(s);
    }
}
