package org.mqttwarden.lockout;

import java.util.List;

import org.mqttwarden.api.store.WardenDatabase.Migration;

/**
 * The SQL of the lockout table, in one place. Runs on SQLite (3.24 or later) and PostgreSQL (9.5 or
 * later): {@code INSERT ... ON CONFLICT ... DO UPDATE} is spelt the same by both.
 *
 * <p>One row per account (never per guessed username) that has something to remember: failures of the
 * current run, a lock or its history, failures in the trailing hour. Times are epoch milliseconds;
 * {@code locked_until} is {@value #PERMANENT} for a permanent lock.
 */
final class LockoutTables {

    static final String OWNER = "lockout";
    static final long PERMANENT = Long.MAX_VALUE;

    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "account lockout state", List.of(
            "CREATE TABLE warden_lockout (username VARCHAR(512) NOT NULL PRIMARY KEY,"
                    + " failures INTEGER NOT NULL, window_start BIGINT NOT NULL, last_failure BIGINT NOT NULL,"
                    + " lock_count INTEGER NOT NULL, locked_since BIGINT NOT NULL, locked_until BIGINT NOT NULL,"
                    + " hour_failures VARCHAR(2048) NOT NULL, updated_at BIGINT NOT NULL)")));

    static final String SELECT_ALL = "SELECT username, failures, window_start, last_failure, lock_count,"
            + " locked_since, locked_until, hour_failures FROM warden_lockout";
    static final String UPSERT = "INSERT INTO warden_lockout (username, failures, window_start, last_failure,"
            + " lock_count, locked_since, locked_until, hour_failures, updated_at)"
            + " VALUES (:username, :failures, :windowStart, :lastFailure, :lockCount, :lockedSince, :lockedUntil,"
            + " :hourFailures, :updatedAt)"
            + " ON CONFLICT (username) DO UPDATE SET failures = excluded.failures,"
            + " window_start = excluded.window_start, last_failure = excluded.last_failure,"
            + " lock_count = excluded.lock_count, locked_since = excluded.locked_since,"
            + " locked_until = excluded.locked_until, hour_failures = excluded.hour_failures,"
            + " updated_at = excluded.updated_at";
    static final String DELETE = "DELETE FROM warden_lockout WHERE username = :username";

    private LockoutTables() {
    }
}
