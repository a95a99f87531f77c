package org.mqttwarden.lockout;

import java.time.Instant;

import org.mqttwarden.api.lockout.LockoutEvent;

/**
 * What is remembered about one account (or username without an account) from some origins, or about one
 * source, for {@code warden:lockout-list}. An account has one entry per scope with something to show: its
 * lock of every origin ({@link #ALL}, the hourly ceiling), its run and lock from the origins it is not
 * trusted from ({@link #UNTRUSTED}), and one per trusted origin with failures or a lock
 * ({@code trusted client:<id> addr:<ip>}).
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
 * @param scope for a username, the origins the entry is about: {@link #ALL}, {@link #UNTRUSTED} or
 *     {@code trusted <origin>}; {@code null} for a source
 */
public record LockoutEntry(boolean source, String name, Boolean account, int failures, int hourFailures,
        int lockCount, Instant lockedSince, Instant lockedUntil, boolean permanent, Instant lastFailure,
        String scope) {

    /** Every origin: the account reached the hourly ceiling. */
    public static final String ALL = LockoutEvent.SCOPE_ALL;
    /** Every origin the username did not log in from (within {@code source.trust.days}). */
    public static final String UNTRUSTED = LockoutEvent.SCOPE_UNTRUSTED;
    /** The prefix of a trusted origin's scope, e.g. {@code trusted client:plc-7 addr:10.0.0.5}. */
    public static final String TRUSTED = LockoutEvent.SCOPE_TRUSTED;

    /** @return whether a lock is in force */
    public boolean locked() {
        return lockedSince != null;
    }
}
