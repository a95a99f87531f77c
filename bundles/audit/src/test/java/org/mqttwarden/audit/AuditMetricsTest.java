package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.metrics.MetricSource;

/** What the audit log reports to {@code /metrics}, on a real SQLite file. */
class AuditMetricsTest {

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
    void countsEveryCommittedEventAsWritten() throws Exception {
        log = Events.open(dir.resolve("audit.db"));
        MetricSource metrics = log;
        assertThat(metrics.name()).isEqualTo("audit");
        assertThat(metrics.counters()).containsEntry("events_written", 0L).containsEntry("events_lost", 0L);

        int n = 25;
        List<CompletionStage<Void>> stages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            stages.add(log.accept(i % 2 == 0 ? Events.allow("alice", i) : Events.deny("mallory", i)));
        }
        for (CompletionStage<Void> s : stages) {
            s.toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        assertThat(metrics.counters()).containsOnly(entry("events_written", n), entry("events_lost", 0));
        assertThat(metrics.gauges()).containsOnly(entry("queue_depth", 0), entry("queue_capacity", 8192));
        assertThat(Logs.all(log)).hasSize(n);
    }

    @Test
    void showsTheQueueFillingAndCountsWhatItDrops() throws Exception {
        Path file = dir.resolve("audit.db");
        int queue = 8;
        log = Events.open(file, queue, 4, 10_000, 20_000);
        stallWriter(file);
        List<CompletionStage<Void>> kept = new ArrayList<>();
        for (int i = 0; i < queue; i++) {
            kept.add(log.accept(Events.allow("alice", i)));
        }
        for (int i = 0; i < 3; i++) {
            log.accept(Events.allow("alice", 100 + i));
        }

        assertThat(log.gauges()).containsEntry("queue_depth", (long) queue).containsEntry("queue_capacity",
                (long) queue);
        assertThat(log.counters()).containsEntry("events_written", 0L).containsEntry("events_lost", 3L);

        release();
        for (CompletionStage<Void> s : kept) {
            s.toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertThat(log.counters()).as("the stalled event and the queued ones; not the row counting the lost")
                .containsEntry("events_written", 1L + queue).containsEntry("events_lost", 3L);
        assertThat(log.gauges()).containsEntry("queue_depth", 0L);
    }

    private static Map.Entry<String, Long> entry(String name, long value) {
        return Map.entry(name, value);
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
