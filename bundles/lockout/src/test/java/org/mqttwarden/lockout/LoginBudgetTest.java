package org.mqttwarden.lockout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.TestClock;

/**
 * The login budget of untrusted sources, on the guard with a clock the test moves: the login work of an
 * attempt is the time the test lets pass between its check and its outcome.
 */
class LoginBudgetTest {

    private static final Duration BCRYPT = Duration.ofMillis(100);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private SqliteDatabase db;
    private LockoutGuard guard;
    private int ids;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        // the arithmetic below is at 10 %
        guard = new LockoutGuard(db, TestConfig.defaults().budget(10).config(), clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** @return the guard's decision; when it allowed, {@code work} passes before the outcome */
    private Decision attempt(ClientRef c, Duration work, boolean success, String reason) {
        Decision d = guard.check(c);
        if (d.allowed()) {
            clock.advance(work);
            guard.outcome(c, success, reason);
        }
        return d;
    }

    /** A random username from a new client id: a flood's attempt. */
    private Decision flood() {
        int n = ids++;
        return attempt(new ClientRef("random-" + n, "flood-" + n, null), BCRYPT, false, Attempts.UNKNOWN);
    }

    /** Floods until the budget refuses (no time passes after the refusal). */
    private void spend() {
        while (flood().allowed()) {
            clock.advance(Duration.ofMillis(1));
        }
    }

    private long counter(String name) {
        return guard.counters().get(name);
    }

    @Test
    void untrustedLoginWorkTakesAtMostTheBudgetsShareOfTheTime() {
        Duration gap = Duration.ofMillis(5);
        long start = clock.millis();
        long work = 0;
        int allowed = 0;
        int refused = 0;
        for (int i = 0; i < 10_000; i++) {
            Decision d = flood();
            if (d.allowed()) {
                allowed++;
                work += BCRYPT.toMillis();
            } else {
                assertThat(d.reason()).isEqualTo(LockoutGuard.BUSY);
                refused++;
            }
            clock.advance(gap);
        }
        long elapsed = clock.millis() - start;
        assertThat(elapsed).isEqualTo(10_000 * 5 + allowed * 100L);
        // 10 % of the time, plus the bucket full to start with (100 ms) and the last attempt's debt (100 ms)
        assertThat(work).as("work of %d attempts in %d ms", allowed, elapsed).isLessThanOrEqualTo(elapsed / 10 + 200)
                .isGreaterThanOrEqualTo(elapsed / 10 - 200);
        assertThat(counter("budget_refused")).isEqualTo(refused);
        assertThat(counter("budget_spent_ms")).isEqualTo(work);
        assertThat(counter("failures_counted")).isEqualTo(allowed);
        assertThat(guard.gauges().get("tracked_usernames")).as("refusals leave nothing behind").isEqualTo(allowed);
    }

    @Test
    void attemptsInFlightTogetherReserveAnEstimateSoParallelWorkersCannotOvershoot() {
        ClientRef[] c = new ClientRef[8];
        int allowed = 0;
        for (int i = 0; i < c.length; i++) {
            c[i] = new ClientRef("random-" + i, "flood-" + i, null);
            allowed += guard.check(c[i]).allowed() ? 1 : 0;
        }
        assertThat(allowed).as("about one bcrypt fits in the burst").isEqualTo(1);
        clock.advance(Duration.ofMillis(350));
        guard.outcome(c[0], false, Attempts.UNKNOWN);
        // 100 ms held, 35 ms refilled, 350 ms spent: 215 ms of debt, paid back in 2.15 s
        clock.advance(Duration.ofMillis(2149));
        assertThat(flood().reason()).isEqualTo(LockoutGuard.BUSY);
        clock.advance(Duration.ofMillis(2));
        assertThat(flood().allowed()).isTrue();
    }

    @Test
    void aLongAttemptLeavesADebtThatRefusesUntilTimeHasPaidItBackAtMostTenSeconds() {
        assertThat(attempt(new ClientRef("slow", "c-slow", null), Duration.ofSeconds(5), false, Attempts.UNKNOWN)
                .allowed()).isTrue();
        // the bucket held 100 ms and went 900 ms into debt (bounded at 1 s): 10 s to pay back at 10 %
        clock.advance(Duration.ofSeconds(10).minusMillis(1));
        assertThat(flood().reason()).isEqualTo(LockoutGuard.BUSY);
        clock.advance(Duration.ofMillis(2));
        assertThat(flood().allowed()).isTrue();
    }

    @Test
    void aTrustedSourceNeedsNoBudgetAndARefusalIsNoFailure() {
        ClientRef device = new ClientRef("plc-1", "plc-1", null);
        assertThat(attempt(device, BCRYPT, true, Attempts.OK).allowed()).as("its first login").isTrue();
        spend();
        ClientRef attacker = new ClientRef("plc-1", "attacker", null);
        assertThat(attempt(attacker, BCRYPT, false, Attempts.BAD).reason()).isEqualTo(LockoutGuard.BUSY);
        long failures = counter("failures_counted");
        for (int i = 0; i < 100; i++) {
            // remembered logins: no time passes, so the budget stays spent
            assertThat(attempt(device, Duration.ZERO, true, Attempts.OK).allowed()).as("the device, %d", i).isTrue();
            assertThat(attempt(attacker, Duration.ZERO, false, Attempts.BAD).reason()).isEqualTo(LockoutGuard.BUSY);
        }
        assertThat(counter("failures_counted")).isEqualTo(failures);
        assertThat(guard.list()).filteredOn(e -> e.name().equals("plc-1")).isEmpty();
    }

    @Test
    void theRefusalIsTheSameForAnExistingAccountAndAnUnknownUsername() {
        ClientRef known = new ClientRef("plc-1", "c-1", null);
        attempt(known, BCRYPT, false, Attempts.BAD); // plc-1 is now known to have an account, and stored
        spend();
        ClientRef ghost = new ClientRef("ghost", "c-2", null);
        Decision forKnown = guard.check(known);
        Decision forGhost = guard.check(ghost);
        assertThat(forKnown.allowed()).isFalse();
        assertThat(forKnown).isEqualTo(forGhost);
        assertThat(forKnown.reason()).isEqualTo(LockoutGuard.BUSY);
    }

    @Test
    void aCheckThatIsCheapWhateverThePasswordNeedsNoBudgetYetStillCountsItsFailures() {
        spend();
        assertThat(flood().reason()).isEqualTo(LockoutGuard.BUSY);
        // a generated-form password: the engine checks it in microseconds, whatever the account
        ClientRef newDevice = new ClientRef("plc-new", "plc-new", null);
        Decision d = guard.check(newDevice, false);
        assertThat(d.allowed()).as("a new device with a generated secret during a flood").isTrue();
        guard.outcome(newDevice, true, Attempts.OK);
        assertThat(flood().reason()).as("the budget is still spent for bcrypt work").isEqualTo(LockoutGuard.BUSY);

        ClientRef guesser = new ClientRef("plc-new", "other-client", null);
        for (int i = 0; i < 5; i++) {
            Decision g = guard.check(guesser, false);
            assertThat(g.allowed()).isTrue();
            guard.outcome(guesser, false, Attempts.BAD);
        }
        assertThat(guard.check(guesser, false).reason()).as("cheap guesses are counted and lock")
                .isEqualTo("lockout.locked");
        assertThat(guard.check(newDevice, false).allowed()).as("the device's trusted source is not locked")
                .isTrue();
    }

    @Test
    void shedsAtOnceExactlyWhatTheCheckWouldRefuseForTheBudgetWithoutReservingAnything() {
        ClientRef device = new ClientRef("plc-1", "plc-1", null);
        assertThat(attempt(device, BCRYPT, true, Attempts.OK).allowed()).isTrue();
        ClientRef stranger = new ClientRef("random-x", "flood-x", null);
        assertThat(guard.shed(stranger, true)).as("budget left").isFalse();
        spend();
        long refused = counter("budget_refused");
        assertThat(guard.shed(stranger, true)).isTrue();
        assertThat(counter("budget_refused")).isEqualTo(refused + 1);
        assertThat(guard.shed(stranger, false)).as("a cheap check needs no budget").isFalse();
        assertThat(guard.shed(device, true)).as("a trusted origin needs no budget").isFalse();
        // shedding reserved nothing: the check refuses the same attempt for the budget, and nothing is owed
        assertThat(guard.check(stranger).reason()).isEqualTo(LockoutGuard.BUSY);
        clock.advance(Duration.ofSeconds(11));
        assertThat(guard.shed(stranger, true)).as("paid back").isFalse();
        assertThat(flood().allowed()).isTrue();
    }

    @Test
    void theBudgetFollowsTheConfigurationLiveAndZeroTurnsItOff() {
        spend();
        guard.modified(TestConfig.defaults().budget(0).config());
        for (int i = 0; i < 50; i++) {
            assertThat(flood().allowed()).isTrue();
        }
        assertThat(guard.gauges().get("policy_login_budget_percent")).isZero();
        guard.modified(TestConfig.defaults().budget(50).config());
        clock.advance(Duration.ofSeconds(10));
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            allowed += flood().allowed() ? 1 : 0;
        }
        // 500 ms held; each attempt of 100 ms refills 50 ms: ten attempts empty it
        assertThat(allowed).isEqualTo(10);
        guard.modified(TestConfig.defaults().budget(101).config());
        assertThat(guard.gauges().get("policy_login_budget_percent")).as("refused").isEqualTo(50);
    }

