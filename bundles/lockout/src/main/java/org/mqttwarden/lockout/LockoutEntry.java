package org.mqttwarden.lockout;

import java.time.Instant;

/**
 * What is remembered about one account (or username without an account) or one source, for
 * {@code warden:lockout-list}.
 *
 * @param source whether this is a source ({@code client:<id>}, {@code addr:<ip>}) rather than a username
 * @param name the username, or the source key
 * @param account for a username: {@code true} when it has an account, {@code false} when not, {@code null}
 *     when not yet known; {@code null} for a source
 * @param failures failures of the current run (within its window)
 * @param hourFailures failures over the trailing hour (accounts; 0 for sources)
 * @param lockCount locks since the last reset (a successful login or a clear)
 * @param lockedSince when the current lock began, or {@code null} when not locked
 * @param lockedUntil when it ends, or {@code null} when not locked or locked permanently
 * @param permanent whether the current lock lasts until cleared
 * @param lastFailure the latest counted failure, or {@code null}
 */
public record LockoutEntry(boolean source, String name, Boolean account, int failures, int hourFailures,
        int lockCount, Instant lockedSince, Instant lockedUntil, boolean permanent, Instant lastFailure) {

    /** @return whether a lock is in force */
    public boolean locked() {
        return lockedSince != null;
    }
}
