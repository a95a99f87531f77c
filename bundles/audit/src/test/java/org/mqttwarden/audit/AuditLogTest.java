package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.audit.AuditFilter;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/** The audit log on a real SQLite file: what it stores, when it promises it, and that it loses nothing. */
class AuditLogTest {

    @TempDir
    Path dir;

    Path file;
    AuditLog log;

    @BeforeEach
    void open() {
        file = dir.resolve("warden/audit.db");
        log = Events.open(file);
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void roundTripsEveryEventTypeWithAllFields() throws Exception {
        List<SecurityEvent> sent = new ArrayList<>();
        EventType[] types = EventType.values();
        for (int i = 0; i < types.length; i++) {
            sent.add(new SecurityEvent(Events.T0.plusSeconds(i), types[i], Outcome.values()[i % 3],
                    "reason." + types[i].name().toLowerCase(), "user" + i, Set.of("sensor", "viewer, \"odd\""),
                    "client-" + i, "198.51.100." + i, "plant/" + i + "/temp", Access.values()[i % 4], "admin",
                    Map.of("rule", Integer.toString(i), "note", "quote \" backslash \\ newline \n tab \t é ✓")));
        }
        for (SecurityEvent e : sent) {
            log.accept(e).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }

        List<AuditRecord> stored = log.tail(types.length);

        assertThat(stored).hasSize(types.length);
        for (int i = 0; i < types.length; i++) {
            SecurityEvent e = sent.get(i);
            AuditRecord r = stored.get(i);
            assertThat(r.id()).isEqualTo(i + 1);
            assertThat(r.hash()).hasSize(64);
            assertThat(new SecurityEvent(r.time(), r.type(), r.outcome(), r.reason(), r.username(), r.roles(),
                    r.clientId(), r.address(), r.topic(), r.access(), r.actor(), r.detail())).isEqualTo(e);
        }
        assertThat(log.verify().ok()).isTrue();
    }

    @Test
    void keepsNullFieldsNullAndMillisecondTime() throws Exception {
        SecurityEvent bare = new SecurityEvent(Instant.parse("2026-11-01T10:00:00.123456Z"), EventType.OTP,
                Outcome.ERROR, "otp.smtp-down", null, null, null, null, null, null, null, null);
        log.accept(bare).toCompletableFuture().get(5, TimeUnit.SECONDS);

        AuditRecord r = log.tail(1).get(0);

        assertThat(r.time()).isEqualTo(Instant.parse("2026-11-01T10:00:00.123Z"));
        assertThat(r.username()).isNull();
        assertThat(r.clientId()).isNull();
        assertThat(r.address()).isNull();
        assertThat(r.topic()).isNull();
        assertThat(r.access()).isNull();
        assertThat(r.actor()).isNull();
        assertThat(r.roles()).isEmpty();
        assertThat(r.detail()).isEmpty();
    }

    @Test
    void neverStoresSecretLookingDetail() throws Exception {
        SecurityEvent careless = new SecurityEvent(Events.T0, EventType.ADMIN_CHANGE, Outcome.ALLOW, "user.add",
                "alice", null, null, null, null, null, "root", Map.of("password", "hunter2", "newPassword", "x",
                        "otpCode", "123456", "field", "email"));
        log.accept(careless).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(log.tail(1).get(0).detail()).containsExactlyInAnyOrderEntriesOf(Map.of("password", "[redacted]",
                "newPassword", "[redacted]", "otpCode", "[redacted]", "field", "email"));
        try (Connection c = Events.raw(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT detail FROM warden_audit")) {
            rs.next();
            assertThat(rs.getString(1)).doesNotContain("hunter2", "123456");
        }
    }

    @Test
    void securityRelevantStageCompletesOnlyOnceAnotherConnectionCanReadTheRow() throws Exception {
        for (int i = 0; i < 20; i++) {
            SecurityEvent deny = Events.deny("mallory", i);
            assertThat(deny.securityRelevant()).isTrue();
            CompletionStage<Void> stage = log.accept(deny);
            long id = i + 1;
            // runs at the moment of completion (on the writer thread, or here if already complete)
            CompletableFuture<String> seen = stage.thenApply(v -> readReasonOfRow(id)).toCompletableFuture();
            assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("auth.bad-password");
        }
    }

    private String readReasonOfRow(long id) {
        try (Connection c = Events.raw(file);
                PreparedStatement s = c.prepareStatement("SELECT reason FROM warden_audit WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sixteenThreadsOfTwoThousandEventsLoseNothing() throws Exception {
        int threads = 16;
        int perThread = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<CompletionStage<Void>>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String user = "dev" + t;
            results.add(pool.submit(() -> {
                List<CompletionStage<Void>> stages = new ArrayList<>(perThread);
                for (int i = 0; i < perThread; i++) {
                    // like the decision path: allows fire and forget, denials wait for the audit
                    if (i % 4 == 3) {
                        CompletionStage<Void> s = log.accept(Events.deny(user, i));
                        s.toCompletableFuture().get(10, TimeUnit.SECONDS);
                        stages.add(s);
                    } else {
                        stages.add(log.accept(Events.allow(user, i)));
                    }
                }
                return stages;
            }));
        }
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Future<List<CompletionStage<Void>>> r : results) {
            r.get(60, TimeUnit.SECONDS).forEach(s -> all.add(s.toCompletableFuture()));
        }
        pool.shutdown();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        try (Connection c = Events.raw(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*), MIN(id), MAX(id), COUNT(DISTINCT username)"
                        + " FROM warden_audit")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(threads * perThread);
            assertThat(rs.getLong(2)).isEqualTo(1);
            assertThat(rs.getLong(3)).isEqualTo(threads * perThread);
            assertThat(rs.getLong(4)).isEqualTo(threads);
        }
        assertThat(Logs.lost(log)).isZero();
        assertThat(log.verify()).satisfies(v -> {
            assertThat(v.ok()).isTrue();
            assertThat(v.rowsChecked()).isEqualTo(threads * perThread);
        });
    }

    @Test
    void continuesTheChainAfterReopening() throws Exception {
        for (int i = 0; i < 10; i++) {
            log.accept(Events.allow("alice", i));
        }
        log.close();
        log = Events.open(file);
        for (int i = 10; i < 19; i++) {
            log.accept(Events.allow("alice", i));
        }
        log.accept(Events.deny("alice", 19)).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(Logs.all(log)).extracting(AuditRecord::id).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
        assertThat(log.verify()).isEqualTo(new org.mqttwarden.api.audit.AuditQuery.VerifyResult(true, 20, null,
                null));
    }

    @Test
    void closingWritesWhatIsQueued() throws Exception {
        List<CompletionStage<Void>> stages = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            stages.add(log.accept(Events.allow("bob", i)));
        }
        log.close();

        assertThat(stages).allSatisfy(s -> assertThat(s.toCompletableFuture()).isCompleted());
        assertThat(log.accept(Events.deny("bob", 1)).toCompletableFuture()).isCompletedExceptionally();
        log = Events.open(file);
        assertThat(log.verify().rowsChecked()).isEqualTo(500);
    }

