package org.mqttwarden.lockout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.TestClock;
import org.mqttwarden.api.lockout.LockoutEvent;

/**
 * The 100-failures-per-account-per-hour ceiling (NIST SP 800-63B 5.2.2, OWASP ASVS 2.2.1) as
 * configuration validation: the computed worst case, its refusal above 100, and attackers run against
 * the real guard never beating the computed worst case.
 */
class CeilingTest {

    @TempDir
    Path dir;

    private static Policy policy(int n, int window, int lock, int max, boolean permanent) {
        return new Policy(n, window, lock, max, permanent, 0, 15, 15, 0, 50_000, 50_000, 0, 50);
    }

    @Test
    void theDefaultsAllowAtMostTwentyOneFailuresAnHour() {
        assertThat(Policy.DEFAULTS.problems()).isEmpty();
        assertThat(Policy.DEFAULTS.worstCaseFailuresPerHour()).isEqualTo(21);
    }

    @ParameterizedTest(name = "N={0} window={1} lock={2} max={3} permanent={4}: {5}")
    @CsvSource({
        "5, 15, 60, 1440, false, 20",
        "1, 60, 60, 60, false, 1",
        "2, 1, 1, 1, false, 120",
        "10, 15, 15, 1440, false, 46",
        "5, 15, 15, 1440, true, 20",
        "20, 60, 60, 1440, false, 38",
        "34, 60, 60, 1440, false, 66",
        "51, 60, 60, 1440, false, 100",
        "52, 60, 60, 1440, false, 102",
        // a short window lets an attacker make N-1 failures every minute, however long the locks
        "3, 1, 1440, 1440, false, 122",
    })
    void computesTheWorstCase(int n, int window, int lock, int max, boolean permanent, int expected) {
        assertThat(policy(n, window, lock, max, permanent).worstCaseFailuresPerHour()).isEqualTo(expected);
    }

    @Test
    void refusesEveryPolicyAboveTheCeilingNamingTheKeys() {
        assertThat(policy(52, 60, 60, 1440, false).problems()).singleElement().asString()
                .contains("account.max.failures").contains("account.window.minutes").contains("lock.minutes")
                .contains("102");
        assertThat(policy(51, 60, 60, 1440, false).problems()).isEmpty();
        assertThat(policy(5, 15, 1, 1, false).problems()).isNotEmpty();
        assertThat(policy(101, 60, 60, 1440, true).problems()).anySatisfy(p -> assertThat(p)
                .startsWith("account.max.failures must be 1 to 100"));
        assertThat(policy(5, 15, 30, 10, false).problems()).anySatisfy(p -> assertThat(p)
                .contains("lock.max.minutes (10) is shorter than lock.minutes (30)"));
    }

    /** The schedule the computation finds for the defaults, played against the real guard, makes 21 count. */
    @Test
    void theWorstCaseOfTheDefaultsIsReachedByARealAttacker() {
        TestClock clock = new TestClock();
        List<Long> counted = new CopyOnWriteArrayList<>();
        SqliteDatabase db = new SqliteDatabase(dir.resolve("w.db"), 5000, 2);
        try {
            LockoutGuard guard = new LockoutGuard(db, TestConfig.defaults().config(), clock);
            guard.addListener(e -> {
                if (e.kind() == LockoutEvent.Kind.FAILURE) {
                    counted.add(e.time().toEpochMilli());
                }
            });
            Attempts a = new Attempts(guard);
            Instant hour = TestClock.T0.plus(Duration.ofHours(1));
            // a run begins just inside a window before the hour, then 3 failures as the hour starts
            clock.set(hour.minus(Duration.ofMinutes(15)).plusMillis(1));
            burst(a, clock, 1);
            clock.set(hour);
            burst(a, clock, 3);
            clock.set(hour.plusMillis(1));
            burst(a, clock, 4);
            clock.set(hour.plus(Duration.ofMinutes(15)).plusMillis(1));
            burst(a, clock, 4);
            clock.set(hour.plus(Duration.ofMinutes(30)).plusMillis(1));
            burst(a, clock, 5);
            clock.set(hour.plus(Duration.ofMinutes(45)).plusMillis(1));
            burst(a, clock, 5);
            assertThat(CeilingMath.maxInAnyHour(counted)).isEqualTo(21);
        } finally {
            db.close();
        }
    }

    private static void burst(Attempts a, TestClock clock, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(a.wrong("plc-1", "attacker-" + clock.millis() + "-" + i).reason())
                    .as("attempt at %s", clock.instant()).isEqualTo(Attempts.BAD);
        }
    }

    /** Attackers trying at random moments, and as fast as allowed, never beat the computed worst case. */
    @ParameterizedTest(name = "N={0} window={1} lock={2} max={3} permanent={4}")
    @CsvSource({
        "5, 15, 15, 1440, false",
        "5, 15, 15, 60, false",
        "3, 5, 2, 8, false",
        "10, 15, 15, 1440, false",
        "4, 10, 5, 5, false",
        "5, 15, 15, 1440, true",
        "8, 30, 10, 40, false",
    })
    void attackersNeverBeatTheComputedWorstCase(int n, int window, int lock, int max, boolean permanent) {
        Policy p = policy(n, window, lock, max, permanent);
        int worst = p.worstCaseFailuresPerHour();
        assertThat(worst).isLessThanOrEqualTo(Policy.HOURLY_CEILING);
        Random random = new Random(n * 31L + window * 7L + lock);
        int best = 0;
        for (int run = 0; run < 8; run++) {
            TestClock clock = new TestClock();
            List<Long> counted = new ArrayList<>();
            SqliteDatabase db = new SqliteDatabase(dir.resolve("a" + n + "-" + window + "-" + run + ".db"), 5000, 1);
            try {
                LockoutGuard guard = new LockoutGuard(db, TestConfig.defaults().account(n, window)
                        .locks(lock, max, permanent).sources(0, 15, 15, 0).budget(0, 50).config(), clock);
                assertThat(guard.gauges()).as("the policy is in force").containsEntry("policy_account_max_failures",
                        (long) n).containsEntry("policy_worst_case_failures_per_hour", (long) worst);
                guard.addListener(e -> {
                    if (e.kind() == LockoutEvent.Kind.FAILURE) {
                        counted.add(e.time().toEpochMilli());
                    }
                });
                Attempts a = new Attempts(guard);
                Instant end = clock.instant().plus(Duration.ofHours(5));
                // run 0: as fast as allowed, one try a second; others: bursts at random moments
                while (clock.instant().isBefore(end)) {
                    int tries = run == 0 ? 1 : 1 + random.nextInt(n);
                    for (int i = 0; i < tries; i++) {
                        a.wrong("plc-1", "a" + random.nextInt(1_000_000));
                    }
                    clock.advance(run == 0 ? Duration.ofSeconds(1)
                            : Duration.ofMillis(1 + random.nextInt(window * 60_000 + 60_000)));
                }
            } finally {
                db.close();
            }
            best = Math.max(best, CeilingMath.maxInAnyHour(counted));
        }
        assertThat(best).isLessThanOrEqualTo(worst);
    }
}
