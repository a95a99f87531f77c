package org.mqttwarden.audit.command;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.mqttwarden.api.audit.AuditRecord;

@Service
@Command(scope = "warden", name = "audit-export", description = "Writes matching audit events, oldest first,"
        + " to a new CSV (RFC 4180) or JSON Lines file.")
public class AuditExportCommand extends FilterAction {

    @Option(name = "--format", required = true, description = "csv or jsonl")
    @Completion(value = org.apache.karaf.shell.support.completers.StringsCompleter.class, values = {"csv", "jsonl"})
    String format;

    @Option(name = "-n", aliases = "--limit", description = "At most this many events, the newest (default and"
            + " maximum 100000)")
    int limit = Filters.MAX_ROWS;

    @Option(name = "--force", description = "Replace the file if it exists")
    boolean force;

    @Argument(index = 0, name = "file", required = true, description = "The file to write")
    @Completion(FileCompleter.class)
    String file;

    @Override
    void run() throws Exception {
        ExportFormat f = Filters.choice(ExportFormat.class, format, "--format");
        Path path = session.currentDir().resolve(file).toAbsolutePath().normalize();
        List<AuditRecord> rows = new ArrayList<>(audit.search(filter(limit)));
        Collections.reverse(rows);
        long n = AuditExport.write(rows, f, path, force);
        println("Exported " + n + " events to " + path);
        if (n == limit) {
            println("The limit of " + limit + " events was reached: older matching events were not exported"
                    + " (narrow with --since/--until).");
        }
    }
}