    @Test
    void searchesByEveryCriterionNewestFirst() throws Exception {
        log.accept(Events.allow("alice", 0));
        log.accept(Events.allow("bob", 1));
        log.accept(Events.deny("alice", 2));
        log.accept(new SecurityEvent(Events.T0.plusMillis(3), EventType.ACL, Outcome.DENY, "acl.default-deny", "alice",
                null, "alice-client", null, "alice%/_x", Access.SUBSCRIBE, null, null));
        log.accept(Events.allow("alice", 4)).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(ids(new AuditFilter("alice", null, null, null, null, null, null, null))).containsExactly(5L, 4L,
                3L, 1L);
        assertThat(ids(new AuditFilter(null, "bob-client", null, null, null, null, null, null))).containsExactly(2L);
        assertThat(ids(new AuditFilter(null, null, EventType.AUTH, null, null, null, null, null))).containsExactly(3L);
        assertThat(ids(new AuditFilter(null, null, null, Outcome.DENY, null, null, null, null))).containsExactly(4L,
                3L);
        assertThat(ids(new AuditFilter(null, null, null, null, "alice", null, null, null))).containsExactly(5L, 4L,
                1L);
        assertThat(ids(new AuditFilter(null, null, null, null, "alice%", null, null, null))).containsExactly(4L);
        assertThat(ids(new AuditFilter(null, null, null, null, "ALICE", null, null, null))).isEmpty();
        assertThat(ids(new AuditFilter(null, null, null, null, null, Events.T0.plusMillis(1),
                Events.T0.plusMillis(3), null))).containsExactly(3L, 2L);
        assertThat(ids(new AuditFilter("alice", null, null, null, null, null, null, 2))).containsExactly(5L, 4L);
        assertThat(ids(AuditFilter.any())).hasSize(5);
    }

    private List<Long> ids(AuditFilter filter) {
        return log.search(filter).stream().map(AuditRecord::id).toList();
    }

    @Test
    void keepsTheFileInAPrivateFolderInWalMode() throws Exception {
        assertThat(Files.getPosixFilePermissions(dir.resolve("warden")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (Connection c = Events.raw(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
    }
}
