package org.mqttwarden.lockout;

import java.util.LinkedHashMap;
import java.util.Map;

import org.mqttwarden.testsupport.Configs;

/** The lockout keys of a {@link LockoutGuard.Config}, changed one rule at a time; {@link #config} hands it over. */
record TestConfig(int account_max_failures, int account_window_minutes, int lock_minutes, int lock_max_minutes,
        boolean lock_permanent, int source_max_failures, int source_window_minutes, int source_lock_minutes,
        int source_trust_days, int max_tracked_unknown, int max_tracked_sources, int login_budget_percent,
        int login_budget_refusal_micros) {

    static TestConfig defaults() {
        Policy d = Policy.DEFAULTS;
        return new TestConfig(d.maxFailures(), d.windowMinutes(), d.lockMinutes(), d.lockMaxMinutes(), d.permanent(),
                d.sourceMaxFailures(), d.sourceWindowMinutes(), d.sourceLockMinutes(), d.sourceTrustDays(),
                d.maxTrackedUnknown(), d.maxTrackedSources(), d.loginBudgetPercent(), d.loginBudgetRefusalMicros());
    }

    TestConfig account(int failures, int windowMinutes) {
        return new TestConfig(failures, windowMinutes, lock_minutes, lock_max_minutes, lock_permanent,
                source_max_failures, source_window_minutes, source_lock_minutes, source_trust_days, max_tracked_unknown,
                max_tracked_sources, login_budget_percent, login_budget_refusal_micros);
    }

    TestConfig locks(int minutes, int maxMinutes, boolean permanent) {
        return new TestConfig(account_max_failures, account_window_minutes, minutes, maxMinutes, permanent,
                source_max_failures, source_window_minutes, source_lock_minutes, source_trust_days, max_tracked_unknown,
                max_tracked_sources, login_budget_percent, login_budget_refusal_micros);
    }

    TestConfig sources(int failures, int windowMinutes, int lockMinutes, int trustDays) {
        return new TestConfig(account_max_failures, account_window_minutes, lock_minutes, lock_max_minutes,
                lock_permanent, failures, windowMinutes, lockMinutes, trustDays, max_tracked_unknown,
                max_tracked_sources, login_budget_percent, login_budget_refusal_micros);
    }

    TestConfig tracked(int unknown, int sources) {
        return new TestConfig(account_max_failures, account_window_minutes, lock_minutes, lock_max_minutes,
                lock_permanent, source_max_failures, source_window_minutes, source_lock_minutes, source_trust_days,
                unknown, sources, login_budget_percent, login_budget_refusal_micros);
    }

    /**
     * @param percent the login budget; 0: none (for tests of the lockout rules under real time or concurrency).
     *     Refusals are free, so the arithmetic is the password work's alone.
     */
    TestConfig budget(int percent) {
        return budget(percent, 0);
    }

    /** @param refusalMicros what each refusal for the budget is charged */
    TestConfig budget(int percent, int refusalMicros) {
        return new TestConfig(account_max_failures, account_window_minutes, lock_minutes, lock_max_minutes,
                lock_permanent, source_max_failures, source_window_minutes, source_lock_minutes, source_trust_days,
                max_tracked_unknown, max_tracked_sources, percent, refusalMicros);
    }

    /** @return the configuration as Declarative Services hands it over, built from the cfg-file property names */
    LockoutGuard.Config config() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (var c : TestConfig.class.getRecordComponents()) {
            try {
                m.put(c.getName().replace('_', '.'), c.getAccessor().invoke(this));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return Configs.of(LockoutGuard.Config.class, m);
    }
}
