package org.mqttwarden.lockout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.mqttwarden.api.auth.ClientRef;

/**
 * The lockout state of one account (or username without an account), of one source, or of one account
 * from one trusted origin, in memory. Every field is read and written only while holding the monitor of
 * the tally (for a trusted origin's: of its account's tally); a tally marked {@link #removed} has left its
 * map and must be looked up again. Times are epoch milliseconds.
 *
 * <p>An account's own run and lock apply to every origin it is not trusted from ("untrusted sources");
 * each origin it is trusted from has a run and lock of its own in {@link #scopes}; the trailing-hour count
 * and the lock at the hourly ceiling ({@link #allLockedUntil}) cover every origin.
 */
final class Tally {

    /** Whether the username has an account: unknown until a login outcome tells. Accounts only. */
    enum Known {
        UNDECIDED, ACCOUNT, NO_ACCOUNT
    }

    /** An attempt allowed whose outcome is not in yet (accounts only). */
    record Pending(ClientRef client, Tally scope, long startNanos, long reserved) {
    }

    final String key;
    /** The source of a source's tally; {@code null} for an account's. */
    final SourceKey source;
    /** The origin of a trusted origin's tally; {@code null} for others. */
    final Origin origin;
    /** Failures of the current run, and when its first one was. */
    int failures;
    long windowStart;
    long lastFailure;
    /** Locks since the last reset (a successful login or a clear); the next lock lasts longer. */
    int lockCount;
    /** When the current or last lock began; 0 when never locked since the last reset. */
    long lockedSince;
    /** When the lock ends; {@link Long#MAX_VALUE} for a permanent lock; 0 when never locked. */
    long lockedUntil;
    /** Checks allowed whose outcome is not in yet. */
    int inFlight;
    /** The trailing-hour count (accounts only; null for sources). */
    final HourCounter hour;
    Known known = Known.UNDECIDED;
    /** Accounts: runs and locks from the origins the username is trusted from; {@code null} when none. */
    Map<Origin, Tally> scopes;
    /** Accounts: the lock of every origin (the hourly ceiling); 0 when none, as {@link #lockedSince}. */
    long allLockedSince;
    long allLockedUntil;
    /** Accounts: the attempts allowed and not settled yet, oldest first; {@code null} when none. */
    List<Pending> pending;
    /** Whether a row for it is in the store. */
    boolean stored;
    /** Accounts: whether rows of its trusted origins may be in the store. */
    boolean scopesStored;
    boolean removed;

    /** A new account's (or username's) tally. */
    Tally(String key) {
        this(key, new HourCounter());
    }

    /** A new source's tally. */
    Tally(SourceKey source) {
        this.key = source.toString();
        this.source = source;
        this.origin = null;
        this.hour = null;
    }

    /** A new tally of an account from a trusted origin (held in the account's {@link #scopes}). */
    Tally(Origin origin) {
        this.key = origin.toString();
        this.source = null;
        this.origin = origin;
        this.hour = null;
    }

    /** An account's tally with this trailing-hour count (a new one, or one read from the store). */
    Tally(String key, HourCounter hour) {
        this.key = key;
        this.source = null;
        this.origin = null;
        this.hour = hour;
    }

    /** @return the tally of a trusted origin, created when absent (accounts only) */
    Tally scope(Origin o) {
        if (scopes == null) {
            scopes = new HashMap<>(4);
        }
        return scopes.computeIfAbsent(o, Tally::new);
    }

    /** Puts a trusted origin's tally (loaded from the store) in its place (accounts only). */
    void putScope(Tally scope) {
        if (scopes == null) {
            scopes = new HashMap<>(4);
        }
        scopes.put(scope.origin, scope);
    }

    /** Puts back a run and its lock as they were stored. */
    void restore(int failures, long windowStart, long lastFailure, int lockCount, long lockedSince,
            long lockedUntil) {
        this.failures = failures;
        this.windowStart = windowStart;
        this.lastFailure = lastFailure;
        this.lockCount = lockCount;
        this.lockedSince = lockedSince;
        this.lockedUntil = lockedUntil;
    }

    /** @return whether every origin is locked (the hourly ceiling) */
    boolean allLocked(long now) {
        return allLockedSince != 0 && now < allLockedUntil;
    }

    /** @return attempts in flight from every origin */
    int inFlightAll() {
        int n = inFlight;
        if (scopes != null) {
            for (Tally s : scopes.values()) {
                n += s.inFlight;
            }
        }
        return n;
    }

    boolean locked(long now) {
        return lockedSince != 0 && now < lockedUntil;
    }

    boolean permanent() {
        return lockedUntil == Long.MAX_VALUE;
    }

    /**
     * Forgets the current run when its window is over, and the lock history once {@code forget} has
     * passed since the last lock ended (a permanent lock is never forgotten).
     */
    void expire(long now, long window, long forget) {
        if (failures > 0 && now - windowStart >= window) {
            failures = 0;
            windowStart = 0;
        }
        if (lockedSince != 0 && !permanent() && now >= lockedUntil && now - lockedUntil >= forget
                && lastFailure < lockedUntil) {
            lockCount = 0;
            lockedSince = 0;
            lockedUntil = 0;
        }
        if (allLockedSince != 0 && now >= allLockedUntil) {
            allLockedSince = 0;
            allLockedUntil = 0;
        }
    }

    /** Counts one failure of the current run. */
    void fail(long now, long window, long forget) {
        expire(now, window, forget);
        if (failures == 0) {
            windowStart = now;
        }
        failures++;
        lastFailure = now;
        if (hour != null) {
            hour.add(now);
        }
    }

    void lock(long now, long until) {
        lockedSince = now;
        lockedUntil = until;
        lockCount++;
        failures = 0;
        windowStart = 0;
    }

    /**
     * Back to a clean state (a clear): no failures, no lock, no lock history, nothing in the last hour;
     * for an account, from every origin.
     */
    void reset() {
        failures = 0;
        windowStart = 0;
        lockCount = 0;
        lockedSince = 0;
        lockedUntil = 0;
        allLockedSince = 0;
        allLockedUntil = 0;
        if (hour != null) {
            hour.clear();
        }
        if (scopes != null) {
            scopes.values().forEach(Tally::reset);
        }
    }

    /** @return whether nothing is worth keeping at {@code now}: the tally may leave its map */
    boolean idle(long now, long window, long forget) {
        expire(now, window, forget);
        if (scopes != null) {
            scopes.values().removeIf(s -> s.idle(now, window, forget));
            if (scopes.isEmpty()) {
                scopes = null;
            }
        }
        return inFlight == 0 && failures == 0 && lockCount == 0 && !locked(now)
                && (hour == null || hour.isEmpty(now)) && allLockedSince == 0 && scopes == null
                && (pending == null || pending.isEmpty());
    }

    /**
     * @return whether its own row holds nothing that must survive a restart: no failures, no lock and no
     *     lock history, nothing in the trailing hour, no lock of every origin (an account's trusted origins
     *     are stored apart)
     */
    boolean worthNothing(long now, long window, long forget) {
        expire(now, window, forget);
        return failures == 0 && lockCount == 0 && !locked(now) && (hour == null || hour.isEmpty(now))
                && allLockedSince == 0;
    }
}
