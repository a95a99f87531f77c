package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
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
import org.mqttwarden.api.audit.AuditQuery.VerifyResult;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * Size-based pruning removes routine rows first, then refusals, and admin changes last; what it removes
 * from the middle of the chain is accounted for, so the chain still verifies and a row removed by hand
 * still shows.
 */
class PrioritisedPruningTest {

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
    void allowsGoBeforeRefusalsAndAdminChangesStay() throws Exception {
        long maxBytes = 768 * 1024;
        AuditLog log = open(maxBytes);
        // 3 000 rows: 2 allows, 1 refusal, every 100th an admin change
        mixed(log, 3000);

        AuditRetention.Pruned pruned = pruner(log).prune();

        assertThat(pruned.why()).isEqualTo("size");
        assertThat(pruner(log).file().usedBytes()).isLessThanOrEqualTo(maxBytes);
        assertThat(log.verify()).satisfies(v -> assertThat(v.ok()).as(v.toString()).isTrue());
        // every admin change kept, with its content
        assertThat(intact(log, EventType.ADMIN_CHANGE)).hasSize(30);
        AuditRecord record = pruningRecord(log);
        assertThat(record.detail()).containsKeys(AuditRetention.ROUTINE_BEFORE, AuditRetention.REFUSALS_BEFORE,
                AuditRetention.PRUNABLE, "used_bytes", "max_bytes");
        long routineBefore = Long.parseLong(record.detail().get(AuditRetention.ROUTINE_BEFORE));
        long refusalsBeforeId = Long.parseLong(record.detail().get(AuditRetention.REFUSALS_BEFORE));
        // allows are removed before any refusal: no refusal went while an older allow is still there
        assertThat(intact(log, EventType.ACL)).hasSizeLessThan(2000).allMatch(r -> r.id() >= routineBefore);
        assertThat(refusalsBeforeId).isLessThanOrEqualTo(routineBefore);
        assertThat(count(log, EventType.AUTH, null)).isGreaterThan(0);
    }

    @Test
    void refusalsGoNextAndAdminChangesStillStay() throws Exception {
        long maxBytes = 256 * 1024;
        AuditLog log = open(maxBytes);
        mixed(log, 3000);

        pruner(log).prune();

        assertThat(pruner(log).file().usedBytes()).isLessThanOrEqualTo(maxBytes);
        assertThat(log.verify().ok()).isTrue();
        assertThat(Long.parseLong(pruningRecord(log).detail().get(AuditRetention.REFUSALS_BEFORE))).isGreaterThan(1);
        assertThat(intact(log, EventType.ADMIN_CHANGE)).hasSize(30);
    }

    @Test
    void removingRowsYoungerThanTheRetentionRaisesAnAlert() throws Exception {
        AuditLog log = open(256 * 1024);
        mixed(log, 3000);

        pruner(log).prune();

        List<AuditRecord> alerts = Logs.all(log).stream().filter(r -> r.reason().equals(AuditRetention.PRUNED_YOUNG))
                .toList();
        assertThat(alerts).isNotEmpty();
        assertThat(alerts.get(0).type()).isEqualTo(EventType.ALERT);
        assertThat(Long.parseLong(alerts.get(0).detail().get("routine"))).isGreaterThan(0);
        assertThat(alerts.get(0).detail()).containsEntry("retention", "90 days").containsKey("refusals");
    }

    @Test
    void anAdminChangeDeletedInsideAPrunedStretchIsCaught() throws Exception {
        AuditLog log = open(768 * 1024);
        mixed(log, 3000);
        pruner(log).prune();
        long admin = intact(log, EventType.ADMIN_CHANGE).get(1).id();

        // the forger deletes the admin change and makes it part of the next tombstone's stretch
        Long next = Logs.all(log).stream().filter(r -> r.id() > admin).findFirst().map(AuditRecord::id).orElseThrow();
        tamper(log, "DELETE FROM warden_audit WHERE id = " + admin);
        tamper(log, "UPDATE warden_audit SET outcome = 'ALLOW', type = 'ACL', username = NULL, roles = '[]',"
                + " client_id = NULL, address = NULL, topic = NULL, access = NULL, actor = NULL, detail ="
                + " '{\"audit.tombstone\":\"" + admin + "\"}' WHERE id = " + next);

        VerifyResult result = log.verify();
        assertThat(result.ok()).isFalse();
    }

    @Test
    void anAdminChangeRelabelledAsAnAllowAndTombstonedIsCaught() throws Exception {
        AuditLog log = open(768 * 1024);
        mixed(log, 3000);
        pruner(log).prune();
        assertThat(log.verify().ok()).isTrue();
        long admin = intact(log, EventType.ADMIN_CHANGE).get(0).id();

        tamper(log, "UPDATE warden_audit SET type = 'ACL', outcome = 'ALLOW', reason = 'acl.rule', actor = NULL,"
                + " detail = '{\"audit.tombstone\":\"" + admin + "\"}' WHERE id = " + admin);

        VerifyResult result = log.verify();
        assertThat(result.ok()).isFalse();
        assertThat(result.problem()).contains("pruning record");
    }

