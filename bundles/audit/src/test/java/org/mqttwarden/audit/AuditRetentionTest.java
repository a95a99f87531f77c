package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.audit.AuditFilter;
import org.mqttwarden.api.audit.AuditQuery.VerifyResult;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * Retention on real SQLite files: old and surplus rows go, a pruning record anchors what is left,
 * and the chain still verifies — while deleting more than a pruning record accounts for, or forging
 * that record, is still caught.
 */
class AuditRetentionTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @TempDir
    Path dir;

    private final List<AuditLog> opened = new ArrayList<>();

    /** The retention of each log, applied when the test says (the logs themselves prune nothing). */
    private final Map<AuditLog, Pruner> pruners = new IdentityHashMap<>();

    @AfterEach
    void close() {
        pruners.values().forEach(Pruner::close);
        opened.forEach(AuditLog::close);
    }

    private Pruner pruner(AuditLog log) {
        return pruners.get(log);
    }

    @Test
    void rowsOlderThanTheMaximumAgeAreDeletedAndTheChainStillVerifies() throws Exception {
        AuditLog log = open(byAge(30));
        writeAt(log, NOW.minus(Duration.ofDays(40)), 30);
        writeAt(log, NOW.minus(Duration.ofDays(5)), 20);

        AuditRetention.Pruned pruned = pruner(log).prune();

        assertThat(pruned).isEqualTo(new AuditRetention.Pruned(30, 31, "age"));
        List<AuditRecord> rows = Logs.all(log);
        assertThat(rows).hasSize(21);
        assertThat(rows.get(0).id()).isEqualTo(31);
        AuditRecord record = rows.get(20);
        assertThat(record.reason()).isEqualTo(AuditRetention.PRUNED);
        assertThat(record.type()).isEqualTo(EventType.ADMIN_CHANGE);
        assertThat(record.actor()).isEqualTo(AuditWriter.ACTOR);
        assertThat(record.detail()).containsEntry("first_kept", "31").containsEntry("rows", "30")
                .containsEntry("older_than", NOW.minus(Duration.ofDays(30)).toString());
        assertThat(log.verify()).isEqualTo(VerifyResult.intact(21, 31));
    }

    @Test
    void nothingOldEnoughMeansNoRecordAndNoDeletion() throws Exception {
        AuditLog log = open(byAge(30));
        writeAt(log, NOW.minus(Duration.ofDays(29)), 10);

        assertThat(pruner(log).prune()).isEqualTo(AuditRetention.Pruned.NOTHING);
        assertThat(Logs.all(log)).hasSize(10);
        assertThat(log.verify()).isEqualTo(VerifyResult.intact(10));
    }

    @Test
    void sizeLimitKeepsTheRowsUnderItAcrossRepeatedPrunings() throws Exception {
        long maxBytes = 512 * 1024;
        AuditLog log = open(new AuditRetention.Settings(null, maxBytes, null));
        for (int round = 0; round < 3; round++) {
            writeAt(log, NOW, 4000);
            AuditRetention.Pruned pruned = pruner(log).prune();

            assertThat(pruned.why()).isEqualTo("size");
            assertThat(pruner(log).file().usedBytes()).isLessThanOrEqualTo(maxBytes);
            assertThat(log.verify().ok()).as(log.verify().toString()).isTrue();
        }
        // allows and refusals go from the middle (issue 10): the chain still starts at row 1, fewer rows are left
        assertThat(Logs.all(log)).hasSizeLessThan(12_000 / 2);
        assertThat(pruningRecords(log)).hasSizeGreaterThanOrEqualTo(1);
    }

    @Test
    void theFileStopsGrowing() throws Exception {
        long maxBytes = 512 * 1024;
        AuditLog log = open(new AuditRetention.Settings(null, maxBytes, null));
        long[] sizes = new long[30];
        for (int round = 0; round < sizes.length; round++) {
            // about a fifth of the limit between two runs
            writeAt(log, NOW, 250);
            pruner(log).prune();
            sizes[round] = pruner(log).file().databaseBytes();
        }
        // freed pages are reused: once the limit is reached the file no longer grows (measured: 1.12 x the limit,
        // the limit plus what one interval writes, from the 7th round on; 30 rounds write 15 x the limit)
        assertThat(java.util.Arrays.stream(sizes).max().orElseThrow()).isLessThanOrEqualTo(maxBytes + maxBytes / 4);
        assertThat(sizes[29]).isLessThanOrEqualTo(sizes[10] + 4 * 4096);
        assertThat(log.verify().ok()).isTrue();
    }

    @Test
    void survivesARestartAndKeepsChaining() throws Exception {
        Path file = dir.resolve("restart.db");
        AuditLog log = open(file, byAge(30));
        writeAt(log, NOW.minus(Duration.ofDays(40)), 10);
        writeAt(log, NOW, 5);
        pruner(log).prune();
        log.close();
        opened.remove(log);

        AuditLog reopened = open(file, byAge(30));
        writeAt(reopened, NOW, 5);

        assertThat(reopened.verify()).isEqualTo(VerifyResult.intact(11, 11));
    }

    @Test
    void anInterruptedPruningIsFinishedByTheNextRun() throws Exception {
        AuditLog log = open(byAge(30));
        writeAt(log, NOW.minus(Duration.ofDays(40)), 30);
        writeAt(log, NOW, 5);
        List<Object[]> rows1to30 = rawRows(log, 1, 31);
        pruner(log).prune();
        // as if the gateway had stopped after deleting only rows 1..19 of 1..30
        reinsert(log, rows1to30.subList(19, 30));

        assertThat(log.verify()).isEqualTo(VerifyResult.intact(6, 31));
        AuditRetention.Pruned resumed = pruner(log).prune();

        assertThat(resumed).isEqualTo(new AuditRetention.Pruned(11, 31, "resumed"));
        assertThat(Logs.all(log).get(0).id()).isEqualTo(31);
        assertThat(pruningRecords(log)).hasSize(1);
    }

    @Test
    void aPruningRecordWrittenBeforeAnyDeletionStillVerifiesFromRowOne() throws Exception {
        AuditLog log = open(byAge(30));
        writeAt(log, NOW.minus(Duration.ofDays(40)), 10);
        writeAt(log, NOW, 5);
        List<Object[]> rows = rawRows(log, 1, 11);
        pruner(log).prune();
        reinsert(log, rows);

        assertThat(log.verify()).isEqualTo(VerifyResult.intact(16));
    }

    @Test
    void deletingARowAfterTheCutIsCaught() throws Exception {
        AuditLog log = prunedAt31();
        tamper(log, "DELETE FROM warden_audit WHERE id = 31");

        VerifyResult result = log.verify();

        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(31);
        assertThat(result.problem()).contains("missing");
    }

    @Test
    void deletingMoreOldRowsWithoutAPruningRecordIsCaught() throws Exception {
        AuditLog log = open(byAge(30));
        writeAt(log, NOW, 20);
        tamper(log, "DELETE FROM warden_audit WHERE id < 8");

        VerifyResult result = log.verify();

        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(1);
        assertThat(result.problem()).contains("no pruning record");
    }

    @Test
    void movingTheCutForwardInThePruningRecordIsCaught() throws Exception {
        AuditLog log = prunedAt31();
        // the forger deletes rows 31..40 and says the chain starts at 41
        long record = pruningRecords(log).get(0).id();
        String hash40 = Logs.all(log).stream().filter(r -> r.id() == 40).findFirst().orElseThrow().hash();
        tamper(log, "DELETE FROM warden_audit WHERE id < 41");
        tamper(log, "UPDATE warden_audit SET detail = replace(replace(detail, '\"first_kept\":\"31\"',"
                + " '\"first_kept\":\"41\"'), substr(detail, instr(detail, 'previous_hash') + 16, 64), '" + hash40
                + "') WHERE id = " + record);
        assertThat(AuditRetention.firstKept(AuditRetention.lastPruning(pruner(log).file()).orElseThrow()))
                .isEqualTo(41);

        VerifyResult result = log.verify();

        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(record);
        assertThat(result.problem()).contains("altered");
    }

    @Test
    void aCutBeyondThePruningRecordItselfIsRejected() throws Exception {
        AuditLog log = prunedAt31();
        long record = pruningRecords(log).get(0).id();
        tamper(log, "UPDATE warden_audit SET detail = replace(detail, '\"first_kept\":\"31\"', '\"first_kept\":\"999\"')"
                + " WHERE id = " + record);

        VerifyResult result = log.verify();

        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(record);
    }

    @Test
    void deletingRowsTheRecordKeepsIsCaught() throws Exception {
        AuditLog log = prunedAt31();
        tamper(log, "DELETE FROM warden_audit WHERE id < 36");

        VerifyResult result = log.verify();

        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(31);
        assertThat(result.problem()).contains("keeps rows from 31");
    }

    @Test
    void theScheduleAppliesRetentionOnItsOwn() throws Exception {
        AuditLog log = open(new AuditRetention.Settings(Duration.ofDays(30), Long.MAX_VALUE, Duration.ofMillis(200)));
        writeAt(log, NOW.minus(Duration.ofDays(40)), 10);
        writeAt(log, NOW, 3);

        await().atMost(10, TimeUnit.SECONDS).until(() -> Logs.all(log).get(0).id() == 11);
        assertThat(log.verify()).isEqualTo(VerifyResult.intact(4, 11));
    }

    @Test
    void everyRowMayGoTheRecordStays() throws Exception {
        AuditLog log = open(byAge(30));
        writeAt(log, NOW.minus(Duration.ofDays(40)), 10);

        assertThat(pruner(log).prune()).isEqualTo(new AuditRetention.Pruned(10, 11, "age"));
        assertThat(Logs.all(log)).extracting(AuditRecord::reason).containsExactly(AuditRetention.PRUNED);
        assertThat(log.verify()).isEqualTo(VerifyResult.intact(1, 11));
    }

    @Test
    void settingsRejectNonsense() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new AuditRetention.Settings(Duration.ZERO, 1, null));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new AuditRetention.Settings(null, 0, null));
    }

    private AuditLog prunedAt31() throws Exception {
        AuditLog log = open(byAge(30));
        writeAt(log, NOW.minus(Duration.ofDays(40)), 30);
        writeAt(log, NOW, 20);
        assertThat(pruner(log).prune().firstKept()).isEqualTo(31);
        assertThat(log.verify().ok()).isTrue();
        return log;
    }

    private static AuditRetention.Settings byAge(int days) {
        return new AuditRetention.Settings(Duration.ofDays(days), Long.MAX_VALUE, null);
    }

    private AuditLog open(AuditRetention.Settings retention) {
        return open(dir.resolve("audit-" + opened.size() + ".db"), retention);
    }

    private AuditLog open(Path file, AuditRetention.Settings retention) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        AuditLog log = Logs.open(file, Map.of(), clock);
        opened.add(log);
        pruners.put(log, new Pruner(log, file, retention, clock));
        return log;
    }

    /** Writes {@code n} ACL decisions at {@code time}, the last a denial, and waits for them to be committed. */
    private static void writeAt(AuditLog log, Instant time, int n) throws Exception {
        CompletableFuture<?> last = null;
        for (int i = 0; i < n; i++) {
            Outcome outcome = i % 7 == 0 || i == n - 1 ? Outcome.DENY : Outcome.ALLOW;
            last = log.accept(new SecurityEvent(time.plusMillis(i), EventType.ACL, outcome, "acl.rule",
                    "dev-" + (i % 13), Set.of("sensor"), "client-" + i, null,
                    "plant/line" + (i % 5) + "/temperature/" + i, Access.WRITE, null,
                    Map.of("rule", "plant/+/temperature/# for role sensor", "n", Integer.toString(i))))
                    .toCompletableFuture();
        }
        // a denial completes once committed, and the writer commits in order
        last.get(10, TimeUnit.SECONDS);
    }

    private static List<AuditRecord> pruningRecords(AuditLog log) {
        return log.search(new AuditFilter(null, null, EventType.ADMIN_CHANGE, null, null, null, null, null)).stream()
                .filter(r -> r.reason().equals(AuditRetention.PRUNED)).toList();
    }

    private void tamper(AuditLog log, String sql) throws Exception {
        try (Connection c = Events.raw(pruner(log).file().path()); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    private List<Object[]> rawRows(AuditLog log, long from, long to) throws Exception {
        List<Object[]> rows = new ArrayList<>();
        try (Connection c = Events.raw(pruner(log).file().path()); PreparedStatement s = c.prepareStatement("SELECT "
                + AuditTables.COLUMNS + " FROM warden_audit WHERE id >= ? AND id < ? ORDER BY id")) {
            s.setLong(1, from);
            s.setLong(2, to);
            try (ResultSet rs = s.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Object[] row = new Object[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private void reinsert(AuditLog log, List<Object[]> rows) throws Exception {
        try (Connection c = Events.raw(pruner(log).file().path());
                PreparedStatement s = c.prepareStatement("INSERT INTO warden_audit ("
                + AuditTables.COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    s.setObject(i + 1, row[i]);
                }
                s.executeUpdate();
            }
        }
    }
}
