package org.mqttwarden.alerts.command;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.audit.AuditFilter;
import org.mqttwarden.api.audit.AuditQuery;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.alerts.Alert;
import org.mqttwarden.alerts.AlertService;

@Service
@Command(scope = "warden", name = "alert-list", description = "Lists security alerts, oldest first: from the audit"
        + " log when warden-audit is installed (every alert it keeps), else those raised since warden-alerts started.")
public class AlertListCommand implements Action {

    static final int MAX_LIMIT = 100_000;

    @Reference
    AlertService alerts;

    @Reference(optional = true)
    AuditQuery audit;

    @Reference
    Session session;

    @Option(name = "--since", description = "Only alerts since this long ago (30m, 1h, 2d) or this instant"
            + " (ISO-8601, e.g. 2026-11-02T08:00:00Z)")
    String since;

    @Option(name = "-n", description = "At most this many, the newest (default 50, at most 100000)")
    int limit = 50;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        Instant from = since == null ? null : parseSince(since, Instant.now());
        ShellTable table = new ShellTable();
        table.column("Time");
        table.column("Type");
        table.column("Severity");
        table.column("Subject");
        table.column("Detail");
        for (Alert a : list(audit, alerts, from, limit)) {
            table.addRow().addContent(a.time().toString(), a.type(), a.severity().label(),
                    Printable.escape(a.subject()), a.detail().entrySet().stream()
                            .map(e -> e.getKey() + "=" + Printable.escape(e.getValue()))
                            .collect(Collectors.joining(" ")));
        }
        table.print(session.getConsole(), !noFormat);
        if (audit == null) {
            session.getConsole().println("(alerts raised since warden-alerts started; install warden-audit for"
                    + " history)");
        }
        return null;
    }

    /**
     * @param audit the audit log, or {@code null} when warden-audit is not installed
     * @param memory the alerts raised since start, asked when there is no audit log
     * @return the newest {@code limit} alerts since {@code from} ({@code null}: all), oldest first
     * @throws CommandException when {@code limit} is out of range
     */
    static List<Alert> list(AuditQuery audit, AlertService memory, Instant from, int limit) throws CommandException {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new CommandException("-n must be 1 to " + MAX_LIMIT + ", not " + limit + ".");
        }
        if (audit == null) {
            return memory.recent(from, limit);
        }
        List<Alert> out = new ArrayList<>();
        for (AuditRecord r : audit.search(new AuditFilter(null, null, EventType.ALERT, null, null, from, null,
                limit))) {
            out.add(Alert.fromRecord(r));
        }
        Collections.reverse(out);
        return out;
    }

    /**
     * @param text a duration ({@code 90s}, {@code 30m}, {@code 1h}, {@code 2d}) back from {@code now}, or an
     *     ISO-8601 instant
     * @throws CommandException when it is neither
     */
    static Instant parseSince(String text, Instant now) throws CommandException {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.matches("\\d{1,9}[smhd]")) {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            Duration d = switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new CommandException("--since must be a duration like 30m, 1h or 2d, or an instant like"
                    + " 2026-11-02T08:00:00Z, not '" + text + "'.");
        }
    }
}
