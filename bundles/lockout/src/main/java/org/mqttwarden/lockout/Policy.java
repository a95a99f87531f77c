package org.mqttwarden.lockout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The lockout rules in force, validated. Durations are in minutes as configured.
 *
 * <p>No policy may let an attacker make more than {@value #HOURLY_CEILING} failed logins against one
 * account in any 60 minutes (NIST SP 800-63B §5.2.2, OWASP ASVS 2.2.1): {@link #problems()} computes
 * the worst case the account rules allow ({@link #worstCaseFailuresPerHour}) and refuses a policy above
 * the ceiling. Independently of any policy, {@link Lockouts} also counts each account's failures over
 * the trailing hour and locks it at the ceiling.
 *
 * @param maxFailures failed logins in a row (within {@code windowMinutes}) that lock an account
 * @param windowMinutes how long a run of failures is counted from its first failure
 * @param lockMinutes the first lock's duration; each further lock doubles it
 * @param lockMaxMinutes the longest lock
 * @param permanent locks last until an admin (or an OTP unlock) clears them
 * @param sourceMaxFailures failed logins from one source (client id, address) across all usernames that
 *     lock the source; 0 turns source throttling off
 * @param sourceWindowMinutes how long a source's run of failures is counted from its first failure
 * @param sourceLockMinutes how long a source stays locked
 * @param sourceTrustDays how long a successful login of a username from a source exempts that username
 *     from the source's lock; 0: never
 * @param maxTrackedUnknown usernames without an account tracked (in memory) at most
 * @param maxTrackedSources sources tracked (in memory) at most
 * @param loginBudgetPercent the share of time (percent) that logins from origins not trusted for their
 *     username may take, gateway-wide; 0: no budget
 * @param loginBudgetRefusalMicros what one refusal for the budget costs the caller (the round trip of an
 *     answer given at once), in microseconds: charged to the budget per refusal
 */
public record Policy(int maxFailures, int windowMinutes, int lockMinutes, int lockMaxMinutes, boolean permanent,
        int sourceMaxFailures, int sourceWindowMinutes, int sourceLockMinutes, int sourceTrustDays,
        int maxTrackedUnknown, int maxTrackedSources, int loginBudgetPercent, int loginBudgetRefusalMicros) {

    /** Failed logins per account in any 60 minutes that nothing may exceed. */
    public static final int HOURLY_CEILING = 100;

    /** The shipped defaults. */
    public static final Policy DEFAULTS = new Policy(5, 15, 15, 1440, false, 20, 15, 15, 30, 50_000, 50_000,
            5, 50);

    static final String KEYS_ACCOUNT = "account.max.failures, account.window.minutes, lock.minutes,"
            + " lock.max.minutes, lock.permanent";

    /** @return the policy configured, not yet validated */
    static Policy of(LockoutGuard.Config c) {
        return new Policy(c.account_max_failures(), c.account_window_minutes(), c.lock_minutes(),
                c.lock_max_minutes(), c.lock_permanent(), c.source_max_failures(), c.source_window_minutes(),
                c.source_lock_minutes(), c.source_trust_days(), c.max_tracked_unknown(), c.max_tracked_sources(),
                c.login_budget_percent(), c.login_budget_refusal_micros());
    }

    /** @return what is wrong with this policy, each naming its configuration keys; empty when it may apply */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        range(out, "account.max.failures", maxFailures, 1, HOURLY_CEILING);
        range(out, "account.window.minutes", windowMinutes, 1, 10_080);
        range(out, "lock.minutes", lockMinutes, 1, 525_600);
        range(out, "lock.max.minutes", lockMaxMinutes, 1, 525_600);
        if (lockMaxMinutes < lockMinutes) {
            out.add("lock.max.minutes (" + lockMaxMinutes + ") is shorter than lock.minutes (" + lockMinutes + ")");
        }
        range(out, "source.max.failures", sourceMaxFailures, 0, 1_000_000);
        range(out, "source.window.minutes", sourceWindowMinutes, 1, 10_080);
        range(out, "source.lock.minutes", sourceLockMinutes, 1, 525_600);
        range(out, "source.trust.days", sourceTrustDays, 0, 3650);
        range(out, "max.tracked.unknown", maxTrackedUnknown, 100, 10_000_000);
        range(out, "max.tracked.sources", maxTrackedSources, 100, 10_000_000);
        range(out, "login.budget.percent", loginBudgetPercent, 0, 100);
        range(out, "login.budget.refusal.micros", loginBudgetRefusalMicros, 0, 100_000);
        if (out.isEmpty()) {
            int worst = worstCaseFailuresPerHour();
            if (worst > HOURLY_CEILING) {
                out.add(KEYS_ACCOUNT + " allow up to " + worst + " failed logins per account in 60 minutes; at most "
                        + HOURLY_CEILING + " are allowed (NIST SP 800-63B 5.2.2): lower account.max.failures, or"
                        + " lengthen account.window.minutes or lock.minutes");
            }
        }
        return out;
    }

    private static void range(List<String> out, String key, int value, int min, int max) {
        if (value < min || value > max) {
            out.add(key + " must be " + min + " to " + max + ", was " + value);
        }
    }

    /** @return the duration in ms of the lock following {@code previousLocks} earlier ones (without a reset) */
    long lockMillis(int previousLocks) {
        long min = lockMinutes * 60_000L;
        long max = Math.max(min, lockMaxMinutes * 60_000L);
        int shift = Math.min(Math.max(previousLocks, 0), 40);
        long d = min << shift;
        return d <= 0 || d > max ? max : d;
    }

    long windowMillis() {
        return windowMinutes * 60_000L;
    }

    long sourceWindowMillis() {
        return sourceWindowMinutes * 60_000L;
    }

    long sourceLockMillis() {
        return sourceLockMinutes * 60_000L;
    }

    long sourceTrustMillis() {
        return sourceTrustDays * 86_400_000L;
    }

    long refusalNanos() {
        return loginBudgetRefusalMicros * 1_000L;
    }

    boolean budgeted() {
        return loginBudgetPercent > 0;
    }

    boolean sourcesTracked() {
        return sourceMaxFailures > 0;
    }

    /**
     * The most failed logins an attacker can make against one account in any 60 minutes under these
     * rules, without a successful login in between (those are bounded by the hard trailing-hour counter
     * instead). Source rules do not matter: an attacker can use a new source for every attempt.
     *
     * <p>The attacker's failures come in runs. A run starts with a failure when none is counted (or the
     * window of the previous run is over) and either ends without a lock after at most N-1 failures, the
     * next run starting no earlier than one window after its first failure, or locks at its N-th failure,
     * the next run starting when the lock ends (lock k lasting {@code min(lock * 2^k, max)}; never, when
     * locks are permanent). Inside the hour, failures are best made all at once at the start of a run.
     * With {@code f(t, k)} the most failures from runs starting at minute {@code t} (before 60) after k
     * locks, {@code f(t, k)} is the best of {@code N-1 + f(t + window, k)}, {@code N + f(t + lock(k), k + 1)}
     * and, after a lock, {@code f(t + max, 0)} (the lock history is forgotten {@code lock.max.minutes}
     * after a lock). The hour may also begin inside a run whose first failure came up to a window
     * earlier: it adds N-2 failures before {@code f(0, 0)}, or N-1 and a lock ({@code f(lock(0), 1)}).
     * Earlier locks only lengthen later ones, so the attacker starts best from none. Times are whole
     * minutes, as configured; the hour is half-open, as the ceiling's counter.
     */
    public int worstCaseFailuresPerHour() {
        int levels = 1;
        while (levels < 64 && lockMillis(levels - 1) < lockMillis(levels)) {
            levels++;
        }
        int[][] memo = new int[60][levels];
        for (int[] row : memo) {
            Arrays.fill(row, -1);
        }
        int worst = runsFrom(0, 0, memo, levels);
        if (maxFailures >= 2) {
            // a run that began up to a window before the hour: its first failure falls before the hour
            worst = Math.max(worst, maxFailures - 2 + runsFrom(0, 0, memo, levels));
            if (!permanent) {
                worst = Math.max(worst, maxFailures - 1 + runsFrom(lockMinutes, 1, memo, levels));
            }
        }
        return worst;
    }

    private int runsFrom(long minute, int locks, int[][] memo, int levels) {
        if (minute >= 60) {
            return 0;
        }
        int k = Math.min(locks, levels - 1);
        int t = (int) minute;
        if (memo[t][k] >= 0) {
            return memo[t][k];
        }
        int quiet = maxFailures - 1 + runsFrom(minute + windowMinutes, k, memo, levels);
        int locked = maxFailures + (permanent ? 0 : runsFrom(minute + lockMillis(k) / 60_000L, k + 1, memo, levels));
        // the lock history is forgotten lock.max.minutes after a lock ends with no failure since
        int forgotten = k > 0 ? runsFrom(minute + lockMaxMinutes, 0, memo, levels) : 0;
        memo[t][k] = Math.max(Math.max(quiet, locked), forgotten);
        return memo[t][k];
    }
}
