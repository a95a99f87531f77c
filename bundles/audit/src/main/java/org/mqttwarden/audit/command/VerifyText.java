package org.mqttwarden.audit.command;

import org.mqttwarden.api.audit.AuditQuery.VerifyResult;

/** What {@code audit-verify} prints. */
final class VerifyText {

    private VerifyText() {
    }

    static String describe(VerifyResult r) {
        if (r.ok()) {
            return "OK: " + r.rowsChecked() + " rows checked, the chain is intact.";
        }
        return "BROKEN at row " + r.firstBadId() + " (" + r.rowsChecked() + " rows checked): " + r.problem();
    }
}
