package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.audit.AuditQuery.VerifyResult;

/** Tampering through a raw connection to the file breaks the hash chain at the right row. */
class AuditChainTest {

    @TempDir
    Path dir;

    Path file;
    AuditLog log;

    @BeforeEach
    void writeTwentyRows() throws Exception {
        file = dir.resolve("audit.db");
        log = Events.open(file);
        for (int i = 0; i < 19; i++) {
            log.accept(Events.allow("alice", i));
        }
        log.accept(Events.deny("alice", 19)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void anUntouchedChainVerifies() {
        assertThat(log.verify()).isEqualTo(VerifyResult.intact(20));
    }

    @Test
    void detectsAnEditedRow() throws Exception {
        tamper("UPDATE warden_audit SET outcome = 'ALLOW' WHERE id = 20");

        VerifyResult result = log.verify();

        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(20);
        assertThat(result.problem()).contains("altered");
    }

    @Test
    void detectsAnEditedRowWhoseHashWasRecomputedWithoutTheKey() throws Exception {
        // the forger knows the algorithm but not the key: the SHA-256 they compute is not row 7's HMAC
        AuditRow seven = Logs.all(log).stream().filter(r -> r.id() == 7).findFirst()
                .map(r -> AuditRow.chained(7, r.time().toEpochMilli(), r.type().name(), r.outcome().name(),
                        "acl.forged", r.username(), Json.array(r.roles()), r.clientId(), r.address(), r.topic(),
                        r.access().name(), r.actor(), Json.object(r.detail()), Logs.all(log).get(5).hash()))
                .orElseThrow();
        tamper("UPDATE warden_audit SET reason = 'acl.forged', hash = '" + seven.hash() + "' WHERE id = 7");

        assertThat(log.verify().firstBadId()).isEqualTo(7);
    }

    @Test
    void detectsADeletedRow() throws Exception {
        tamper("DELETE FROM warden_audit WHERE id = 9");

        VerifyResult result = log.verify();

        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(9);
        assertThat(result.problem()).contains("missing");
    }

    @Test
    void detectsADeletedFirstRow() throws Exception {
        tamper("DELETE FROM warden_audit WHERE id = 1");

        assertThat(log.verify().firstBadId()).isEqualTo(1);
    }

    @Test
    void detectsARowInsertedInTheMiddle() throws Exception {
        // make room at id 12 by shifting the later rows, then copy a neighbour's hash into the forged row
        tamper("UPDATE warden_audit SET id = -id WHERE id >= 12",
                "UPDATE warden_audit SET id = 1 - id WHERE id < 0",
                "INSERT INTO warden_audit (id, occurred_at, type, outcome, reason, username, roles, client_id,"
                        + " address, topic, access, actor, detail, hash) SELECT 12, occurred_at, type, 'ALLOW',"
                        + " 'acl.rule', username, roles, client_id, address, topic, access, actor, detail, hash"
                        + " FROM warden_audit WHERE id = 11");

        VerifyResult result = log.verify();

        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadId()).isEqualTo(12);
        assertThat(result.rowsChecked()).isEqualTo(12);
    }

    @Test
    void detectsARowAppendedByHand() throws Exception {
        tamper("INSERT INTO warden_audit (id, occurred_at, type, outcome, reason, username, roles, detail, hash)"
                + " VALUES (21, 0, 'AUTH', 'ALLOW', 'auth.ok', 'mallory', '[]', '{}', '" + "a".repeat(64) + "')");

        assertThat(log.verify().firstBadId()).isEqualTo(21);
    }

    @Test
    void theWriterKeepsChainingAfterAnUntamperedRestart() throws Exception {
        log.close();
        log = Events.open(file);
        log.accept(Events.deny("alice", 20)).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(log.verify()).isEqualTo(VerifyResult.intact(21));
    }

    private void tamper(String... statements) throws Exception {
        try (Connection c = Events.raw(file)) {
            c.setAutoCommit(false);
            for (String sql : statements) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate(sql);
                }
            }
            c.commit();
        }
    }
}
