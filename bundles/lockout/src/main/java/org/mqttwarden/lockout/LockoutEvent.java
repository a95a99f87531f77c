package org.mqttwarden.lockout;

import java.time.Instant;

/**
 * Something the lockout rules counted or did, for {@link LockoutListener}s (an attack detector).
 *
 * @param time when
 * @param kind what
 * @param username the username concerned ({@code null} when a source was cleared)
 * @param clientId the client id of the attempt, or {@code null}
 * @param address the client's address, or {@code null} when unknown
 * @param source for source events, the source key ({@code client:<id>}, {@code addr:<ip>}); else {@code null}
 * @param account whether the username has an account ({@code null}: not known)
 * @param failures failures counted in the run so far (for a lock: the run that caused it)
 * @param hourFailures the account's failures over the trailing hour
 * @param lockCount locks since the last reset, this one included
 * @param until when a lock ends ({@code null}: permanent, or not a lock)
 * @param actor who cleared, or {@code null}
 * @param cause for clears: {@code admin}, {@code password}, {@code account-created},
 *     {@code account-removed}, {@code otp}; for locks: {@code failures} or {@code ceiling}; else {@code null}
 * @param scope for an account's failures and locks, the origins concerned: {@link LockoutEntry#ALL} (every
 *     origin: the hourly ceiling), {@link LockoutEntry#UNTRUSTED} (every origin the username is not trusted
 *     from) or {@code trusted client:<id> addr:<ip>} (that origin only); {@code null} otherwise
 */
public record LockoutEvent(Instant time, Kind kind, String username, String clientId, String address,
        SourceKey source, Boolean account, int failures, int hourFailures, int lockCount, Instant until,
        String actor, String cause, String scope) {

    public enum Kind {
        /** A failed login was counted (against the username and each source). */
        FAILURE,
        /** An account (or a username without one) was locked, from the origins of its {@code scope}. */
        ACCOUNT_LOCKED,
        /** A source was locked. */
        SOURCE_LOCKED,
        /** An account's lock and counts were cleared. */
        ACCOUNT_CLEARED,
        /** A source's lock and counts were cleared. */
        SOURCE_CLEARED
    }
}
