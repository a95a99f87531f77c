package org.mqttwarden.lockout;

/**
 * The lockout state of one account (or username without an account) or one source, in memory. Every
 * field is read and written only while holding the tally's monitor; a tally marked {@link #removed} has
 * left its map and must be looked up again. Times are epoch milliseconds.
 */
final class Tally {

    /** Whether the username has an account: unknown until a login outcome tells. Accounts only. */
    enum Known {
        UNDECIDED, ACCOUNT, NO_ACCOUNT
    }

    final String key;
    /** The source of a source's tally; {@code null} for an account's. */
    final SourceKey source;
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
    /** Whether a row for it is in the store. */
    boolean stored;
    boolean removed;

    /** A new account's (or username's) tally. */
    Tally(String key) {
        this(key, new HourCounter());
    }

    /** A new source's tally. */
    Tally(SourceKey source) {
        this.key = source.toString();
        this.source = source;
        this.hour = null;
    }

    /** An account's tally with this trailing-hour count (a new one, or one read from the store). */
    Tally(String key, HourCounter hour) {
        this.key = key;
        this.source = null;
        this.hour = hour;
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

    /** Back to a clean state (a clear): no failures, no lock, no lock history, nothing in the last hour. */
    void reset() {
        failures = 0;
        windowStart = 0;
        lockCount = 0;
        lockedSince = 0;
        lockedUntil = 0;
        if (hour != null) {
            hour.clear();
        }
    }

    /** @return whether nothing is worth keeping at {@code now}: the tally may leave its map */
    boolean idle(long now, long window, long forget) {
        expire(now, window, forget);
        return inFlight == 0 && failures == 0 && lockCount == 0 && !locked(now)
                && (hour == null || hour.isEmpty(now));
    }

    /**
     * @return whether it holds nothing that must survive a restart: no failures, no lock and no lock
     *     history, nothing in the trailing hour
     */
    boolean worthNothing(long now, long window, long forget) {
        expire(now, window, forget);
        return failures == 0 && lockCount == 0 && !locked(now) && (hour == null || hour.isEmpty(now));
    }
}
