package org.mqttwarden.alerts.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.alerts.Alert;
import org.mqttwarden.alerts.AlertAccess;
import org.mqttwarden.alerts.AlertDetector;
import org.mqttwarden.alerts.Severity;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.audit.AuditLog;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.store.SqliteDatabaseFiles;
import org.mqttwarden.testsupport.Configs;

/**
 * {@code warden:alert-list}: alerts from the real audit log (SQLite) survive a restart of the detector, are
 * filtered by {@code --since} and limited by {@code -n}, oldest first; without an audit log, the detector's
 * memory; bad input is refused with a message.
 */
class AlertListTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private final SqliteDatabaseFiles files = new SqliteDatabaseFiles();
    private AuditLog audit;
    private AlertDetector detector;

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        audit = new AuditLog(Configs.of(AuditLog.Config.class, Map.of("path", dir.resolve("audit.db").toString())),
                files);
        detector = detector();
    }

    private AlertDetector detector() {
        AlertDetector d = new AlertDetector(db, null, Configs.of(AlertDetector.Config.class, Map.of()));
        AlertAccess.events(d, AuthStack.eventsTo(audit));
        return d;
    }

    @AfterEach
    void stop() {
        detector.close();
        audit.close();
        files.close();
        db.close();
    }

    /** Ten failed logins of {@code user} at {@code t}: one alert.brute-force. */
    private void bruteForce(String user, Instant t) throws Exception {
        for (int i = 0; i < 10; i++) {
            detector.accept(new SecurityEvent(t, EventType.AUTH, Outcome.DENY, "auth.bad-password", user, null,
                    "attacker", null, null, null, null, Map.of()));
        }
        AlertAccess.judged(detector);
    }

    private List<String> subjects(List<Alert> alerts) {
        return alerts.stream().map(Alert::subject).toList();
    }

    @Test
    void listsTheAuditedAlertsOldestFirstAlsoAfterARestart() throws Exception {
        bruteForce("plc-1", NOW.minus(Duration.ofHours(3)));
        bruteForce("plc-2", NOW.minus(Duration.ofMinutes(20)));
        bruteForce("plc-3", NOW.minus(Duration.ofMinutes(5)));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> AlertListCommand.list(audit, detector, null, 50).size() == 3);

        detector.close();
        detector = detector();
        assertThat(detector.recent(null, 50)).as("the new detector's memory").isEmpty();

        List<Alert> all = AlertListCommand.list(audit, detector, null, 50);
        assertThat(subjects(all)).containsExactly("plc-1", "plc-2", "plc-3");
        Alert first = all.get(0);
        assertThat(first.type()).isEqualTo("alert.brute-force");
        assertThat(first.severity()).isEqualTo(Severity.WARNING);
        assertThat(first.outcome()).isEqualTo(Outcome.DENY);
        assertThat(first.clientId()).isEqualTo("attacker");
        assertThat(first.detail()).containsEntry("failures", "10").doesNotContainKeys("severity", "subject");

        Instant from = AlertListCommand.parseSince("1h", NOW);
        assertThat(subjects(AlertListCommand.list(audit, detector, from, 50))).containsExactly("plc-2", "plc-3");
        assertThat(subjects(AlertListCommand.list(audit, detector, null, 2))).as("the newest two")
                .containsExactly("plc-2", "plc-3");
    }

    @Test
    void withoutAnAuditLogTheDetectorsMemoryIsListed() throws Exception {
        bruteForce("plc-1", NOW.minus(Duration.ofMinutes(30)));
        bruteForce("plc-2", NOW.minus(Duration.ofMinutes(2)));
        assertThat(subjects(AlertListCommand.list(null, detector, null, 50))).containsExactly("plc-1", "plc-2");
        assertThat(subjects(AlertListCommand.list(null, detector, NOW.minus(Duration.ofMinutes(10)), 50)))
                .containsExactly("plc-2");
        assertThat(subjects(AlertListCommand.list(null, detector, null, 1))).containsExactly("plc-2");
    }

    @Test
    void sinceTakesDurationsAndInstants() throws Exception {
        assertThat(AlertListCommand.parseSince("90s", NOW)).isEqualTo(NOW.minusSeconds(90));
        assertThat(AlertListCommand.parseSince("30m", NOW)).isEqualTo(NOW.minus(Duration.ofMinutes(30)));
        assertThat(AlertListCommand.parseSince("2H", NOW)).isEqualTo(NOW.minus(Duration.ofHours(2)));
        assertThat(AlertListCommand.parseSince(" 7d ", NOW)).isEqualTo(NOW.minus(Duration.ofDays(7)));
        assertThat(AlertListCommand.parseSince("2026-11-02T08:00:00Z", NOW))
                .isEqualTo(Instant.parse("2026-11-02T08:00:00Z"));
    }

    @Test
    void badInputIsRefusedWithAMessage() {
        for (String bad : List.of("yesterday", "-5m", "5w", "", "2026-11-02", "1234567890m")) {
            assertThatThrownBy(() -> AlertListCommand.parseSince(bad, NOW)).as(bad)
                    .isInstanceOf(CommandException.class).hasMessageContaining("--since must be");
        }
        assertThatThrownBy(() -> AlertListCommand.list(audit, detector, null, 0))
                .isInstanceOf(CommandException.class).hasMessageContaining("-n must be 1 to 100000");
        assertThatThrownBy(() -> AlertListCommand.list(null, detector, null, 100_001))
                .isInstanceOf(CommandException.class).hasMessageContaining("-n must be");
    }
}
