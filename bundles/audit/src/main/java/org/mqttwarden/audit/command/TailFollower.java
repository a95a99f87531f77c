package org.mqttwarden.audit.command;

import java.util.ArrayList;
import java.util.List;

import org.mqttwarden.api.audit.AuditQuery;
import org.mqttwarden.api.audit.AuditRecord;

/**
 * Finds the rows written since the last look, by id, asking for a larger tail until it reaches back
 * to the last row seen (or to {@link Filters#MAX_ROWS}; rows beyond are counted as skipped).
 */
final class TailFollower {

    static final int FIRST_ASK = 64;

    private final AuditQuery audit;
    private long lastId;
    private long skipped;

    /** @param lastId the id of the last row already shown, 0 for none */
    TailFollower(AuditQuery audit, long lastId) {
        this.audit = audit;
        this.lastId = lastId;
    }

    /** @return the rows written since the previous call, oldest first; empty when none */
    List<AuditRecord> poll() {
        int ask = FIRST_ASK;
        while (true) {
            List<AuditRecord> rows = audit.tail(ask);
            boolean reachesBack = rows.size() < ask || rows.get(0).id() <= lastId + 1;
            if (reachesBack || ask >= Filters.MAX_ROWS) {
                List<AuditRecord> fresh = new ArrayList<>();
                for (AuditRecord r : rows) {
                    if (r.id() > lastId) {
                        fresh.add(r);
                    }
                }
                if (!fresh.isEmpty()) {
                    skipped = Math.max(0, fresh.get(0).id() - lastId - 1);
                    lastId = fresh.get(fresh.size() - 1).id();
                } else {
                    skipped = 0;
                }
                return fresh;
            }
            ask = (int) Math.min((long) ask * 8, Filters.MAX_ROWS);
        }
    }

    /** @return how many rows the last {@link #poll()} could not return (more than it may read at once) */
    long skipped() {
        return skipped;
    }

    long lastId() {
        return lastId;
    }
}
