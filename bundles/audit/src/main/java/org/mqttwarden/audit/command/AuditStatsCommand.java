package org.mqttwarden.audit.command;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;

@Service
@Command(scope = "warden", name = "audit-stats", description = "Counts audit events by type and outcome"
        + " (at most the newest 100000).")
public class AuditStatsCommand extends AuditAction {

    @Option(name = "--since", description = "From this time: ISO-8601 or a duration ago (15m, 2h, 1d); default 1d")
    String since = "1d";

    @Option(name = "--until", description = "Before this time, same forms as --since")
    String until;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    void run() throws Exception {
        Filters.Criteria c = new Filters.Criteria(null, null, null, null, null, since, until);
        List<AuditRecord> rows = audit.search(Filters.build(c, Filters.MAX_ROWS, clock.instant()));
        AuditStats stats = AuditStats.of(rows);
        ShellTable table = new ShellTable();
        table.column("Type");
        for (Outcome o : Outcome.values()) {
            table.column(o.name()).alignRight();
        }
        table.column("Total").alignRight();
        for (EventType t : EventType.values()) {
            if (stats.count(t) > 0) {
                Object[] row = new Object[Outcome.values().length + 2];
                row[0] = t.name();
                for (Outcome o : Outcome.values()) {
                    row[o.ordinal() + 1] = stats.count(t, o);
                }
                row[row.length - 1] = stats.count(t);
                table.addRow().addContent(row);
            }
        }
        Object[] totals = new Object[Outcome.values().length + 2];
        totals[0] = "(all)";
        for (Outcome o : Outcome.values()) {
            totals[o.ordinal() + 1] = stats.count(o);
        }
        totals[totals.length - 1] = stats.total();
        table.addRow().addContent(totals);
        table.print(console(), !noFormat);
        if (rows.size() >= Filters.MAX_ROWS) {
            println("Only the newest " + Filters.MAX_ROWS + " events were counted; narrow with --since/--until.");
        }
    }
}
