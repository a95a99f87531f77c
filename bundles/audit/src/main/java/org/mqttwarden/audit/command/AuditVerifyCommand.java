package org.mqttwarden.audit.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.audit.AuditQuery.VerifyResult;

@Service
@Command(scope = "warden", name = "audit-verify", description = "Checks the audit log's hash chain from the"
        + " first row; fails when a row was altered, inserted or deleted.")
public class AuditVerifyCommand extends AuditAction {

    @Override
    void run() throws Exception {
        VerifyResult result = audit.verify();
        println(VerifyText.describe(result));
        if (!result.ok()) {
            throw new CommandException("The audit chain is broken at row " + result.firstBadId() + ".");
        }
    }
}
