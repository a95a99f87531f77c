package org.mqttwarden.lockout;

import java.util.List;

import org.mqttwarden.api.store.WardenDatabase.Migration;

/**
 * The SQL of the lockout tables, in one place. Runs on SQLite (3.24 or later) and PostgreSQL (9.5 or
 * later): {@code INSERT ... ON CONFLICT ... DO UPDATE} and {@code ALTER TABLE ... ADD COLUMN ... DEFAULT}
 * are spelt the same by both.
 *
 * <ul>
 * <li>{@code warden_lockout}: one row per account (never per guessed username) that has something to
 * remember: failures of the current run from origins it is not trusted from, their lock or its history,
 * failures in the trailing hour (from every origin), the lock of every origin at the hourly ceiling
 * ({@code all_locked_*}, migration 2).</li>
 * <li>{@code warden_lockout_scope} (2): the run and lock of an account from one origin it is trusted from
 * ({@code client_id} as a source key's value, {@code address} or {@code ''} when not known).</li>
 * <li>{@code warden_lockout_trust} (2): the origins an account logged in from, and when last (at most
 * {@value TrustedSources#PER_ACCOUNT} per account, none older than {@code source.trust.days}).</li>
 * </ul>
 * Times are epoch milliseconds; {@code locked_until} is {@value #PERMANENT} for a permanent lock.
 */
final class LockoutTables {

    static final String OWNER = "lockout";
    static final long PERMANENT = Long.MAX_VALUE;

    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "account lockout state", List.of(
            "CREATE TABLE warden_lockout (username VARCHAR(512) NOT NULL PRIMARY KEY,"
                    + " failures INTEGER NOT NULL, window_start BIGINT NOT NULL, last_failure BIGINT NOT NULL,"
                    + " lock_count INTEGER NOT NULL, locked_since BIGINT NOT NULL, locked_until BIGINT NOT NULL,"
                    + " hour_failures VARCHAR(2048) NOT NULL, updated_at BIGINT NOT NULL)")),
            new Migration(2, "lockout by origin: trusted origins, their locks, the lock of every origin", List.of(
                    "ALTER TABLE warden_lockout ADD COLUMN all_locked_since BIGINT NOT NULL DEFAULT 0",
                    "ALTER TABLE warden_lockout ADD COLUMN all_locked_until BIGINT NOT NULL DEFAULT 0",
                    "CREATE TABLE warden_lockout_scope (username VARCHAR(512) NOT NULL,"
                            + " client_id VARCHAR(256) NOT NULL, address VARCHAR(256) NOT NULL,"
                            + " failures INTEGER NOT NULL, window_start BIGINT NOT NULL,"
                            + " last_failure BIGINT NOT NULL, lock_count INTEGER NOT NULL,"
                            + " locked_since BIGINT NOT NULL, locked_until BIGINT NOT NULL,"
                            + " updated_at BIGINT NOT NULL, PRIMARY KEY (username, client_id, address))",
                    "CREATE TABLE warden_lockout_trust (username VARCHAR(512) NOT NULL,"
                            + " client_id VARCHAR(256) NOT NULL, address VARCHAR(256) NOT NULL,"
                            + " last_success BIGINT NOT NULL, PRIMARY KEY (username, client_id, address))")));

    static final String SELECT_ALL = "SELECT username, failures, window_start, last_failure, lock_count,"
            + " locked_since, locked_until, hour_failures, all_locked_since, all_locked_until FROM warden_lockout";
    static final String UPSERT = "INSERT INTO warden_lockout (username, failures, window_start, last_failure,"
            + " lock_count, locked_since, locked_until, hour_failures, all_locked_since, all_locked_until,"
            + " updated_at)"
            + " VALUES (:username, :failures, :windowStart, :lastFailure, :lockCount, :lockedSince, :lockedUntil,"
            + " :hourFailures, :allLockedSince, :allLockedUntil, :updatedAt)"
            + " ON CONFLICT (username) DO UPDATE SET failures = excluded.failures,"
            + " window_start = excluded.window_start, last_failure = excluded.last_failure,"
            + " lock_count = excluded.lock_count, locked_since = excluded.locked_since,"
            + " locked_until = excluded.locked_until, hour_failures = excluded.hour_failures,"
            + " all_locked_since = excluded.all_locked_since, all_locked_until = excluded.all_locked_until,"
            + " updated_at = excluded.updated_at";
    static final String DELETE = "DELETE FROM warden_lockout WHERE username = :username";

    static final String SELECT_SCOPES = "SELECT username, client_id, address, failures, window_start,"
            + " last_failure, lock_count, locked_since, locked_until FROM warden_lockout_scope";
    static final String UPSERT_SCOPE = "INSERT INTO warden_lockout_scope (username, client_id, address, failures,"
            + " window_start, last_failure, lock_count, locked_since, locked_until, updated_at)"
            + " VALUES (:username, :clientId, :address, :failures, :windowStart, :lastFailure, :lockCount,"
            + " :lockedSince, :lockedUntil, :updatedAt)"
            + " ON CONFLICT (username, client_id, address) DO UPDATE SET failures = excluded.failures,"
            + " window_start = excluded.window_start, last_failure = excluded.last_failure,"
            + " lock_count = excluded.lock_count, locked_since = excluded.locked_since,"
            + " locked_until = excluded.locked_until, updated_at = excluded.updated_at";
    static final String DELETE_SCOPE = "DELETE FROM warden_lockout_scope WHERE username = :username"
            + " AND client_id = :clientId AND address = :address";
    static final String DELETE_SCOPES = "DELETE FROM warden_lockout_scope WHERE username = :username";

    /** Oldest first, so that loading keeps the most recent per account. */
    static final String SELECT_TRUST = "SELECT username, client_id, address, last_success FROM warden_lockout_trust"
            + " WHERE last_success >= :since ORDER BY last_success";
    static final String UPSERT_TRUST = "INSERT INTO warden_lockout_trust (username, client_id, address,"
            + " last_success) VALUES (:username, :clientId, :address, :lastSuccess)"
            + " ON CONFLICT (username, client_id, address) DO UPDATE SET last_success = excluded.last_success";
    static final String DELETE_TRUST = "DELETE FROM warden_lockout_trust WHERE username = :username"
            + " AND client_id = :clientId AND address = :address";
    static final String DELETE_TRUSTS = "DELETE FROM warden_lockout_trust WHERE username = :username";
    static final String DELETE_TRUST_BEFORE = "DELETE FROM warden_lockout_trust WHERE last_success < :since";

    private LockoutTables() {
    }
}
