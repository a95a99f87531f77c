package org.mqttwarden.lockout;

/**
 * A token bucket of login work, in nanoseconds: it fills at {@code percent} % of the time that passes
 * (10 %: 100 ms of work per second), holds at most one second's filling, and may go into debt by what
 * attempts actually cost. An attempt {@link #acquire reserves} an estimate of its cost while there is
 * anything in the bucket and {@link #settle settles} with the measured cost afterwards, so the long-run
 * rate holds however many attempts run at once: an attempt costing more than the bucket held leaves a
 * debt that refuses the next ones until time has paid it back. The debt is bounded (ten seconds of
 * filling), so one stalled attempt cannot refuse logins for long.
 *
 * <p>A refusal is not free either: it still costs the broker a round trip to the gateway. Each refusal
 * therefore {@link #charge charges} the bucket what such a round trip costs the caller, so that under a
 * flood the password work admitted shrinks as the refusals grow and the two together keep within the
 * budget, up to the rate at which the refusals alone fill it.
 *
 * <p>Time comes from the caller (a monotonic nanosecond source), so tests drive it. Thread-safe: one
 * short monitor, only for attempts that need the budget.
 */
final class LoginBudget {

    static final long SECOND = 1_000_000_000L;
    /** The first estimate of an attempt's cost: about one bcrypt. */
    static final long FIRST_ESTIMATE = 100_000_000L;

    private boolean started;
    private long tokens;
    private long last;
    private long estimate = FIRST_ESTIMATE;
    /** Guarded by this; for the /metrics totals. */
    private long spent;
    private long refused;
    private long refusedSinceWarning;
    private long lastWarning;
    private boolean warned;

    /** What a refusal reports: whether to warn now, and the refusals since the last warning. */
    record Refusal(boolean warn, long refusedSinceWarning) {
    }

    static long capacity(int percent) {
        return SECOND / 100 * percent;
    }

    private void refill(long now, int percent) {
        long capacity = capacity(percent);
        if (!started) {
            started = true;
            tokens = capacity;
            last = now;
            return;
        }
        // bounded only against overflow: more than the longest debt (ten seconds' filling) refills the bucket
        long elapsed = Math.min(Math.max(now - last, 0), 60 * SECOND);
        last = Math.max(last, now);
        tokens = Math.min(capacity, tokens + elapsed / 100 * percent);
    }

    /**
     * @return the nanoseconds reserved for an attempt starting at {@code now} (settle them with
     *     {@link #settle}), or {@code -1} when the budget is spent: refuse the attempt
     */
    synchronized long acquire(long now, int percent, long refusalCost) {
        refill(now, percent);
        if (tokens <= 0) {
            refuse(percent, refusalCost);
            return -1;
        }
        long reserve = Math.max(estimate, 1);
        tokens -= reserve;
        return reserve;
    }

    /**
     * Sheds an attempt when the budget is spent, without reserving anything.
     *
     * @param refusalCost what a refusal costs the caller, in nanoseconds: charged when refused
     * @return whether the budget is spent now (the attempt is then counted as refused)
     */
    synchronized boolean shed(long now, int percent, long refusalCost) {
        refill(now, percent);
        if (tokens > 0) {
            return false;
        }
        refuse(percent, refusalCost);
        return true;
    }

    private void refuse(int percent, long refusalCost) {
        refused++;
        refusedSinceWarning++;
        charge(percent, refusalCost);
    }

    /** Takes {@code cost} nanoseconds from the bucket, at most down to the bounded debt. */
    private void charge(int percent, long cost) {
        long c = Math.max(cost, 0);
        spent += c;
        tokens = Math.max(tokens - c, -10 * capacity(percent));
    }

    /** @return whether to log the exhaustion now (first time, then at most once a minute), with the count */
    synchronized Refusal refusal(long now) {
        if (warned && now - lastWarning < 60 * SECOND) {
            return new Refusal(false, 0);
        }
        warned = true;
        lastWarning = now;
        long n = refusedSinceWarning;
        refusedSinceWarning = 0;
        return new Refusal(true, n);
    }

    /** Settles a reservation with the attempt's measured {@code cost}, both in nanoseconds. */
    synchronized void settle(long now, int percent, long reserved, long cost) {
        refill(now, percent);
        long c = Math.max(cost, 0);
        spent += c;
        tokens = Math.max(tokens + reserved - c, -10 * capacity(percent));
        estimate += (c - estimate) / 8;
    }

    /** @return the work available now, in nanoseconds (negative: a debt) */
    synchronized long available(long now, int percent) {
        refill(now, percent);
        return tokens;
    }

    synchronized long spent() {
        return spent;
    }

    synchronized long refused() {
        return refused;
    }
}
