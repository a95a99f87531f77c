package org.mqttwarden.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

/**
 * Successful logins the detector leaves unjudged (the reconnects of a known device) must never hide an
 * alert: whatever happens to the user in between (failures, an account change, a new client id or address,
 * failures still queued while the login comes in), the next login is judged again. The seen clients are in a
 * real SQLite file.
 */
class UnjudgedLoginTest {

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private AlertDetector detector;
    private final AlertHttpReplayTest.Recorder audit = new AlertHttpReplayTest.Recorder();
    private Instant now = Instant.parse("2026-11-26T08:00:00Z");

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        open(Map.of());
    }

    private void open(Map<String, ?> config) {
        detector = new AlertDetector(db, null, Configs.of(AlertDetector.Config.class, config));
        detector.setEvents(AuthStack.eventsTo(audit));
    }

    @AfterEach
    void stop() {
        detector.close();
        db.close();
    }

    private SecurityEvent login(String user, String client, String address) {
        now = now.plusSeconds(1);
        return new SecurityEvent(now, EventType.AUTH, Outcome.ALLOW, "auth.ok-remembered", user, null, client,
                address, null, null, null, Map.of());
    }

    private SecurityEvent failure(String user, String client) {
        now = now.plusSeconds(1);
        return new SecurityEvent(now, EventType.AUTH, Outcome.DENY, "auth.bad-password", user, null, client, null,
                null, null, null, Map.of());
    }

    private long unjudged() {
        return detector.counters().get("logins_unjudged");
    }

    private List<String> alerts() throws Exception {
        AlertAccess.judged(detector);
        return audit.alerts().stream().map(SecurityEvent::reason).toList();
    }

    @Test
    void aKnownDeviceReconnectingIsNotHandedOverAgain() throws Exception {
        detector.accept(login("plc-1", "c1", "10.0.0.1"));
        AlertAccess.judged(detector);
        for (int i = 0; i < 50; i++) {
            detector.accept(login("plc-1", "c1", "10.0.0.1"));
        }
        assertThat(unjudged()).isEqualTo(50);
        assertThat(alerts()).isEmpty();
    }

    @Test
    void failuresBetweenTwoLoginsAreJudgedEvenWhenStillQueued() throws Exception {
        detector.accept(login("plc-1", "c1", null));
        AlertAccess.judged(detector);
        detector.accept(login("plc-1", "c1", null));
        assertThat(unjudged()).isEqualTo(1);
        // no wait: the failures and the login after them are in the queue together
        for (int i = 0; i < 3; i++) {
            detector.accept(failure("plc-1", "attacker"));
        }
        detector.accept(login("plc-1", "c1", null));
        assertThat(unjudged()).as("the login after the failures crossed over").isEqualTo(1);
        assertThat(alerts()).containsExactly(AlertRules.LOGIN_AFTER_FAILURES);
        // the failures are settled by that judged login: the next reconnect is quiet again
        detector.accept(login("plc-1", "c1", null));
        assertThat(unjudged()).isEqualTo(2);
    }

    @Test
    void aLoginJudgedBeforeAFailureDoesNotVouchForTheLoginAfterIt() throws Exception {
        detector.accept(login("plc-1", "c1", null));
        AlertAccess.judged(detector);
        // accepted in this order, judged later: login A, 3 failures, login B
        detector.accept(login("plc-1", "c1", null)); // quiet (counted)
        detector.accept(failure("plc-1", "x"));
        detector.accept(login("plc-1", "c1", null)); // after a failure: judged
        detector.accept(failure("plc-1", "x"));
        detector.accept(failure("plc-1", "x"));
        detector.accept(failure("plc-1", "x"));
        detector.accept(login("plc-1", "c1", null));
        assertThat(unjudged()).isEqualTo(1);
        assertThat(alerts()).containsExactly(AlertRules.LOGIN_AFTER_FAILURES);
    }

    @Test
    void aNewClientIdOrAddressIsAlwaysJudged() throws Exception {
        detector.close();
        open(Map.of("alert.cooldown.minutes", 0));
        detector.accept(login("plc-1", "c1", "10.0.0.1"));
        AlertAccess.judged(detector);
        detector.accept(login("plc-1", "c2", "10.0.0.1"));
        detector.accept(login("plc-1", "c2", "10.0.0.9"));
        assertThat(unjudged()).isZero();
        assertThat(alerts()).containsExactly(AlertRules.NEW_CLIENT, AlertRules.NEW_CLIENT);
        assertThat(audit.alerts().get(0).detail()).containsEntry("new_client_id", "c2");
        assertThat(audit.alerts().get(1).detail()).containsEntry("new_address", "10.0.0.9");
    }

    @Test
    void anAccountChangeMakesTheNextLoginJudged() throws Exception {
        detector.accept(login("plc-1", "c1", null));
        AlertAccess.judged(detector);
        now = now.plusSeconds(1);
        detector.accept(new SecurityEvent(now, EventType.ADMIN_CHANGE, Outcome.ALLOW, "account.remove", "plc-1",
                null, null, null, null, null, "admin", Map.of()));
        detector.accept(login("plc-1", "c1", null));
        assertThat(unjudged()).isZero();
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aLoginJudgedLongAgoIsJudgedAgain() throws Exception {
        detector.accept(login("plc-1", "c1", null));
        AlertAccess.judged(detector);
        now = now.plusMillis(QuietLogins.QUIET_MAX_MS);
        detector.accept(login("plc-1", "c1", null));
        assertThat(unjudged()).isZero();
    }

    @Test
    void overflowingTheFailureMarksVoidsEveryJudgedLogin() throws Exception {
        detector.close();
        open(Map.of("alert.max.tracked", 100));
        detector.accept(login("plc-1", "c1", null));
        AlertAccess.judged(detector);
        // a spray of unknown usernames floods the marks; plc-1's own failures are among them
        for (int i = 0; i < 3; i++) {
            detector.accept(failure("plc-1", "x"));
        }
        for (int i = 0; i < 150; i++) {
            detector.accept(failure("nobody-" + i, "x"));
        }
        detector.accept(login("plc-1", "c1", null));
        assertThat(unjudged()).as("plc-1's marks went with the overflow, its judged login with them").isZero();
    }

    @Test
    void newSettingsVoidEveryJudgedLogin() throws Exception {
        detector.accept(login("plc-1", "c1", null));
        AlertAccess.judged(detector);
        detector.modified(Configs.of(AlertDetector.Config.class, Map.of("alert.login.failures", 2)));
        detector.accept(login("plc-1", "c1", null));
        assertThat(unjudged()).isZero();
    }
}
