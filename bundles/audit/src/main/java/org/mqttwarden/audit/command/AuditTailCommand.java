package org.mqttwarden.audit.command;

import java.io.PrintStream;
import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.audit.AuditRecord;

@Service
@Command(scope = "warden", name = "audit-tail", description = "Shows the last audit events, oldest first;"
        + " with -f, keeps printing new ones (one per line) until Ctrl-C.")
public class AuditTailCommand extends AuditAction {

    static final long POLL_MS = 500;

    @Option(name = "-n", aliases = "--lines", description = "How many events (default 20)")
    int lines = 20;

    @Option(name = "-f", aliases = "--follow", description = "Keep printing new events until interrupted")
    boolean follow;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    void run() throws Exception {
        List<AuditRecord> rows = audit.tail(Filters.limit(lines, "-n"));
        PrintStream out = console();
        if (!follow) {
            ShellTable table = AuditText.table();
            rows.forEach(r -> AuditText.addRow(table, r));
            table.print(out, !noFormat);
            return;
        }
        rows.forEach(r -> out.println(AuditText.line(r)));
        out.flush();
        TailFollower follower = new TailFollower(audit, rows.isEmpty() ? 0 : rows.get(rows.size() - 1).id());
        // Ctrl-C interrupts this thread; a closed session shows as an error on its console stream.
        while (!Thread.interrupted() && !out.checkError()) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
            List<AuditRecord> fresh = follower.poll();
            if (follower.skipped() > 0) {
                out.println("... " + follower.skipped() + " events not shown ...");
            }
            fresh.forEach(r -> out.println(AuditText.line(r)));
        }
    }
}
