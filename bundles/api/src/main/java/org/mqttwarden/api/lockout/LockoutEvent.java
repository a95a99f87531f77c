package org.mqttwarden.api.lockout;

import java.time.Instant;
import java.util.Objects;

/**
 * Something the lockout rules counted or did, for {@link LockoutListener}s.
 *
 * @param time when it happened; never {@code null}
 * @param kind what happened; never {@code null}
 * @param username the username concerned (an account, or a username without one); for
 *     {@link Kind#SOURCE_LOCKED} the username of the attempt that locked the source; {@code null} when a source
 *     was cleared
 * @param clientId the client id of the attempt, or {@code null} (none, or a clear)
 * @param address the client's address, or {@code null} when unknown
 * @param source for {@link Kind#SOURCE_LOCKED} and {@link Kind#SOURCE_CLEARED}, the source:
 *     {@code client:<id>} or {@code addr:<ip>}; {@code null} otherwise
 * @param account whether the username has an account: {@code true}, {@code false}, or {@code null} when not
 *     known (yet), and for source events
 * @param failures failures counted in the run so far (for a lock: the run that caused it); 0 for clears
 * @param hourFailures the username's failures over the trailing hour; 0 for source events and clears
 * @param lockCount locks since the last reset (a successful login or a clear), this one included; 0 for clears
 * @param until when a lock ends; {@code null} for a permanent lock and for every kind but the locks
 * @param actor who cleared (an admin's name, or the bundle that did), or {@code null}
 * @param cause why: for clears {@value #CAUSE_ADMIN}, {@code password}, {@code account-created},
 *     {@code account-removed} or {@code otp}; for locks {@value #CAUSE_FAILURES} or {@value #CAUSE_CEILING};
 *     {@code null} for failures. Informative: the set may grow, so match {@link #kind()}, not this
 * @param scope for a username's failures and locks, the origins concerned: {@value #SCOPE_ALL} (every origin:
 *     the hourly ceiling), {@value #SCOPE_UNTRUSTED} (every origin the username is not trusted from) or
 *     {@value #SCOPE_TRUSTED}{@code client:<id> addr:<ip>} (that trusted origin only); {@code null} otherwise
 */
public record LockoutEvent(Instant time, Kind kind, String username, String clientId, String address,
        String source, Boolean account, int failures, int hourFailures, int lockCount, Instant until,
        String actor, String cause, String scope) {

    /** {@link #scope()} of a lock from every origin: the username reached the hourly ceiling. */
    public static final String SCOPE_ALL = "all sources";
    /** {@link #scope()} of the run and lock of every origin the username did not log in from. */
    public static final String SCOPE_UNTRUSTED = "untrusted sources";
    /** The prefix of {@link #scope()} for one trusted origin, e.g. {@code trusted client:plc-7 addr:10.0.0.5}. */
    public static final String SCOPE_TRUSTED = "trusted ";
    /** {@link #cause()} of a lock reached by a run of failures. */
    public static final String CAUSE_FAILURES = "failures";
    /** {@link #cause()} of a lock reached by the hourly ceiling of failures per account. */
    public static final String CAUSE_CEILING = "ceiling";
    /** {@link #cause()} of a clear made by an admin. */
    public static final String CAUSE_ADMIN = "admin";

    public LockoutEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
    }

    /** What the lockout rules did. */
    public enum Kind {
        /** A failed login was counted (against the username and each source). */
        FAILURE,
        /** A username (with an account or not) was locked, from the origins of its {@code scope}. */
        ACCOUNT_LOCKED,
        /** A source was locked, for every username. */
        SOURCE_LOCKED,
        /** A username's lock and counts were cleared. */
        ACCOUNT_CLEARED,
        /** A source's lock and counts were cleared. */
        SOURCE_CLEARED
    }
}
