package org.mqttwarden.audit.command;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.audit.AuditQuery.VerifyResult;
import org.mqttwarden.audit.AnchoredVerify;

@Service
@Command(scope = "warden", name = "audit-verify", description = "Checks the audit log's keyed hash chain from"
        + " the first row kept; fails when a row was altered, inserted or deleted, and, given anchors, when the"
        + " newest rows were cut off or rewritten.")
public class AuditVerifyCommand extends AuditAction {

    @Option(name = "--anchor", description = "A head the log recorded, <row id>:<hash> (from the 'Audit chain"
            + " anchor: row <id> hash <hash>' lines); repeatable", multiValued = true)
    List<String> anchors = new ArrayList<>();

    @Option(name = "--anchors-from", description = "A log file to read anchor lines from, e.g."
            + " data/log/karaf.log; repeatable", multiValued = true)
    List<String> logs = new ArrayList<>();

    @Override
    void run() throws Exception {
        List<Path> files = logs.stream().map(Paths::get).toList();
        VerifyResult result;
        try {
            result = AnchoredVerify.verify(audit, anchors, files);
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage());
        } catch (IOException e) {
            throw new CommandException("Cannot read the log file: " + e.getMessage());
        }
        println(VerifyText.describe(result));
        if (!files.isEmpty()) {
            println("Anchors read from the log files: " + AnchoredVerify.count(files) + ".");
        }
        if (!result.ok()) {
            throw new CommandException("The audit chain is broken at row " + result.firstBadId() + ".");
        }
    }
}
