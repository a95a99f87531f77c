package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.testsupport.TestClock;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/** Repeated allows on a real SQLite file: one row per key and window, the rest counted exactly. */
class AllowSummaryTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("warden/audit.db");
    }

    private AuditLog summarising(long windowMs, int maxKeys, Clock clock) {
        return Logs.open(file(), Map.of("allow.mode", "summarise", "allow.window.seconds", (int) (windowMs / 1000),
                "allow.max.keys", maxKeys), clock);
    }

    private AuditLog summarising() {
        return summarising(300_000, 100_000, Clock.systemUTC());
    }

    private static SecurityEvent acl(String user, String topic, int n) {
        return new SecurityEvent(Events.T0.plusMillis(n), EventType.ACL, Outcome.ALLOW, "acl.rule", user,
                Set.of("sensor"), user + "-client", null, topic, Access.READ, null, Map.of("rule", "1"));
    }

    /** Every row of the file, read back after the log is closed (so every count is flushed). */
    private List<AuditRecord> rowsAfterClosing(AuditLog log) {
        log.close();
        AuditLog reader = Events.open(file());
        try {
            assertThat(reader.verify().ok()).isTrue();
            return Logs.all(reader);
        } finally {
            reader.close();
        }
    }

    private static boolean isSummary(AuditRecord r) {
        return AllowSummariser.SUMMARY_REASON.equals(r.reason());
    }

    /** Individual allow rows plus summary counts of one user's ACL allows. */
    private static long allowsOf(List<AuditRecord> rows, String user) {
        return rows.stream().filter(r -> r.type() == EventType.ACL && r.outcome() == Outcome.ALLOW
                && user.equals(r.username())).mapToLong(r -> isSummary(r) ? Long.parseLong(r.detail().get("count"))
                        : 1).sum();
    }

    @Test
    void thousandIdenticalAllowsBecomeOneRowAndOneSummaryOf999() {
        AuditLog log = summarising();
        for (int i = 0; i < 1000; i++) {
            log.accept(acl("alice", "plant/1/temp", i));
        }

        List<AuditRecord> rows = rowsAfterClosing(log);

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).reason()).isEqualTo("acl.rule");
        assertThat(rows.get(0).time()).isEqualTo(Events.T0);
        AuditRecord summary = rows.get(1);
        assertThat(summary.reason()).isEqualTo(AllowSummariser.SUMMARY_REASON);
        assertThat(summary.type()).isEqualTo(EventType.ACL);
        assertThat(summary.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(summary.username()).isEqualTo("alice");
        assertThat(summary.clientId()).isEqualTo("alice-client");
        assertThat(summary.topic()).isEqualTo("plant/1/temp");
        assertThat(summary.access()).isEqualTo(Access.READ);
        assertThat(summary.detail()).containsExactlyInAnyOrderEntriesOf(Map.of("count", "999", "from",
                Events.T0.plusMillis(1).toString(), "to", Events.T0.plusMillis(999).toString()));
    }

    @Test
    void recordsEveryDenyAndCountsEachKeysAllowsExactly() throws Exception {
        AuditLog log = summarising();
        int denies = 0;
        for (int i = 0; i < 3000; i++) {
            log.accept(acl("user" + (i % 3), "plant/" + (i % 3) + "/temp", i));
            if (i % 10 == 0) {
                log.accept(Events.deny("user" + (i % 3), i)).toCompletableFuture().get(5, TimeUnit.SECONDS);
                denies++;
            }
        }

        List<AuditRecord> rows = rowsAfterClosing(log);

        assertThat(rows).filteredOn(r -> r.outcome() == Outcome.DENY).hasSize(denies);
        for (int k = 0; k < 3; k++) {
            String user = "user" + k;
            assertThat(allowsOf(rows, user)).as(user).isEqualTo(1000);
            assertThat(rows).filteredOn(r -> user.equals(r.username()) && r.outcome() == Outcome.ALLOW
                    && !isSummary(r)).hasSize(1);
        }
    }

    @Test
    void anEndedWindowBecomesASummaryAndTheNextAllowIsARowAgain() {
        TestClock clock = new TestClock(Events.T0);
        AuditLog log = summarising(1000, 100_000, clock);
        for (int i = 0; i < 5; i++) {
            log.accept(acl("bob", "a/b", i));
        }
        clock.advance(Duration.ofMillis(1000));
        // the log's own sweeper notices the ended window
        await().atMost(Duration.ofSeconds(5)).until(() -> log.tail(10).stream().anyMatch(AllowSummaryTest::isSummary));
        for (int i = 10; i < 13; i++) {
            log.accept(acl("bob", "a/b", i));
        }

        List<AuditRecord> rows = rowsAfterClosing(log);

        assertThat(rows).extracting(AuditRecord::reason).containsExactly("acl.rule",
                AllowSummariser.SUMMARY_REASON, "acl.rule", AllowSummariser.SUMMARY_REASON);
        assertThat(rows.get(1).detail()).containsEntry("count", "4");
        assertThat(rows.get(2).time()).isEqualTo(Events.T0.plusMillis(10));
        assertThat(rows.get(3).detail()).containsEntry("count", "2");
    }

    @Test
    void anAllowAfterItsWindowEndedFlushesTheCountItself() {
        TestClock clock = new TestClock(Events.T0);
        AuditLog log = summarising(3_600_000, 100_000, clock);
        for (int i = 0; i < 3; i++) {
            log.accept(acl("bob", "a/b", i));
        }
        clock.advance(Duration.ofHours(1));
        log.accept(acl("bob", "a/b", 10));

        List<AuditRecord> rows = rowsAfterClosing(log);

        assertThat(rows).filteredOn(r -> !isSummary(r)).extracting(AuditRecord::time).containsExactly(Events.T0,
                Events.T0.plusMillis(10));
        assertThat(rows).filteredOn(AllowSummaryTest::isSummary).singleElement()
                .satisfies(r -> assertThat(r.detail()).containsEntry("count", "2"));
    }

    @Test
    void allModeRecordsEveryAllow() {
        AuditLog log = Logs.open(file(), Map.of("allow.mode", "all"));
        for (int i = 0; i < 200; i++) {
            log.accept(acl("carol", "x/y", i));
        }

        List<AuditRecord> rows = rowsAfterClosing(log);

        assertThat(rows).hasSize(200).noneMatch(AllowSummaryTest::isSummary);
    }

    @Test
    void summarisesSuperuserAnswersButRecordsEveryLogin() {
        AuditLog log = summarising();
        for (int i = 0; i < 10; i++) {
            log.accept(new SecurityEvent(Events.T0.plusMillis(i), EventType.SUPERUSER, Outcome.DENY, "superuser.no",
                    "dave", null, "dave-client", null, null, null, null, null));
            log.accept(new SecurityEvent(Events.T0.plusMillis(i), EventType.AUTH, Outcome.ALLOW, "auth.ok", "dave",
                    null, "dave-client", "192.0.2.1", null, null, null, null));
        }

        List<AuditRecord> rows = rowsAfterClosing(log);

        assertThat(rows).filteredOn(r -> r.type() == EventType.AUTH).hasSize(10);
        assertThat(rows).filteredOn(r -> r.type() == EventType.SUPERUSER).extracting(AuditRecord::reason)
                .containsExactly("superuser.no", AllowSummariser.SUMMARY_REASON);
        assertThat(rows).filteredOn(AllowSummaryTest::isSummary).singleElement()
                .satisfies(r -> {
                    assertThat(r.outcome()).isEqualTo(Outcome.DENY);
                    assertThat(r.detail()).containsEntry("count", "9");
                });
    }

    @Test
    void aFullKeyMapIsFlushedAndTheCountsStillAddUp() {
        AuditLog log = summarising(300_000, 10, Clock.systemUTC());
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 25; k++) {
                log.accept(acl("u" + k, "t", round * 100 + k));
            }
        }

        List<AuditRecord> rows = rowsAfterClosing(log);

        for (int k = 0; k < 25; k++) {
            assertThat(allowsOf(rows, "u" + k)).as("u" + k).isEqualTo(3);
        }
    }

    @Test
    void eightThreadsOfFiveThousandAllowsOverFiftyKeysAddUp() throws Exception {
        AuditLog log = summarising();
        int threads = 8;
        int perThread = 5000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    int k = (thread * perThread + i) % 50;
                    log.accept(acl("k" + k, "t/" + k, i));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        long lost = Logs.lost(log);

        List<AuditRecord> rows = rowsAfterClosing(log);

        assertThat(lost).isZero();
        long total = rows.stream().mapToLong(r -> isSummary(r) ? Long.parseLong(r.detail().get("count")) : 1).sum();
        assertThat(total).isEqualTo(threads * perThread);
        assertThat(rows).filteredOn(r -> !isSummary(r)).hasSize(50);
    }
}