    @Test
    void aRefusalTombstonedByHandIsCaught() throws Exception {
        AuditLog log = open(768 * 1024);
        mixed(log, 3000);
        pruner(log).prune();
        // the newest refusals are not removable (below refusals_before only)
        List<AuditRecord> refusals = intact(log, EventType.AUTH);
        long refusal = refusals.get(refusals.size() - 2).id();
        assertThat(refusal).isGreaterThanOrEqualTo(Long.parseLong(pruningRecord(log).detail()
                .get(AuditRetention.REFUSALS_BEFORE)));

        tamper(log, "UPDATE warden_audit SET username = NULL, client_id = NULL, detail = '{\"audit.tombstone\":\""
                + refusal + "\"}' WHERE id = " + refusal);

        assertThat(log.verify().firstBadId()).isEqualTo(refusal);
    }

    @Test
    void repeatedPruningsKeepTheChainVerifiable() throws Exception {
        long maxBytes = 384 * 1024;
        AuditLog log = open(maxBytes);
        for (int round = 0; round < 4; round++) {
            mixed(log, 1500);
            AuditRetention.Pruned p = pruner(log).prune();
            List<AuditRecord> all = Logs.all(log);
            System.out.println("round " + round + " " + p + " used=" + pruner(log).file().usedBytes() + " rows="
                    + all.size()
                    + " tomb=" + all.stream().filter(r -> r.detail().containsKey(AuditChain.TOMBSTONE)).count()
                    + " admin=" + intact(log, EventType.ADMIN_CHANGE).size() + " first=" + all.get(0).id()
                    + " rec=" + pruningRecord(log).detail());
            assertThat(pruner(log).file().usedBytes()).isLessThanOrEqualTo(maxBytes);
            VerifyResult v = log.verify();
            assertThat(v.ok()).as(v.toString()).isTrue();
        }
        assertThat(intact(log, EventType.ADMIN_CHANGE)).hasSize(60);
    }

    private AuditLog open(long maxBytes) {
        Path file = dir.resolve("audit-" + opened.size() + ".db");
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        AuditLog log = Logs.open(file, Map.of(), clock);
        opened.add(log);
        pruners.put(log, new Pruner(log, file, new AuditRetention.Settings(Duration.ofDays(90), maxBytes, null),
                clock));
        return log;
    }

    /** {@code n} events: two ACL allows then one refused login, every 100th an admin change; all committed. */
    static void mixed(AuditLog log, int n) throws Exception {
        CompletableFuture<?> last = null;
        for (int i = 0; i < n; i++) {
            SecurityEvent e;
            if (i % 100 == 99) {
                e = new SecurityEvent(NOW.minusSeconds(n - i), EventType.ADMIN_CHANGE, Outcome.ALLOW, "user.add",
                        "user-" + i, Set.of(), null, null, null, null, "root", Map.of("n", Integer.toString(i)));
            } else if (i % 3 == 2) {
                e = new SecurityEvent(NOW.minusSeconds(n - i), EventType.AUTH, Outcome.DENY, "auth.bad-password",
                        "dev-" + i, Set.of(), "client-" + i, "192.0.2.7", null, null, null, Map.of());
            } else {
                e = new SecurityEvent(NOW.minusSeconds(n - i), EventType.ACL, Outcome.ALLOW, "acl.rule",
                        "dev-" + (i % 13), Set.of("sensor"), "client-" + i, null, "plant/line/temperature/" + i,
                        Access.WRITE, null, Map.of("rule", "plant/+/temperature/# for role sensor"));
            }
            last = log.accept(e).toCompletableFuture();
        }
        last.get(10, TimeUnit.SECONDS);
        log.accept(new SecurityEvent(NOW, EventType.AUTH, Outcome.DENY, "auth.bad-password", "last", Set.of(), null,
                null, null, null, null, Map.of())).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** @return rows of {@code type} with their content (not tombstones) */
    static List<AuditRecord> intact(AuditLog log, EventType type) {
        return Logs.all(log).stream().filter(r -> r.type() == type && !r.detail().containsKey(AuditChain.TOMBSTONE)
                && !r.reason().startsWith("audit.")).toList();
    }

    private static long count(AuditLog log, EventType type, Outcome outcome) {
        return intact(log, type).stream().filter(r -> outcome == null || r.outcome() == outcome).count();
    }

    private static AuditRecord pruningRecord(AuditLog log) {
        List<AuditRecord> records = Logs.all(log).stream().filter(r -> r.reason().equals(AuditRetention.PRUNED))
                .toList();
        return records.get(records.size() - 1);
    }

    private void tamper(AuditLog log, String sql) throws Exception {
        try (Connection c = Events.raw(pruner(log).file().path()); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }
}
