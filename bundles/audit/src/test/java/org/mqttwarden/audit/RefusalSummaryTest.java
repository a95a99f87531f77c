package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.testsupport.TestClock;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/** Repeated refusals are one row and a count; distinct keys past the cap are one aggregate with samples. */
class RefusalSummaryTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Events.T0);
    private AuditLog log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    private AuditLog open(int cap) {
        log = Logs.open(dir.resolve("audit.db"), Map.of("allow.mode", "summarise", "refusal.mode", "summarise",
                "refusal.window.seconds", 60, "refusal.rows.per.window", cap), clock);
        return log;
    }

    @Test
    void repeatsOfOneRefusalAreOneDurableRowAndOneSummary() throws Exception {
        open(1000);
        // the first is written and awaited like any denial
        log.accept(Events.deny("alice", 0)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        for (int i = 1; i < 50; i++) {
            // counted: complete at once
            assertThat(log.accept(Events.deny("alice", i)).toCompletableFuture().isDone()).isTrue();
        }
        // the log's own sweeper notices the ended window
        clock.advance(Duration.ofSeconds(61));

        List<AuditRecord> rows = written(2);
        assertThat(rows.get(0).reason()).isEqualTo("auth.bad-password");
        AuditRecord summary = rows.get(1);
        assertThat(summary.reason()).isEqualTo(AllowSummariser.REFUSAL_SUMMARY);
        assertThat(summary.type()).isEqualTo(EventType.AUTH);
        assertThat(summary.outcome()).isEqualTo(Outcome.DENY);
        assertThat(summary.username()).isEqualTo("alice");
        assertThat(summary.detail()).containsEntry("count", "49").containsEntry("reason", "auth.bad-password");
        assertThat(log.verify().ok()).isTrue();
    }

    @Test
    void distinctKeysPastTheCapAreAggregatedWithSamples() throws Exception {
        open(10);
        for (int i = 0; i < 100; i++) {
            log.accept(shed("user-" + i, i));
        }
        // a refusal of another reason has a cap of its own
        log.accept(Events.deny("bob", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        // the log's own sweeper notices the ended window
        clock.advance(Duration.ofSeconds(61));

        List<AuditRecord> rows = written(12);
        assertThat(rows.stream().filter(r -> LoginGuard.BUSY.equals(r.reason()))).hasSize(10);
        AuditRecord aggregate = rows.stream().filter(r -> r.reason().equals(AllowSummariser.REFUSAL_AGGREGATE))
                .findFirst().orElseThrow();
        assertThat(aggregate.detail()).containsEntry("count", "90").containsEntry("reason", LoginGuard.BUSY)
                .containsEntry("rows_per_window", "10");
        assertThat(aggregate.detail().get("samples").split(" ")).containsExactly("user-10/flood-10",
                "user-11/flood-11", "user-12/flood-12", "user-13/flood-13", "user-14/flood-14");
        assertThat(aggregate.username()).isNull();
    }

    @Test
    void aNewWindowStartsIndividualRowsAgain() throws Exception {
        open(3);
        for (int i = 0; i < 5; i++) {
            log.accept(shed("a-" + i, i));
        }
        clock.advance(Duration.ofSeconds(61));
        for (int i = 0; i < 5; i++) {
            log.accept(shed("b-" + i, i));
        }
        // the log's own sweeper notices the ended window
        clock.advance(Duration.ofSeconds(61));

        List<AuditRecord> rows = written(3 + 1 + 3 + 1);
        assertThat(rows.stream().filter(r -> LoginGuard.BUSY.equals(r.reason()))).hasSize(6);
        assertThat(rows.stream().filter(r -> r.reason().equals(AllowSummariser.REFUSAL_AGGREGATE))
                .mapToLong(r -> Long.parseLong(r.detail().get("count"))).sum()).isEqualTo(4);
    }

    @Test
    void lockoutsAndAdminChangesAreNeverSummarised() throws Exception {
        open(1);
        for (int i = 0; i < 3; i++) {
            log.accept(new SecurityEvent(Events.T0, EventType.LOCKOUT, Outcome.DENY, "lockout.locked", "x", Set.of(),
                    null, null, null, null, null, Map.of())).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }

        assertThat(written(3)).allMatch(r -> r.reason().equals("lockout.locked"));
    }

    /** @return the rows, once {@code n} are committed (the writer commits in the order things were queued) */
    private List<AuditRecord> written(int n) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Logs.all(log).size() >= n);
        List<AuditRecord> rows = Logs.all(log);
        assertThat(rows).hasSize(n);
        return rows;
    }

    static SecurityEvent shed(String user, int n) {
        return new SecurityEvent(Events.T0.plusMillis(n), EventType.AUTH, Outcome.DENY, LoginGuard.BUSY, user, Set.of(),
                "flood-" + n, null, null, null, null, Map.of());
    }
}
