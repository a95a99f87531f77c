package org.mqttwarden.lockout;

import java.util.List;

import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.store.WardenDatabase;

/** The lockout rows of known accounts in the Warden database, through Jdbi. Failures surface unchecked. */
final class LockoutStore {

    /** One account's persisted state (see {@link LockoutTables}). */
    record Row(String username, int failures, long windowStart, long lastFailure, int lockCount, long lockedSince,
            long lockedUntil, String hourFailures) {
    }

    private final Jdbi jdbi;

    /** Applies the lockout migrations to {@code database}. */
    LockoutStore(WardenDatabase database) {
        database.migrate(LockoutTables.OWNER, LockoutTables.MIGRATIONS);
        this.jdbi = Jdbi.create(database.dataSource());
    }

    List<Row> loadAll() {
        return jdbi.withHandle(h -> h.createQuery(LockoutTables.SELECT_ALL)
                .map((rs, ctx) -> new Row(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getInt(5),
                        rs.getLong(6), rs.getLong(7), rs.getString(8)))
                .list());
    }

    void save(Row row, long now) {
        jdbi.useHandle(h -> h.createUpdate(LockoutTables.UPSERT).bind("username", row.username())
                .bind("failures", row.failures()).bind("windowStart", row.windowStart())
                .bind("lastFailure", row.lastFailure()).bind("lockCount", row.lockCount())
                .bind("lockedSince", row.lockedSince()).bind("lockedUntil", row.lockedUntil())
                .bind("hourFailures", row.hourFailures()).bind("updatedAt", now).execute());
    }

    void delete(String username) {
        jdbi.useHandle(h -> h.createUpdate(LockoutTables.DELETE).bind("username", username).execute());
    }
}
