package org.mqttwarden.audit.command;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.audit.AuditRecord;

@Service
@Command(scope = "warden", name = "audit-search", description = "Searches the audit log; shows the newest"
        + " matching events, newest first.")
public class AuditSearchCommand extends FilterAction {

    @Option(name = "-n", aliases = "--limit", description = "At most this many events (default 100)")
    int limit = 100;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    void run() throws Exception {
        List<AuditRecord> rows = audit.search(filter(limit));
        ShellTable table = AuditText.table();
        rows.forEach(r -> AuditText.addRow(table, r));
        table.print(console(), !noFormat);
    }
}
