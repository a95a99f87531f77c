package org.mqttwarden.lockout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.lockout.command.CommandsAccess;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.TestClock;

/** Lockout state across a restart, under concurrency, and cleared by account changes and the shell. */
class LockoutStateTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private SqliteDatabase db;
    private LockoutGuard guard;
    private Attempts a;
    private int clientIds;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        guard = new LockoutGuard(db, TestConfig.defaults().config(), clock);
        a = new Attempts(guard);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void restart() {
        db.close();
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        guard = new LockoutGuard(db, TestConfig.defaults().config(), clock);
        a = new Attempts(guard);
    }

    private LockoutEntry entry(String name) {
        return guard.list().stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
    }

    @Test
    void withTheStoreGoneLocksStillHoldInMemoryAndEveryFailedWriteIsCounted() {
        assertThat(a.right("plc-1").allowed()).isTrue();
        long errors = guard.counters().get("store_errors");
        db.close(); // the database goes away under a running guard
        for (int i = 0; i < 5; i++) {
            assertThat(a.wrong("plc-1", "attacker-" + i).allowed()).isFalse();
        }
        assertThat(a.wrong("plc-1", "attacker-new").reason()).as("locked for untrusted sources, in memory")
                .isEqualTo("lockout.locked");
        assertThat(a.right("plc-1").allowed()).as("the device's trusted source").isTrue();
        assertThat(guard.counters().get("store_errors")).isGreaterThan(errors);
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4); // for close()
    }

    @Test
    void aLockSurvivesARestartWithItsEndItsHistoryAndTheHoursCount() {
        for (int i = 0; i < 5; i++) {
            a.wrong("plc-1");
        }
        clock.advance(Duration.ofMinutes(15));
        for (int i = 0; i < 5; i++) {
            a.wrong("plc-1");
        }
        for (int i = 0; i < 3; i++) {
            a.wrong("plc-2");
        }
        for (int i = 0; i < 5; i++) {
            a.ghost("ghost", "g" + i);
        }
        LockoutEntry before = entry("plc-1");
        restart();
        LockoutEntry after = entry("plc-1");
        assertThat(after).isEqualTo(before);
        assertThat(after.lockedUntil()).isEqualTo(clock.instant().plus(Duration.ofMinutes(30)));
        assertThat(after.hourFailures()).isEqualTo(10);
        assertThat(a.right("plc-1").reason()).isEqualTo("lockout.locked");
        assertThat(entry("plc-2").failures()).isEqualTo(3);
        a.wrong("plc-2");
        a.wrong("plc-2");
        assertThat(a.status("plc-2")).as("the run goes on where it was").isEqualTo("lockout.locked");
        assertThat(entry("ghost")).as("usernames without an account live in memory only").isNull();
        clock.advance(Duration.ofMinutes(30));
        assertThat(a.right("plc-1").allowed()).isTrue();
    }

    @Test
    void trustedSourcesAndTheirLocksSurviveARestartAtMostSixteenPerAccount() {
        for (int i = 0; i < 20; i++) {
            assertThat(a.right("plc-1", "dev-" + i).allowed()).isTrue();
            clock.advance(Duration.ofMinutes(1));
        }
        for (int i = 0; i < 5; i++) {
            a.wrong("plc-1", "dev-19");
        }
        restart();
        for (int i = 0; i < 5; i++) {
            assertThat(a.wrong("plc-1", "attacker-" + i).reason()).isEqualTo(Attempts.BAD);
        }
        assertThat(a.right("plc-1", "attacker-x").reason()).isEqualTo("lockout.locked");
        assertThat(a.right("plc-1", "dev-19").reason()).as("its own lock survived").isEqualTo("lockout.locked");
        for (int i = 4; i < 19; i++) {
            assertThat(a.right("plc-1", "dev-" + i).allowed()).as("dev-%d trusted after the restart", i).isTrue();
        }
        assertThat(a.right("plc-1", "dev-3").reason()).as("only the newest 16 are kept").isEqualTo("lockout.locked");
        assertThat(guard.gauges().get("trusted_sources")).isEqualTo(16);
        long rows = Jdbi.create(db.dataSource()).withHandle(h -> h
                .createQuery("SELECT COUNT(*) FROM warden_lockout_trust WHERE username = 'plc-1'").mapTo(Long.class)
                .one());
        assertThat(rows).isEqualTo(16);
        assertThat(guard.list()).filteredOn(e -> !e.source()).extracting(LockoutEntry::scope)
                .containsExactly(LockoutEntry.UNTRUSTED, LockoutEntry.TRUSTED + "client:dev-19");
    }

    @Test
    void aPermanentLockSurvivesARestart() {
        guard.modified(TestConfig.defaults().locks(15, 1440, true).config());
        for (int i = 0; i < 5; i++) {
            a.wrong("plc-1");
        }
        restart();
        clock.advance(Duration.ofDays(400));
        assertThat(a.right("plc-1").reason()).isEqualTo("lockout.locked");
        assertThat(entry("plc-1").permanent()).isTrue();
    }

    @Test
    void fiveHundredParallelWrongAttemptsCountExactlyNFailuresAndNoneAfterTheLockGetsIn() throws Exception {
        guard.modified(TestConfig.defaults().budget(0).config());
        int n = 500;
        ExecutorService pool = Executors.newFixedThreadPool(64);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Decision>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ClientRef c = new ClientRef("plc-1", "attacker-" + i, null);
            results.add(pool.submit(() -> {
                go.await();
                return a.attempt(c, false, Attempts.BAD);
            }));
        }
        go.countDown();
        int bad = 0;
        for (Future<Decision> f : results) {
            String reason = f.get().reason();
            assertThat(reason).isIn(Attempts.BAD, "lockout.throttled", "lockout.locked");
            bad += reason.equals(Attempts.BAD) ? 1 : 0;
        }
        pool.shutdown();
        assertThat(bad).isEqualTo(5);
        assertThat(guard.counters().get("failures_counted")).isEqualTo(5);
        assertThat(guard.counters().get("account_locks")).isEqualTo(1);
        assertThat(a.right("plc-1").reason()).isEqualTo("lockout.locked");
        restart();
        assertThat(entry("plc-1").locked()).isTrue();
    }

    @Test
    void aPasswordChangeAnOtpUnlockAndAccountCreationClearTheLockAndOtherEventsDoNot() {
        AccountChanges changes = new AccountChanges(guard);
        Attempts.Sink sink = new Attempts.Sink();
        guard.setEvents(AuthStack.eventsTo(sink));
        try {
            for (String cause : List.of("account.password", "account.create", "account.remove")) {
                lockOut("plc-1");
                changes.accept(admin("account.enable", "plc-1"));
                changes.accept(admin("account.role-grant", "plc-1"));
                assertThat(changes.accept(admin(cause, "plc-1")).toCompletableFuture()).isCompleted();
                await().atMost(Duration.ofSeconds(5)).until(() -> entry("plc-1") == null);
                SecurityEvent cleared = sink.events.get(sink.events.size() - 1);
                assertThat(cleared.reason()).isEqualTo("lockout.cleared");
                assertThat(cleared.actor()).isEqualTo("shell:admin");
            }
            lockOut("plc-1");
            changes.accept(new SecurityEvent(clock.instant(), EventType.OTP, Outcome.ALLOW, "otp.unlock", "plc-1", null,
                    null, null, null, null, "otp", Map.of()));
            await().atMost(Duration.ofSeconds(5)).until(() -> entry("plc-1") == null);
            assertThat(sink.events.get(sink.events.size() - 1).detail()).containsEntry("cause", "otp");
            lockOut("plc-1");
            changes.accept(new SecurityEvent(clock.instant(), EventType.ADMIN_CHANGE, Outcome.DENY, "account.password",
                    "plc-1", null, null, null, null, null, "shell:admin", Map.of()));
            changes.accept(new SecurityEvent(clock.instant(), EventType.AUTH, Outcome.ALLOW, "auth.ok", "plc-1", null,
                    null, null, null, null, null, Map.of()));
            changes.close();
            assertThat(entry("plc-1").locked()).isTrue();
        } finally {
            changes.close();
        }
    }

    private void lockOut(String user) {
        for (int i = 0; i < 5; i++) {
            assertThat(a.wrong(user, "c-" + clientIds++).reason()).isEqualTo(Attempts.BAD);
        }
        assertThat(a.status(user)).isEqualTo("lockout.locked");
    }

    private SecurityEvent admin(String reason, String username) {
        return new SecurityEvent(Instant.now(), EventType.ADMIN_CHANGE, Outcome.ALLOW, reason, username, null, null,
                null, null, null, "shell:admin", Map.of());
    }

    @Test
    void theShellClearsAnAccountOrASourceAndSaysWhenThereIsNothing() throws Exception {
        lockOut("plc-1");
        for (int i = 0; i < 20; i++) {
            a.wrong("dev-" + i, "sprayer");
        }
        assertThat(guard.list()).extracting(CommandsAccess::kind, LockoutEntry::name).startsWith(
                org.assertj.core.groups.Tuple.tuple("account", "plc-1"),
                org.assertj.core.groups.Tuple.tuple("source", "client:sprayer"));
        assertThat(CommandsAccess.clear(guard, "plc-1", null, "shell:karaf")).isEqualTo("Account plc-1 cleared");
        assertThat(CommandsAccess.clear(guard, "plc-1", null, "shell:karaf"))
                .isEqualTo("Account plc-1 has no lock or failures; nothing to clear");
        assertThat(CommandsAccess.clear(guard, null, "client:sprayer", "shell:karaf"))
                .isEqualTo("Source client:sprayer cleared");
        assertThat(CommandsAccess.failure(guard, null, "sprayer")).contains("client:<client id> or addr:<ip address>");
        assertThat(CommandsAccess.failure(guard, null, null)).contains("either a username or --source");
        assertThat(CommandsAccess.failure(guard, "plc-1", "client:x")).contains("either a username or --source");
        assertThat(a.right("plc-1").allowed()).isTrue();
    }
}
