package org.mqttwarden.audit.command;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.audit.AuditRecord;

@Service
@Command(scope = "warden", name = "audit-search", description = "Searches the audit log; shows the newest"
        + " matching events (-n, default 100), oldest first like audit-tail.")
public class AuditSearchCommand extends FilterAction {

    @Option(name = "-n", aliases = "--limit", description = "At most this many events (default 100)")
    int limit = 100;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    void run() throws Exception {
        // the newest matches, printed in the order they happened, as every time-ordered listing here
        List<AuditRecord> rows = new java.util.ArrayList<>(audit.search(filter(limit)));
        java.util.Collections.reverse(rows);
        ShellTable table = AuditText.table();
        rows.forEach(r -> AuditText.addRow(table, r));
        table.print(console(), !noFormat);
    }
}
