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
import org.mqttwarden.api.audit.AuditQuery.VerifyResult;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.testsupport.TestClock;

/**
 * The proof of issue 10: a flood of 1 000 000 refused logins, each with a username and client id never seen
 * before, sent through {@link AuditLog#accept} as the engine does, with the shipped summary defaults (a
 * window of 60 s, 1 000 rows per type and reason and window), while an admin changes something every
 * 10 000 logins. The flood lasts 1 000 s of the test's clock, and retention runs every 100 000 logins as
 * its schedule would. The file stays under its limit, every admin change is kept, the pruning records say
 * what went and an ALERT says rows younger than the retention had to go, and the chain verifies.
 */
class RefusalFloodTest {

    private static final int FLOOD = 1_000_000;
    private static final long MAX_BYTES = 2 * 1024 * 1024;

    @TempDir
    Path dir;

    private AuditLog log;
    private Pruner pruner;

    @AfterEach
    void close() {
        if (pruner != null) {
            pruner.close();
        }
        if (log != null) {
            log.close();
        }
    }

    @Test
    void aMillionDistinctRefusedLoginsKeepTheFileBoundedAndEveryAdminChange() throws Exception {
        TestClock clock = new TestClock(Events.T0);
        Path file = dir.resolve("audit.db");
        // the shipped summary settings; the log's retention is the pruner, run as its schedule would
        Map<String, Object> summarising = Map.of("allow.mode", "summarise", "refusal.mode", "summarise");
        AuditRetention.Settings retention = new AuditRetention.Settings(Duration.ofDays(90), MAX_BYTES, null);
        log = Logs.open(file, summarising, clock);
        pruner = new Pruner(log, file, retention, clock);
        long maxFile = 0;
        for (int i = 0; i < FLOOD; i++) {
            if (i % 1000 == 0) {
                clock.advance(Duration.ofSeconds(1));
            }
            // as the engine emits a login shed by the budget: no one waits for it
            log.accept(new SecurityEvent(clock.instant(), EventType.AUTH, Outcome.DENY, LoginGuard.BUSY,
                    "u" + Long.toHexString(i * 0x9E3779B97F4A7C15L), Set.of(), "c" + i, null, null, null, null,
                    Map.of()));
            if (i % 10_000 == 9_999) {
                log.accept(new SecurityEvent(clock.instant(), EventType.ADMIN_CHANGE, Outcome.ALLOW, "user.add",
                        "device-" + i, Set.of(), null, null, null, null, "root", Map.of())).toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                if (i % 100_000 == 99_999) {
                    // the log's own sweeper writes the summaries of ended windows meanwhile
                    pruner.prune();
                    maxFile = Math.max(maxFile, pruner.file().databaseBytes());
                }
            }
        }
        clock.advance(Duration.ofSeconds(61));
        log.accept(Events.deny("last", 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(Logs.lost(log)).as("events lost to a full queue").isZero();
        // stopping writes every count still held as its summary; then the retention runs as its schedule would
        pruner.close();
        log.close();
        log = Logs.open(file, summarising, clock);
        pruner = new Pruner(log, file, retention, clock);
        pruner.prune();

        assertThat(pruner.file().usedBytes()).isLessThanOrEqualTo(MAX_BYTES);
        // the file itself: the limit plus what one interval (100 000 logins) writes, at most
        assertThat(Math.max(maxFile, pruner.file().databaseBytes())).isLessThanOrEqualTo(MAX_BYTES + MAX_BYTES / 2);
        List<AuditRecord> rows = Logs.all(log);
        assertThat(rows.stream().filter(r -> r.reason().equals("user.add"))).hasSize(FLOOD / 10_000)
                .allMatch(r -> r.actor().equals("root") && r.username().startsWith("device-"));
        // what was not kept one by one is counted: the aggregates of the windows still in the file
        assertThat(rows.stream().filter(r -> r.reason().equals(AllowSummariser.REFUSAL_AGGREGATE)))
                .isNotEmpty().allMatch(r -> Long.parseLong(r.detail().get("count")) > 0
                        && r.detail().get("samples").split(" ").length == AllowSummariser.SAMPLES);
        AuditRecord pruning = rows.stream().filter(r -> r.reason().equals(AuditRetention.PRUNED))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(Long.parseLong(pruning.detail().get(AuditRetention.REFUSALS_BEFORE))).isGreaterThan(1);
        assertThat(pruning.detail()).containsKeys("used_bytes", "max_bytes", AuditRetention.PRUNABLE);
        assertThat(rows.stream().filter(r -> r.reason().equals(AuditRetention.PRUNED_YOUNG)))
                .isNotEmpty().allMatch(r -> r.type() == EventType.ALERT);
        VerifyResult verified = log.verify(List.of(Logs.head(log).orElseThrow()));
        assertThat(verified.ok()).as(verified.toString()).isTrue();
    }
}
