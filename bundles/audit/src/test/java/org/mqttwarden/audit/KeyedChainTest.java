package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.audit.AuditQuery.VerifyResult;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.store.SqliteDatabaseFiles;

/**
 * The chain is keyed and anchored: an attacker with the database only cannot rewrite it unseen, a cut
 * tail shows against an anchor, and files of the unkeyed version keep verifying once migrated.
 */
class KeyedChainTest {

    @TempDir
    Path dir;

    private final List<AuditLog> opened = new ArrayList<>();
    /** Where each log's file is, for the forger's own connections. */
    private final Map<AuditLog, Path> files = new IdentityHashMap<>();

    @AfterEach
    void close() {
        opened.forEach(AuditLog::close);
    }

    @Test
    void theKeyIsCreatedOnFirstStartOwnerOnlyAndKeptAcrossRestarts() throws Exception {
        Path file = dir.resolve("audit.db");
        AuditLog log = open(file);
        write(log, 3);
        Path keyFile = dir.resolve("audit.db.key");
        String key = Files.readString(keyFile, StandardCharsets.US_ASCII).trim();

        assertThat(key).matches("[0-9a-f]{64}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        String db = Files.readString(file, StandardCharsets.ISO_8859_1);
        assertThat(db).doesNotContain(key);
        log.close();
        opened.remove(log);

        AuditLog again = open(file);
        write(again, 2);
        assertThat(Files.readString(keyFile, StandardCharsets.US_ASCII).trim()).isEqualTo(key);
        assertThat(again.verify()).isEqualTo(VerifyResult.intact(5));
        // a new file has no unkeyed rows: no switch row
        assertThat(Logs.all(again)).noneMatch(r -> r.reason().equals(AuditRow.KEYED));
    }

    @Test
    void anAttackerWithTheDatabaseOnlyCannotRecomputeTheChain() throws Exception {
        AuditLog log = open(dir.resolve("audit.db"));
        write(log, 10);

        // the forger edits row 4 and recomputes rows 4..10 with the SHA-256 of the unkeyed format
        rechain(log, 4, null, "UPDATE warden_audit SET outcome = 'ALLOW' WHERE id = 4");

        VerifyResult result = log.verify();
        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(4);
        assertThat(result.problem()).contains("without the key");
    }

    @Test
    void aGuessedKeyDoesNotHelpEither() throws Exception {
        AuditLog log = open(dir.resolve("audit.db"));
        write(log, 10);

        rechain(log, 6, guessedKey(), "UPDATE warden_audit SET username = 'nobody' WHERE id = 6");

        assertThat(log.verify().firstBadId()).isEqualTo(6);
    }

    @Test
    void aCutOffTailIsCaughtByAnAnchorOnly() throws Exception {
        AuditLog log = open(dir.resolve("audit.db"));
        write(log, 10);
        AuditChain.Anchor anchor = Logs.head(log).orElseThrow();
        assertThat(anchor.id()).isEqualTo(10);
        assertThat(log.verify(List.of(anchor)).ok()).isTrue();

        tamper(log, "DELETE FROM warden_audit WHERE id > 7");

        // without an anchor the shorter chain is intact: the README says so
        assertThat(log.verify()).isEqualTo(VerifyResult.intact(7));
        VerifyResult anchored = log.verify(List.of(anchor));
        assertThat(anchored.ok()).isFalse();
        assertThat(anchored.firstBadId()).isEqualTo(8);
        assertThat(anchored.problem()).contains("cut off");
    }

    @Test
    void aRewriteWithTheKeyIsCaughtByAnAnchor() throws Exception {
        Path file = dir.resolve("audit.db");
        AuditLog log = open(file);
        write(log, 10);
        AuditChain.Anchor anchor = Logs.head(log).orElseThrow();
        AuditKey key = AuditKey.loadOrCreate(dir.resolve("audit.db.key"));

        // database and key: the forger rewrites row 3 and recomputes every later MAC correctly
        rechain(log, 3, key.mac(), "UPDATE warden_audit SET reason = 'auth.ok', outcome = 'ALLOW' WHERE id = 3");

        assertThat(log.verify().ok()).isTrue();
        VerifyResult anchored = log.verify(List.of(anchor));
        assertThat(anchored.ok()).isFalse();
        assertThat(anchored.firstBadId()).isEqualTo(10);
        assertThat(anchored.problem()).contains("rewritten");
    }

    @Test
    void anchorsAreReadFromTheLogLines() throws Exception {
        Path karafLog = dir.resolve("karaf.log");
        Files.writeString(karafLog, "2026-11-29T22:00:00,000 | INFO  | warden-audit-writer | AuditWriter | 42 -"
                + " org.mqttwarden.audit - 0.1.0 | " + AuditWriter.ANCHOR_LOG + " 12 hash " + "ab".repeat(32) + "\n"
                + "some other line\n", StandardCharsets.UTF_8);

        assertThat(AuditChain.Anchor.parseLog(karafLog)).containsExactly(new AuditChain.Anchor(12, "ab".repeat(32)));
        assertThat(AuditChain.Anchor.parse("7:" + "0f".repeat(32)))
                .isEqualTo(new AuditChain.Anchor(7, "0f".repeat(32)));
        assertThatIllegalArgumentException().isThrownBy(() -> AuditChain.Anchor.parse("7:xyz"));
    }

    @Test
    void theShellsVerificationTakesAnchorsGivenOrReadFromTheLog() throws Exception {
        AuditLog log = open(dir.resolve("audit.db"));
        write(log, 5);
        AuditChain.Anchor head = Logs.head(log).orElseThrow();
        Path karafLog = dir.resolve("karaf.log");
        Files.writeString(karafLog, "INFO | " + AuditWriter.ANCHOR_LOG + " " + head.id() + " hash " + head.hash()
                + "\n", StandardCharsets.UTF_8);

        assertThat(AnchoredVerify.verify(log, List.of(head.id() + ":" + head.hash()), List.of()).ok()).isTrue();
        assertThat(AnchoredVerify.verify(log, List.of(), List.of(karafLog)).ok()).isTrue();
        tamper(log, "DELETE FROM warden_audit WHERE id = 5");

        assertThat(AnchoredVerify.verify(log, List.of(), List.of()).ok()).isTrue();
        assertThat(AnchoredVerify.verify(log, List.of(), List.of(karafLog)).firstBadId()).isEqualTo(5);
        assertThatIllegalArgumentException().isThrownBy(() -> AnchoredVerify.verify(log, List.of("5"), List.of()));
    }

    @Test
    void anUnkeyedFileOfThePreviousVersionKeepsVerifyingAndIsKeyedFromThenOn() throws Exception {
        Path file = dir.resolve("old.db");
        legacyFile(file, 6);

        AuditLog log = open(file);
        write(log, 3);

        List<AuditRecord> rows = Logs.all(log);
        assertThat(rows).hasSize(10);
        AuditRecord marker = rows.get(6);
        assertThat(marker.id()).isEqualTo(7);
        assertThat(marker.reason()).isEqualTo(AuditRow.KEYED);
        assertThat(marker.detail()).containsEntry(AuditRow.CHAIN_BEFORE, "sha256");
        assertThat(log.verify()).isEqualTo(VerifyResult.intact(10));

        // reopening does not switch again
        log.close();
        opened.remove(log);
        AuditLog again = open(file);
        assertThat(Logs.all(again)).hasSize(10);
        assertThat(again.verify()).isEqualTo(VerifyResult.intact(10));
    }

    @Test
    void anOldRowEditedAfterMigrationIsStillCaught() throws Exception {
        Path file = dir.resolve("old.db");
        legacyFile(file, 6);
        AuditLog log = open(file);
        write(log, 3);

        tamper(log, "UPDATE warden_audit SET username = 'mallory' WHERE id = 2");

        assertThat(log.verify().firstBadId()).isEqualTo(2);
    }

    @Test
    void cuttingTheKeyedPartOffAMigratedFileIsCaught() throws Exception {
        Path file = dir.resolve("old.db");
        legacyFile(file, 6);
        AuditLog log = open(file);
        write(log, 3);

        // the forger drops the switch and everything after it, leaving a consistent unkeyed chain
        tamper(log, "DELETE FROM warden_audit WHERE id >= 7");

        VerifyResult result = log.verify();
        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(1);
    }

    @Test
    void aReplacedKeyStartsANewSegmentAndTheOldOneIsReportedUnverifiable() throws Exception {
        Path file = dir.resolve("audit.db");
        AuditLog log = open(file);
        write(log, 4);
        log.close();
        opened.remove(log);
        Files.delete(dir.resolve("audit.db.key"));

        AuditLog again = open(file);
        write(again, 1);

        assertThat(Logs.all(again).get(4).reason()).isEqualTo(AuditRow.KEYED);
        VerifyResult result = again.verify();
        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(1);
        assertThat(result.problem()).contains("cannot be verified");
    }

    /** A file as the unkeyed version wrote it: its schema and {@code n} rows chained with SHA-256. */
    private void legacyFile(Path file, int n) throws Exception {
        // the schema as that version made it (same migrations), then rows written the old way
        new AuditFile(new SqliteDatabaseFiles(), file, 5000).close();
        try (Connection c = Events.raw(file); PreparedStatement insert = c.prepareStatement("INSERT INTO warden_audit ("
                + AuditTables.COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            String previous = AuditRow.GENESIS;
            for (int i = 1; i <= n; i++) {
                AuditRow r = AuditRow.of(i, i % 2 == 0 ? Events.deny("olga", i) : Events.allow("olga", i), previous);
                bind(insert, r);
                insert.executeUpdate();
                previous = r.hash();
            }
        }
    }

    private AuditLog open(Path file) {
        AuditLog log = Events.open(file);
        opened.add(log);
        files.put(log, file);
        return log;
    }

    private static void write(AuditLog log, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            log.accept(Events.deny("alice", i)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /** Runs {@code edit}, then recomputes the hashes of rows {@code from} on under {@code mac} (null: SHA-256). */
    private void rechain(AuditLog log, long from, Mac mac, String edit) throws Exception {
        tamper(log, edit);
        List<AuditRow> rows = new ArrayList<>();
        try (Connection c = Events.raw(files.get(log)); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT " + AuditTables.COLUMNS
                        + " FROM warden_audit ORDER BY id")) {
            while (rs.next()) {
                rows.add(AuditRow.read(rs));
            }
        }
        try (Connection c = Events.raw(files.get(log)); PreparedStatement update = c.prepareStatement(
                "UPDATE warden_audit SET hash = ? WHERE id = ?")) {
            String previous = AuditRow.GENESIS;
            for (AuditRow r : rows) {
                AuditRow now = r.id() >= from ? r.rechained(previous, mac) : r;
                update.setString(1, now.hash());
                update.setLong(2, now.id());
                update.executeUpdate();
                previous = now.hash();
            }
        }
    }

    private void tamper(AuditLog log, String sql) throws Exception {
        try (Connection c = Events.raw(files.get(log)); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    /** @return a MAC under a key a forger might guess: 32 zero bytes */
    private static Mac guessedKey() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        return mac;
    }

    static void bind(PreparedStatement insert, AuditRow r) throws Exception {
        AuditWriter.bind(insert, r);
    }
}