    /**
     * Refusals are charged what they cost the broker: at 10 % with 100 µs per refusal, a flood of 1 000
     * attempts a second costs 10 % in refusals alone, so after the first second's bucket no password work is
     * admitted at all; at 500 a second, password work and refusals share the 10 %.
     */
    @Test
    void refusalsAreChargedSoPasswordWorkAndRefusalsTogetherKeepWithinTheBudget() {
        guard.modified(TestConfig.defaults().budget(10, 100).config());
        for (int rate : new int[] {1000, 500}) {
            clock.advance(Duration.ofSeconds(11)); // the bucket full again
            Duration gap = Duration.ofNanos(1_000_000_000L / rate);
            long start = clock.millis();
            long work = 0;
            long refusedBefore = counter("budget_refused");
            for (int i = 0; i < rate * 60; i++) {
                if (flood().allowed()) {
                    work += BCRYPT.toMillis();
                }
                clock.advance(gap);
            }
            long elapsed = clock.millis() - start;
            long refused = counter("budget_refused") - refusedBefore;
            long charged = refused / 10; // ms, at 100 µs each
            assertThat(work + charged).as("%d/s: work %d ms + refusals %d ms in %d ms", rate, work, charged, elapsed)
                    .isLessThanOrEqualTo(elapsed / 10 + 200)
                    .isGreaterThanOrEqualTo(elapsed / 10 - 200);
            if (rate == 1000) {
                assertThat(work).as("only the first bucket's worth at 1 000/s").isLessThanOrEqualTo(200);
            } else {
                assertThat(work).as("half of the budget left for password work at 500/s")
                        .isBetween(elapsed / 20 - 500, elapsed / 20 + 500);
            }
        }
    }

    @Test
    void chargedRefusalsRunADebtOfAtMostTenSecondsSoLoginsComeBackSoonAfterAFloodStops() {
        guard.modified(TestConfig.defaults().budget(10, 1000).config());
        spend();
        for (int i = 0; i < 100_000; i++) {
            assertThat(flood().reason()).isEqualTo(LockoutGuard.BUSY);
        }
        // 100 s of refusals charged, the debt bounded at ten seconds' filling: 1 s, paid back in 10 s
        clock.advance(Duration.ofSeconds(10).plusMillis(2));
        assertThat(flood().allowed()).isTrue();
    }
}
