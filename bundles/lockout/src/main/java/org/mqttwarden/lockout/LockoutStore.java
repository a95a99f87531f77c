package org.mqttwarden.lockout;

import java.util.List;

import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.store.WardenDatabase;

/** The lockout rows of known accounts in the Warden database, through Jdbi. Failures surface unchecked. */
final class LockoutStore {

    /** One account's persisted state (see {@link LockoutTables}). */
    record Row(String username, int failures, long windowStart, long lastFailure, int lockCount, long lockedSince,
            long lockedUntil, String hourFailures, long allLockedSince, long allLockedUntil) {
    }

    /** One account's run and lock from one origin it is trusted from. */
    record ScopeRow(String username, Origin origin, int failures, long windowStart, long lastFailure, int lockCount,
            long lockedSince, long lockedUntil) {
    }

    /** One origin an account logged in from, and when last. */
    record TrustRow(String username, Origin origin, long lastSuccess) {
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
                        rs.getLong(6), rs.getLong(7), rs.getString(8), rs.getLong(9), rs.getLong(10)))
                .list());
    }

    void save(Row row, long now) {
        jdbi.useHandle(h -> h.createUpdate(LockoutTables.UPSERT).bind("username", row.username())
                .bind("failures", row.failures()).bind("windowStart", row.windowStart())
                .bind("lastFailure", row.lastFailure()).bind("lockCount", row.lockCount())
                .bind("lockedSince", row.lockedSince()).bind("lockedUntil", row.lockedUntil())
                .bind("hourFailures", row.hourFailures()).bind("allLockedSince", row.allLockedSince())
                .bind("allLockedUntil", row.allLockedUntil()).bind("updatedAt", now).execute());
    }

    void delete(String username) {
        jdbi.useHandle(h -> h.createUpdate(LockoutTables.DELETE).bind("username", username).execute());
    }

    /** Deletes the rows of every trusted origin's run and lock of {@code username}. */
    void deleteScopes(String username) {
        jdbi.useHandle(h -> h.createUpdate(LockoutTables.DELETE_SCOPES).bind("username", username).execute());
    }

    List<ScopeRow> loadScopes() {
        return jdbi.withHandle(h -> h.createQuery(LockoutTables.SELECT_SCOPES)
                .map((rs, ctx) -> new ScopeRow(rs.getString(1), new Origin(rs.getString(2), rs.getString(3)),
                        rs.getInt(4), rs.getLong(5), rs.getLong(6), rs.getInt(7), rs.getLong(8), rs.getLong(9)))
                .list());
    }

    void saveScope(ScopeRow row, long now) {
        jdbi.useHandle(h -> h.createUpdate(LockoutTables.UPSERT_SCOPE).bind("username", row.username())
                .bind("clientId", row.origin().client()).bind("address", row.origin().address())
                .bind("failures", row.failures()).bind("windowStart", row.windowStart())
                .bind("lastFailure", row.lastFailure()).bind("lockCount", row.lockCount())
                .bind("lockedSince", row.lockedSince()).bind("lockedUntil", row.lockedUntil())
                .bind("updatedAt", now).execute());
    }

    void deleteScope(String username, Origin origin) {
        jdbi.useHandle(h -> h.createUpdate(LockoutTables.DELETE_SCOPE).bind("username", username)
                .bind("clientId", origin.client()).bind("address", origin.address()).execute());
    }

    /** @return the origins trusted since {@code since}, oldest first (older rows are deleted) */
    List<TrustRow> loadTrust(long since) {
        return jdbi.withHandle(h -> {
            h.createUpdate(LockoutTables.DELETE_TRUST_BEFORE).bind("since", since).execute();
            return h.createQuery(LockoutTables.SELECT_TRUST).bind("since", since)
                    .map((rs, ctx) -> new TrustRow(rs.getString(1), new Origin(rs.getString(2), rs.getString(3)),
                            rs.getLong(4)))
                    .list();
        });
    }

    /** Stores that {@code username} logged in from {@code origin} at {@code at}, forgetting {@code evicted}. */
    void saveTrust(String username, Origin origin, long at, Origin evicted) {
        jdbi.useTransaction(h -> {
            h.createUpdate(LockoutTables.UPSERT_TRUST).bind("username", username).bind("clientId", origin.client())
                    .bind("address", origin.address()).bind("lastSuccess", at).execute();
            if (evicted != null) {
                h.createUpdate(LockoutTables.DELETE_TRUST).bind("username", username)
                        .bind("clientId", evicted.client()).bind("address", evicted.address()).execute();
            }
        });
    }

    void deleteTrust(String username) {
        jdbi.useHandle(h -> h.createUpdate(LockoutTables.DELETE_TRUSTS).bind("username", username).execute());
    }
}
