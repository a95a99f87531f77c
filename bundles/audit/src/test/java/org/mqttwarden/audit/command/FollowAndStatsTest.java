package org.mqttwarden.audit.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.audit.AuditFilter;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.audit.AuditLog;

class FollowAndStatsTest {

    @TempDir
    Path dir;

    AuditLog log;

    @BeforeEach
    void open() {
        log = TestLogs.open(dir.resolve("audit.db"));
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void followerReturnsEachNewRowOnceEvenInBursts() throws Exception {
        TailFollower follower = new TailFollower(log, 0);
        assertThat(follower.poll()).isEmpty();

        TestLogs.record(log, TestLogs.event(1, EventType.AUTH, Outcome.ALLOW, "a", null, Map.of()));
        assertThat(follower.poll()).extracting(AuditRecord::id).containsExactly(1L);
        assertThat(follower.poll()).isEmpty();

        int burst = TailFollower.FIRST_ASK * 3 + 5;
        for (int i = 0; i < burst; i++) {
            TestLogs.record(log, TestLogs.event(2 + i, EventType.ACL, Outcome.DENY, "b", "t/" + i, Map.of()));
        }
        assertThat(follower.poll()).extracting(AuditRecord::id).hasSize(burst).startsWith(2L).endsWith(1L + burst)
                .isSorted();
        assertThat(follower.skipped()).isZero();
        assertThat(follower.lastId()).isEqualTo(1L + burst);
        assertThat(follower.poll()).isEmpty();
    }

    @Test
    void statsCountByTypeAndOutcome() throws Exception {
        TestLogs.record(log, TestLogs.event(0, EventType.AUTH, Outcome.ALLOW, "a", null, Map.of()));
        TestLogs.record(log, TestLogs.event(1, EventType.AUTH, Outcome.DENY, "a", null, Map.of()));
        TestLogs.record(log, TestLogs.event(2, EventType.AUTH, Outcome.DENY, "b", null, Map.of()));
        TestLogs.record(log, TestLogs.event(3, EventType.ACL, Outcome.ERROR, "b", "x", Map.of()));

        AuditStats stats = AuditStats.of(log.search(AuditFilter.any()));

        assertThat(stats.count(EventType.AUTH, Outcome.DENY)).isEqualTo(2);
        assertThat(stats.count(EventType.AUTH)).isEqualTo(3);
        assertThat(stats.count(EventType.OTP)).isZero();
        assertThat(stats.count(Outcome.ERROR)).isEqualTo(1);
        assertThat(stats.total()).isEqualTo(4);
    }
}
