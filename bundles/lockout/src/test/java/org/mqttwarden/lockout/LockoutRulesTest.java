package org.mqttwarden.lockout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.lockout.LockoutEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.TestClock;

/** Every lockout rule, on a real SQLite file, with a clock the test moves. */
class LockoutRulesTest {

    private static final Duration MIN = Duration.ofMinutes(1);
    private static final Duration MS = Duration.ofMillis(1);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private final Attempts.Sink sink = new Attempts.Sink();
    private final List<LockoutEvent> observed = new CopyOnWriteArrayList<>();
    private SqliteDatabase db;
    private LockoutGuard guard;
    private Attempts a;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        start(TestConfig.defaults());
    }

    private void start(TestConfig config) {
        guard = new LockoutGuard(db, config.config(), clock);
        guard.setEvents(AuthStack.eventsTo(sink));
        guard.addListener(observed::add);
        a = new Attempts(guard);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void fail(String user, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(a.wrong(user).reason()).isEqualTo(Attempts.BAD);
        }
    }

    private long counter(String name) {
        return guard.counters().get(name);
    }

    private long rows() {
        return Jdbi.create(db.dataSource()).withHandle(h -> h.createQuery("SELECT COUNT(*) FROM warden_lockout")
                .mapTo(Long.class).one());
    }

    private LockoutEntry entry(String name) {
        return guard.list().stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
    }

    // ---- accounts

    @Test
    void fiveFailuresWithinTheWindowLockTheAccountAndTheRightPasswordDoesNotGetIn() {
        fail("plc-1", 4);
        assertThat(a.status("plc-1")).isEqualTo("lockout.ok");
        clock.advance(Duration.ofMinutes(15).minus(MS));
        fail("plc-1", 1);
        assertThat(a.status("plc-1")).isEqualTo("lockout.locked");
        assertThat(a.right("plc-1").reason()).as("the right password while locked").isEqualTo("lockout.locked");
        assertThat(counter("failures_counted")).isEqualTo(5);
        LockoutEntry e = entry("plc-1");
        assertThat(e.locked()).isTrue();
        assertThat(e.account()).isTrue();
        assertThat(e.lockedUntil()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
        assertThat(e.hourFailures()).isEqualTo(5);
    }

    @Test
    void aFailureExactlyOneWindowAfterTheFirstStartsANewRun() {
        fail("plc-1", 4);
        clock.advance(Duration.ofMinutes(15));
        fail("plc-1", 1);
        assertThat(a.status("plc-1")).isEqualTo("lockout.ok");
        assertThat(entry("plc-1").failures()).isEqualTo(1);
        fail("plc-1", 3);
        assertThat(a.status("plc-1")).isEqualTo("lockout.ok");
        fail("plc-1", 1);
        assertThat(a.status("plc-1")).isEqualTo("lockout.locked");
    }

    @Test
    void theLockEndsExactlyAtItsEndAndDoublesUpToTheCap() {
        guard.modified(TestConfig.defaults().locks(15, 60, false).config());
        long[] expected = {15, 30, 60, 60};
        for (long minutes : expected) {
            fail("plc-1", 5);
            Instant until = entry("plc-1").lockedUntil();
            assertThat(until).isEqualTo(clock.instant().plus(Duration.ofMinutes(minutes)));
            clock.set(until.minus(MS));
            assertThat(a.status("plc-1")).isEqualTo("lockout.locked");
            clock.set(until);
            assertThat(a.status("plc-1")).isEqualTo("lockout.ok");
        }
        fail("plc-1", 5);
        assertThat(entry("plc-1").lockCount()).isEqualTo(5);
        assertThat(entry("plc-1").lockedUntil()).isEqualTo(clock.instant().plus(Duration.ofMinutes(60)));
    }

    @Test
    void theLockHistoryIsForgottenOneCapAfterTheLastLockEnds() {
        guard.modified(TestConfig.defaults().locks(15, 60, false).config());
        fail("plc-1", 5);
        clock.advance(Duration.ofMinutes(15));
        fail("plc-1", 5);
        assertThat(entry("plc-1").lockedUntil()).isEqualTo(clock.instant().plus(Duration.ofMinutes(30)));
        clock.advance(Duration.ofMinutes(30 + 60));
        fail("plc-1", 5);
        assertThat(entry("plc-1").lockedUntil()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
    }

    @Test
    void permanentLocksLastUntilCleared() {
        guard.modified(TestConfig.defaults().locks(15, 1440, true).config());
        fail("plc-1", 5);
        LockoutEntry e = entry("plc-1");
        assertThat(e.permanent()).isTrue();
        assertThat(e.lockedUntil()).isNull();
        clock.advance(Duration.ofDays(3650));
        assertThat(a.status("plc-1")).isEqualTo("lockout.locked");
        assertThat(guard.clearAccount("plc-1", "shell:admin", "admin")).isTrue();
        assertThat(a.right("plc-1").allowed()).isTrue();
        assertThat(rows()).isZero();
    }

    @Test
    void aSuccessfulLoginResetsTheRunAndTheLockHistory() {
        fail("plc-1", 4);
        assertThat(a.right("plc-1").allowed()).isTrue();
        fail("plc-1", 4);
        assertThat(a.status("plc-1")).isEqualTo("lockout.ok");
        fail("plc-1", 1);
        clock.advance(Duration.ofMinutes(15));
        fail("plc-1", 5);
        assertThat(entry("plc-1").lockCount()).isEqualTo(2);
        clock.advance(Duration.ofMinutes(30));
        assertThat(a.right("plc-1").allowed()).isTrue();
        assertThat(entry("plc-1").lockCount()).isZero();
        fail("plc-1", 5);
        assertThat(entry("plc-1").lockedUntil()).as("back to the first lock's length")
                .isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
    }

    @Test
    void anErrorOrInvalidInputOrAnotherGuardsDenialIsNotAFailure() {
        ClientRef c = new ClientRef("plc-1", "c1", null);
        for (String reason : List.of("auth.error", "auth.invalid-password", "auth.invalid-username", "auth.disabled",
                "auth.guard-missing", "geo.denied", "lockout.locked")) {
            for (int i = 0; i < 6; i++) {
                assertThat(a.attempt(c, false, reason).reason()).isEqualTo(reason);
            }
        }
        assertThat(counter("failures_counted")).isZero();
        assertThat(a.status("plc-1")).isEqualTo("lockout.ok");
        assertThat(guard.gauges().get("tracked_usernames")).as("reservations all released").isZero();
    }

    @Test
    void aCheckThatIsNeverSettledHoldsItsPlaceSoTheLimitIsNeverOvershot() {
        guard.modified(TestConfig.defaults().budget(0).config());
        ClientRef c = new ClientRef("plc-1", "c1", null);
        for (int i = 0; i < 5; i++) {
            assertThat(guard.check(c).allowed()).isTrue();
        }
        assertThat(guard.check(c).reason()).isEqualTo("lockout.throttled");
        for (int i = 0; i < 5; i++) {
            guard.outcome(c, false, Attempts.BAD);
        }
        assertThat(guard.check(c).reason()).isEqualTo("lockout.locked");
        assertThat(counter("failures_counted")).isEqualTo(5);
    }

    @Test
    void aLockAndItsClearAreSecurityEventsAndEveryFailureReachesTheListeners() {
        fail("plc-1", 5);
        assertThat(sink.events).hasSize(1);
        SecurityEvent lock = sink.events.get(0);
        assertThat(lock.type()).isEqualTo(EventType.LOCKOUT);
        assertThat(lock.outcome()).isEqualTo(Outcome.DENY);
        assertThat(lock.reason()).isEqualTo("lockout.account-locked");
        assertThat(lock.username()).isEqualTo("plc-1");
        assertThat(lock.clientId()).isEqualTo("client-plc-1");
        assertThat(lock.detail()).containsEntry("failures", "5").containsEntry("lock_count", "1")
                .containsEntry("until", clock.instant().plus(Duration.ofMinutes(15)).toString())
                .containsEntry("cause", "failures").containsEntry("account", "yes");
        assertThat(observed).extracting(LockoutEvent::kind).containsExactly(LockoutEvent.Kind.FAILURE,
                LockoutEvent.Kind.FAILURE, LockoutEvent.Kind.FAILURE, LockoutEvent.Kind.FAILURE,
                LockoutEvent.Kind.FAILURE, LockoutEvent.Kind.ACCOUNT_LOCKED);
        assertThat(guard.clearAccount("plc-1", "shell:karaf", "admin")).isTrue();
        SecurityEvent clear = sink.events.get(1);
        assertThat(clear.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(clear.reason()).isEqualTo("lockout.cleared");
        assertThat(clear.actor()).isEqualTo("shell:karaf");
        assertThat(clear.detail()).containsEntry("cause", "admin");
        assertThat(guard.clearAccount("plc-1", "shell:karaf", "admin")).as("nothing left to clear").isFalse();
        assertThat(sink.events).hasSize(2);
    }

    // ---- origins: no lockout by username alone

    private List<LockoutEntry> entries(String name) {
        return guard.list().stream().filter(e -> e.name().equals(name)).toList();
    }

    @Test
    void failuresFromOtherSourcesLockOnlyThoseSourcesAndTheDeviceKeepsGettingInFromItsOwn() {
        assertThat(a.right("plc-1", "plc-1").allowed()).isTrue();
        for (int i = 0; i < 30; i++) {
            assertThat(a.wrong("plc-1", "attacker-" + i).reason()).as("attempt %d", i)
                    .isEqualTo(i < 5 ? Attempts.BAD : "lockout.locked");
        }
        assertThat(a.right("plc-1", "plc-1").allowed()).as("the device, from its trusted source").isTrue();
        assertThat(a.right("plc-1", "a-new-device").reason()).as("the right password from an untrusted source")
                .isEqualTo("lockout.locked");
        assertThat(counter("failures_counted")).isEqualTo(5);
        assertThat(entries("plc-1")).singleElement().satisfies(e -> {
            assertThat(e.scope()).isEqualTo(LockoutEntry.UNTRUSTED);
            assertThat(e.locked()).isTrue();
            assertThat(e.lockedUntil()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
        });
        assertThat(sink.events).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("lockout.account-locked");
            assertThat(e.detail()).containsEntry("scope", LockoutEntry.UNTRUSTED);
        });
        assertThat(observed).filteredOn(e -> e.kind() == LockoutEvent.Kind.ACCOUNT_LOCKED)
                .extracting(LockoutEvent::scope).containsExactly(LockoutEntry.UNTRUSTED);
        assertThat(rows()).as("the untrusted sources' lock is stored").isEqualTo(1);
    }

    @Test
    void failuresFromTheTrustedSourceItselfLockThatSourceOnly() {
        assertThat(a.right("plc-1", "plc-1").allowed()).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(a.wrong("plc-1", "plc-1").reason()).isEqualTo(Attempts.BAD);
        }
        assertThat(a.right("plc-1", "plc-1").reason()).as("the trusted source is locked")
                .isEqualTo("lockout.locked");
        assertThat(a.right("plc-1", "plc-1-spare").allowed()).as("another source is not").isTrue();
        assertThat(entries("plc-1")).singleElement().satisfies(e -> {
            assertThat(e.scope()).isEqualTo(LockoutEntry.TRUSTED + "client:plc-1");
            assertThat(e.locked()).isTrue();
            assertThat(e.failures()).isZero();
            assertThat(e.lockCount()).isEqualTo(1);
            assertThat(e.hourFailures()).isEqualTo(5);
        });
        assertThat(sink.events.get(0).detail()).containsEntry("scope", LockoutEntry.TRUSTED + "client:plc-1");
        clock.advance(Duration.ofMinutes(15));
        assertThat(a.right("plc-1", "plc-1").allowed()).as("once the lock ends").isTrue();
        assertThat(entries("plc-1")).as("the success reset that source's run and history").hasSize(1)
                .allSatisfy(e -> assertThat(e.scope()).isEqualTo(LockoutEntry.UNTRUSTED));
    }

    @Test
    void theAddressIsPartOfTheSourceWhenKnown() {
        ClientRef device = new ClientRef("plc-1", "plc-1", "10.0.0.5");
        assertThat(a.attempt(device, true, Attempts.OK).allowed()).isTrue();
        for (int i = 0; i < 5; i++) {
            // the attacker knows the client id, not the address
            assertThat(a.attempt(new ClientRef("plc-1", "plc-1", "192.0.2.66"), false, Attempts.BAD).reason())
                    .isEqualTo(Attempts.BAD);
        }
        assertThat(a.attempt(new ClientRef("plc-1", "plc-1", "192.0.2.66"), true, Attempts.OK).reason())
                .isEqualTo("lockout.locked");
        assertThat(a.attempt(device, true, Attempts.OK).allowed()).isTrue();
        assertThat(entries("plc-1")).singleElement().extracting(LockoutEntry::scope)
                .isEqualTo(LockoutEntry.UNTRUSTED);
        for (int i = 0; i < 5; i++) {
            a.attempt(device, false, Attempts.BAD);
        }
        assertThat(entries("plc-1")).extracting(LockoutEntry::scope).containsExactly(LockoutEntry.UNTRUSTED,
                LockoutEntry.TRUSTED + "client:plc-1 addr:10.0.0.5");
    }

    @Test
    void trustEndsAfterTheTrustDaysAndWithTheAccount() {
        assertThat(a.right("plc-1", "plc-1").allowed()).isTrue();
        clock.advance(Duration.ofDays(30));
        for (int i = 0; i < 5; i++) {
            a.wrong("plc-1", "attacker-" + i);
        }
        assertThat(a.right("plc-1", "plc-1").reason()).as("30 days without a login").isEqualTo("lockout.locked");
        assertThat(guard.clearAccount("plc-1", "shell:admin", "admin")).isTrue();
        assertThat(a.right("plc-1", "plc-1").allowed()).isTrue();
        assertThat(guard.gauges().get("trusted_sources")).isEqualTo(1);
        guard.clearAccount("plc-1", "shell:admin", "account-removed");
        assertThat(guard.gauges().get("trusted_sources")).as("a removed account's sources are forgotten").isZero();
        for (int i = 0; i < 5; i++) {
            a.wrong("plc-1", "attacker-" + i);
        }
        assertThat(a.right("plc-1", "plc-1").reason()).isEqualTo("lockout.locked");
    }

    // ---- usernames without an account

    @Test
    void aUsernameWithoutAnAccountIsLockedLikeAnAccountButNeverStored() {
        for (int i = 0; i < 5; i++) {
            assertThat(a.ghost("ghost", "c" + i).reason()).isEqualTo(Attempts.UNKNOWN);
        }
        assertThat(a.status("ghost")).as("same answer as a locked account").isEqualTo("lockout.locked");
        assertThat(entry("ghost").account()).isFalse();
        assertThat(rows()).isZero();
        fail("plc-1", 5);
        assertThat(rows()).isEqualTo(1);
        assertThat(sink.events).extracting(e -> e.detail().get("account")).containsExactly("no", "yes");
    }

    @Test
    void usernamesWithoutAnAccountAreTrackedOnlyUpToTheLimitLeastRecentlyFailedFirst() {
        guard.modified(TestConfig.defaults().tracked(100, 50_000).sources(0, 15, 15, 30).config());
        for (int i = 0; i < 5; i++) {
            a.ghost("first-victim", "c");
        }
        for (int i = 0; i < 1000; i++) {
            clock.advance(Duration.ofMillis(100));
            a.ghost("guess-" + i, "c");
        }
        assertThat(guard.gauges().get("tracked_unknown")).isLessThanOrEqualTo(100);
        assertThat(counter("evictions")).isGreaterThanOrEqualTo(900);
        assertThat(a.status("guess-999")).as("the newest are kept").isEqualTo("lockout.ok");
        assertThat(entry("guess-999")).isNotNull();
        assertThat(entry("guess-0")).isNull();
        assertThat(entry("first-victim")).as("locked ones are forgotten last").isNotNull();
        assertThat(rows()).isZero();
    }

    // ---- sources

    @Test
    void oneSourceSprayingManyAccountsIsThrottledWithoutLockingTheOwners() {
        for (int i = 0; i < 20; i++) {
            assertThat(a.wrong("dev-" + i, "sprayer").reason()).isEqualTo(Attempts.BAD);
        }
        assertThat(a.wrong("dev-20", "sprayer").reason()).isEqualTo("lockout.source-throttled");
        assertThat(a.wrong("dev-0", "sprayer").reason()).isEqualTo("lockout.source-throttled");
        for (int i = 0; i < 21; i++) {
            assertThat(a.right("dev-" + i, "dev-" + i).allowed()).as("owner of dev-%d", i).isTrue();
        }
        assertThat(sink.events).extracting(SecurityEvent::reason).containsExactly("lockout.source-locked");
        assertThat(sink.events.get(0).detail()).containsEntry("source", "client:sprayer");
        LockoutEntry source = entry("client:sprayer");
        assertThat(source.locked()).isTrue();
        assertThat(source.lockedUntil()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
        clock.advance(Duration.ofMinutes(15));
        assertThat(a.wrong("dev-20", "sprayer").reason()).isEqualTo(Attempts.BAD);
    }

    @Test
    void anAddressSprayingWithEverNewClientIdsIsThrottled() {
        for (int i = 0; i < 20; i++) {
            assertThat(a.attempt(new ClientRef("dev-" + i, "id-" + i, "192.0.2.7"), false, Attempts.BAD).reason())
                    .isEqualTo(Attempts.BAD);
        }
        assertThat(a.attempt(new ClientRef("dev-99", "id-99", "192.0.2.7"), true, Attempts.OK).reason())
                .isEqualTo("lockout.source-throttled");
        assertThat(a.attempt(new ClientRef("dev-99", "id-99", "192.0.2.8"), true, Attempts.OK).allowed()).isTrue();
        assertThat(guard.clearSource(SourceKey.parse("addr:192.0.2.7"), "shell:admin")).isTrue();
        assertThat(a.attempt(new ClientRef("dev-99", "id-99", "192.0.2.7"), true, Attempts.OK).allowed()).isTrue();
        assertThat(sink.events).extracting(SecurityEvent::reason).containsExactly("lockout.source-locked",
                "lockout.source-cleared");
    }

    @Test
    void aDeviceKeepsLoggingInFromItsOwnClientIdWhenAnAttackerLocksThatClientId() {
        assertThat(a.right("plc-7", "plc-7").allowed()).isTrue();
        for (int i = 0; i < 20; i++) {
            a.ghost("guess-" + i, "plc-7");
        }
        assertThat(entry("client:plc-7").locked()).isTrue();
        assertThat(a.ghost("guess-x", "plc-7").reason()).isEqualTo("lockout.source-throttled");
        assertThat(a.right("plc-7", "plc-7").allowed()).as("trusted pair").isTrue();
        guard.modified(TestConfig.defaults().sources(20, 15, 15, 0).config());
        assertThat(a.right("plc-7", "plc-7").reason()).as("without trust").isEqualTo("lockout.source-throttled");
    }

    @Test
    void aSuccessDoesNotResetASourcesCount() {
        for (int i = 0; i < 19; i++) {
            a.wrong("dev-" + i, "mixed");
        }
        assertThat(a.right("own", "mixed").allowed()).isTrue();
        a.wrong("dev-x", "mixed");
        assertThat(entry("client:mixed").locked()).isTrue();
    }

    // ---- the ceiling

    @Test
    void theOwnersLoginsFromItsTrustedSourceDoNotResetTheAttackersRun() {
        // the owner's device logs in between the attacker's guesses: only its own source's run is reset
        assertThat(a.right("plc-1").allowed()).isTrue();
        int counted = 0;
        for (int i = 0; i < 60 * 6; i++) {
            for (int g = 0; g < 4; g++) {
                if (a.wrong("plc-1", "attacker-" + i).reason().equals(Attempts.BAD)) {
                    counted++;
                }
            }
            assertThat(a.right("plc-1").allowed()).as("the owner at %d", i).isTrue();
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(counted).as("failures counted in the hour: three runs of 5 (locks of 15, 30, 60 minutes)")
                .isEqualTo(15);
        assertThat(sink.events).extracting(e -> e.detail().get("scope")).containsOnly(LockoutEntry.UNTRUSTED);
    }

    @Test
    void successesFromEverNewSourcesBetweenGuessesDoNotLetAnAttackerPastOneHundredFailuresAnHourAndTheCeilingLocksEverySource() {
        // each success from a source not trusted yet resets the untrusted sources' run; the hour still counts
        assertThat(a.right("plc-1", "plc-1-home").allowed()).isTrue();
        int counted = 0;
        for (int i = 0; i < 60 * 6; i++) {
            for (int g = 0; g < 4; g++) {
                if (a.wrong("plc-1", "attacker-" + i).reason().equals(Attempts.BAD)) {
                    counted++;
                }
            }
            a.right("plc-1", "plc-1-new-" + i);
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(counted).as("failures counted in the hour").isEqualTo(100);
        assertThat(sink.events).extracting(e -> e.detail().get("cause")).containsExactly("ceiling");
        assertThat(sink.events.get(0).detail()).containsEntry("scope", LockoutEntry.ALL);
        assertThat(a.status("plc-1")).isEqualTo("lockout.locked");
        assertThat(a.right("plc-1", "plc-1-home").reason()).as("a trusted source too").isEqualTo("lockout.locked");
        LockoutEntry all = guard.list().get(0);
        assertThat(all.scope()).isEqualTo(LockoutEntry.ALL);
        assertThat(all.locked()).isTrue();
        assertThat(all.hourFailures()).isEqualTo(100);
    }

    @Test
    void theHardCeilingLocksAtOneHundredEvenUnderAPolicyThatWouldAllowMore() {
        Policy loose = new Policy(100, 1, 1, 1, false, 0, 15, 15, 0, 50_000, 50_000, 0, 50);
        assertThat(loose.problems()).isNotEmpty();
        // no configuration can put such a policy in force (it is refused): the rules themselves get it
        List<Long> failures = new CopyOnWriteArrayList<>();
        Lockouts rules = new Lockouts(new LockoutStore(db), loose, clock, () -> clock.millis() * 1_000_000L, e -> {
            if (e.kind() == LockoutEvent.Kind.FAILURE && "plc-1".equals(e.username())) {
                failures.add(e.time().toEpochMilli());
            }
        });
        Attempts a = new Attempts(new LoginGuard() {
            @Override
            public Decision check(ClientRef client) {
                return rules.check(client, true);
            }

            @Override
            public void outcome(ClientRef client, boolean success, String reason) {
                rules.outcome(client, success, reason);
            }
        });
        Instant end = clock.instant().plus(Duration.ofHours(4));
        while (clock.instant().isBefore(end)) {
            a.wrong("plc-1");
            clock.advance(Duration.ofSeconds(5));
        }
        assertThat(CeilingMath.maxInAnyHour(failures)).isEqualTo(100);
        assertThat(failures.size()).isBetween(300, 400);
    }

    // ---- configuration

    @Test
    void aLoweredLimitAppliesAtOnceEvenToACountInProgress() {
        fail("plc-1", 3);
        guard.modified(TestConfig.defaults().account(3, 15).config());
        assertThat(a.status("plc-1")).isEqualTo("lockout.locked");
        assertThat(sink.events).hasSize(1);
        fail("plc-2", 3);
        assertThat(a.status("plc-2")).isEqualTo("lockout.locked");
    }

    @Test
    void aConfigurationAboveTheCeilingIsRefusedAndTheRulesInForceStay() {
        guard.modified(TestConfig.defaults().account(3, 15).config());
        guard.modified(TestConfig.defaults().account(50, 15).config());
        assertThat(guard.gauges()).containsEntry("policy_account_max_failures", 3L);
        guard.modified(TestConfig.defaults().account(5, 15).locks(1, 1, false).config());
        assertThat(guard.gauges()).containsEntry("policy_account_max_failures", 3L);
        guard.modified(TestConfig.defaults().locks(30, 10, false).config());
        assertThat(guard.gauges()).containsEntry("policy_lock_max_minutes", 1440L);
        assertThat(guard.counters()).containsEntry("config_refused", 3L);
    }

    @Test
    void anActivationWithARefusedConfigurationRunsOnTheDefaults() {
        db.close();
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        start(TestConfig.defaults().account(100, 1).locks(1, 1, false));
        Policy d = Policy.DEFAULTS;
        assertThat(guard.gauges()).containsEntry("policy_account_max_failures", (long) d.maxFailures())
                .containsEntry("policy_lock_minutes", (long) d.lockMinutes())
                .containsEntry("policy_lock_max_minutes", (long) d.lockMaxMinutes())
                .containsEntry("policy_source_max_failures", (long) d.sourceMaxFailures())
                .containsEntry("policy_worst_case_failures_per_hour", (long) d.worstCaseFailuresPerHour())
                .containsEntry("policy_login_budget_percent", (long) d.loginBudgetPercent());
    }

    @Test
    void anAttackersUsernameWithTerminalEscapesIsShownEscapedNeverRaw() throws Exception {
        String evil = "x\u001b[2J\u001b[31mroot\nLocked admin\u202e";
        fail(evil, 5);
        assertThat(entry(evil).locked()).isTrue();
        String out = org.mqttwarden.lockout.command.CommandsAccess.clear(guard, evil, null, "shell:karaf");
        assertThat(out).doesNotContain("\u001b", "\n", "\u202e")
                .isEqualTo("Account x\\u001B[2J\\u001B[31mroot\\u000ALocked admin\\u202E cleared");
    }
}
