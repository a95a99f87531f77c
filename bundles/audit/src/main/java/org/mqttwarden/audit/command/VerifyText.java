package org.mqttwarden.audit.command;

import org.mqttwarden.api.audit.AuditQuery.VerifyResult;

/** What {@code audit-verify} prints. */
final class VerifyText {

    private VerifyText() {
    }

    static String describe(VerifyResult r) {
        if (r.ok()) {
            String from = r.firstId() > 1 ? " from row " + r.firstId() + " (older rows were deleted by retention)"
                    : "";
            return "OK: " + r.rowsChecked() + " rows checked" + from + ", the chain is intact.";
        }
        return "BROKEN at row " + r.firstBadId() + " (" + r.rowsChecked() + " rows checked): " + r.problem();
    }
}
