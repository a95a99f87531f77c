package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/** What a client sends is stored so that every database takes it, and secrets never are. */
class AuditRowColumnsTest {

    @Test
    void aHugeUsernameIsCutAndStillChains() {
        String huge = "u".repeat(8000);
        AuditRow row = AuditRow.of(1, event(huge, "c", "t"), AuditRow.GENESIS);

        assertThat(row.username()).hasSizeLessThanOrEqualTo(AuditRow.MAX_NAME).startsWith("u".repeat(64) + "…#")
                .matches("u{64}…#[0-9a-f]{32}");
        assertThat(row.chainsTo(AuditRow.GENESIS)).isTrue();
    }

    @Test
    void twoLongValuesWithTheSamePrefixStayApart() {
        String a = "plant/" + "x".repeat(300) + "/a";
        String b = "plant/" + "x".repeat(300) + "/b";

        assertThat(AuditRow.topic(a)).hasSizeLessThan(AuditRow.MAX_TOPIC).isNotEqualTo(AuditRow.topic(b));
        assertThat(AuditRow.topic("plant/line1/temp")).isEqualTo("plant/line1/temp");
        assertThat(AuditRow.name("x".repeat(AuditRow.MAX_NAME))).isEqualTo("x".repeat(AuditRow.MAX_NAME));
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String emoji = "x".repeat(AuditRow.MAX_NAME - 2) + "😀😀";
        String cut = AuditRow.column(emoji, AuditRow.MAX_NAME);

        assertThat(cut).endsWith("x…").hasSizeLessThanOrEqualTo(AuditRow.MAX_NAME);
    }

    @Test
    void nulIsReplacedEverywhere() {
        AuditRow row = AuditRow.of(1, event("a\0b", "c\0", "t/\0"), AuditRow.GENESIS);

        assertThat(row.username()).isEqualTo("a\uFFFDb");
        assertThat(row.clientId()).isEqualTo("c\uFFFD");
        assertThat(row.topic()).isEqualTo("t/\uFFFD");
    }

    @Test
    void shortValuesAreKeptAsSent() {
        assertThat(AuditRow.column("plant/line1/temp", 512)).isEqualTo("plant/line1/temp");
        assertThat(AuditRow.column(null, 512)).isNull();
        assertThat(AuditRow.column("", 512)).isEmpty();
    }

    @Test
    void secretKeysAreRedactedEvenAcrossLineBreaks() {
        Map<String, String> safe = AuditRow.safeDetail(Map.of("x\npassword", "hunter2", "new\nToken", "abc",
                "rule", "#1"));

        assertThat(safe).containsEntry("x\npassword", AuditRow.REDACTED).containsEntry("new\nToken", AuditRow.REDACTED)
                .containsEntry("rule", "#1");
    }

    private static SecurityEvent event(String user, String client, String topic) {
        return new SecurityEvent(Instant.parse("2026-11-22T10:00:00Z"), EventType.ACL, Outcome.DENY, "acl.deny", user,
                Set.of("sensor"), client, null, topic, Access.WRITE, null, Map.of());
    }
}
