package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;

/**
 * A full queue: the writer is held up by another process holding the file's write lock (the busy
 * timeout makes it wait), while events keep coming.
 */
class AuditOverflowTest {

    private static final int QUEUE = 8;

    @TempDir
    Path dir;

    AuditLog log;
    Connection lock;

    @AfterEach
    void close() throws Exception {
        release();
        if (log != null) {
            log.close();
        }
    }

    @Test
    void aLoginShedByTheBudgetNeitherBlocksOnAFullQueueNorEndsTheLingerButIsStoredWhenThereIsRoom()
            throws Exception {
        Path file = dir.resolve("audit.db");
        log = Events.open(file, QUEUE, 4, 10_000, 20_000);
        assertThat(Events.shed("x-1", 0).awaited()).isFalse();
        assertThat(Events.deny("mallory", 0).awaited()).isTrue();
        log.accept(Events.shed("x-1", 1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(Logs.all(log)).extracting(AuditRecord::reason).contains(LoginGuard.BUSY);

        stallWriter(file);
        for (int i = 0; i < QUEUE; i++) {
            log.accept(Events.allow("alice", i));
        }
        // returns although the queue is full and the writer stalled (a security-relevant event waits 10 s here)
        AtomicReference<CompletionStage<Void>> shed = new AtomicReference<>();
        Thread decision = new Thread(() -> shed.set(log.accept(Events.shed("x-2", 2))), "decision");
        decision.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> decision.getState() == Thread.State.TERMINATED);
        assertThat(shed.get().toCompletableFuture()).as("dropped and counted").isCompletedExceptionally();
        release();
        await().atMost(Duration.ofSeconds(10)).until(() -> Logs.all(log).stream()
                .anyMatch(r -> r.reason().equals(AuditWriter.EVENTS_LOST)));
    }

    @Test
    void dropsAllowsWithACountedRowButNeverSecurityRelevantEvents() throws Exception {
        Path file = dir.resolve("audit.db");
        log = Events.open(file, QUEUE, 4, 10_000, 20_000);
        stallWriter(file);
        List<CompletionStage<Void>> kept = new ArrayList<>();
        for (int i = 0; i < QUEUE; i++) {
            kept.add(log.accept(Events.allow("alice", i)));
        }

        List<CompletableFuture<Void>> dropped = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            dropped.add(log.accept(Events.allow("alice", 100 + i)).toCompletableFuture());
        }
        AtomicReference<CompletionStage<Void>> denial = new AtomicReference<>();
        Thread decision = new Thread(() -> denial.set(log.accept(Events.deny("mallory", 0))), "decision");
        decision.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> decision.getState() == Thread.State.TIMED_WAITING);
        release();
        decision.join(10_000);

        assertThat(dropped).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
        denial.get().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (CompletionStage<Void> s : kept) {
            s.toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        List<AuditRecord> rows = Logs.all(log);
        assertThat(rows).hasSize(1 + QUEUE + 1 + 1);
        assertThat(rows).filteredOn(r -> r.reason().equals(AuditWriter.EVENTS_LOST)).singleElement()
                .satisfies(r -> {
                    assertThat(r.detail()).containsEntry("lost", "5");
                    assertThat(r.type()).isEqualTo(EventType.ALERT);
                    assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
                });
        assertThat(rows).filteredOn(r -> "mallory".equals(r.username())).hasSize(1);
        assertThat(Logs.lost(log)).isEqualTo(5);
        assertThat(log.verify().ok()).isTrue();
    }

    @Test
    void refusesASecurityRelevantEventThatFindsNoRoomInTime() throws Exception {
        Path file = dir.resolve("audit.db");
        log = Events.open(file, QUEUE, 4, 50, 20_000);
        stallWriter(file);
        for (int i = 0; i < QUEUE; i++) {
            log.accept(Events.allow("alice", i));
        }

        CompletableFuture<Void> denial = log.accept(Events.deny("mallory", 0)).toCompletableFuture();

        assertThat(denial).isCompletedExceptionally();
        try {
            denial.get();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(RejectedExecutionException.class);
        }
        release();
        // the writer drains the full queue first (4 per commit): on a loaded machine that can take longer than
        // the 50 ms a denial waits for room
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Logs.queued(log) == 0);
        log.accept(Events.deny("mallory", 1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(Logs.all(log)).filteredOn(r -> r.reason().equals(AuditWriter.EVENTS_LOST)).singleElement()
                .satisfies(r -> assertThat(r.detail()).containsEntry("lost", "1"));
    }

    @Test
    void aFloodThatKeepsTheQueueFullIsOneWarningNotOnePerEvent() throws Exception {
        Path file = dir.resolve("audit.db");
        log = Events.open(file, QUEUE, 4, 10_000, 20_000);
        stallWriter(file);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        // slf4j-simple writes to whatever System.err is at the time
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 5000; i++) {
                log.accept(Events.shed("flood-" + i, i));
            }
        } finally {
            System.setErr(err);
        }
        release();

        String logged = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(logged.lines().filter(l -> l.contains("Audit queue full"))).hasSize(1);
        assertThat(Logs.lost(log)).isEqualTo(5000 - QUEUE);
        await().atMost(Duration.ofSeconds(10)).until(() -> Logs.all(log).stream()
                .filter(r -> r.reason().equals(AuditWriter.EVENTS_LOST))
                .mapToLong(r -> Long.parseLong(r.detail().get("lost"))).sum() == 5000 - QUEUE);
    }

    /** Takes the write lock from another connection and waits until the writer is stuck behind it. */
    private void stallWriter(Path file) throws Exception {
        lock = Events.raw(file);
        try (Statement s = lock.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
        }
        log.accept(Events.allow("alice", -1));
        await().atMost(Duration.ofSeconds(5)).until(() -> Logs.queued(log) == 0);
    }

    private void release() throws Exception {
        if (lock != null) {
            try (Statement s = lock.createStatement()) {
                s.execute("ROLLBACK");
            }
            lock.close();
            lock = null;
        }
    }
}
