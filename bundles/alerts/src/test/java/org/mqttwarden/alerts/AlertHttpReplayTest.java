package org.mqttwarden.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.http.GoAuthServer;
import org.mqttwarden.lockout.AccountChanges;
import org.mqttwarden.lockout.LockoutEntry;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.lockout.LockoutGuard;
import org.mqttwarden.lockout.LockoutWiring;
import org.mqttwarden.lockout.LoopbackHttp;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;

/**
 * Attack patterns replayed through the real go-auth HTTP backend (SQLite, decision engine, lockout guard,
 * Undertow), asserting exactly which alerts the detector raises, with the shipped settings.
 */
class AlertHttpReplayTest {

    private static final String SECRET = "the owner's long password";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private AuthStack auth;
    private AccountService admin;
    private LockoutGuard guard;
    private AccountChanges changes;
    private AlertDetector detector;
    private GoAuthServer server;
    private final Recorder audit = new Recorder();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        JdbiAccountStore store = new JdbiAccountStore(db);
        auth = AuthStack.on(store, Map.of("login.guard.required", true));
        admin = auth.accounts();
        guard = LockoutWiring.guard(db);
        changes = new AccountChanges(guard);
        detector = new AlertDetector(db, null, Configs.of(AlertDetector.Config.class, Map.of()));
        auth.guard(guard);
        auth.sink(audit);
        auth.sink(detector);
        auth.sink(changes);
        LockoutWiring.events(guard, auth.eventObjects());
        LockoutWiring.listener(guard, detector);
        detector.setEvents(auth.eventObjects());
        for (String u : List.of("plc-1", "plc-2", "plc-3")) {
            admin.createAccount(u, SECRET, Set.of("sensor"), null, "test");
        }
        server = LoopbackHttp.start(auth.authenticator(), auth.authorizer(), db);
    }

    @AfterEach
    void stop() {
        server.stop();
        detector.close();
        LockoutWiring.close(changes);
        db.close();
    }

    private int post(String path, String json) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                .timeout(Duration.ofSeconds(60)).build();
        return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private int login(String user, String password, String clientId) throws Exception {
        return post("/user", "{\"clientid\":\"" + clientId + "\",\"password\":\"" + password + "\",\"username\":\""
                + user + "\"}");
    }

    private int acl(String user, String clientId, String topic, int acc) throws Exception {
        return post("/acl", "{\"clientid\":\"" + clientId + "\",\"username\":\"" + user + "\",\"topic\":\"" + topic
                + "\",\"acc\":" + acc + "}");
    }

    /** @return the types of the alerts raised, in order, once every event so far has been judged */
    private List<String> alerts() throws Exception {
        AlertAccess.judged(detector);
        return audit.alerts().stream().map(SecurityEvent::reason).toList();
    }

    @Test
    void benignTrafficRaisesNoAlert() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (String u : List.of("plc-1", "plc-2", "plc-3")) {
                assertThat(login(u, SECRET, u + "-dev")).isEqualTo(200);
                assertThat(acl(u, u + "-dev", u + "/temp", 2)).isEqualTo(200);
                assertThat(acl(u, u + "-dev", u + "/cmd/#", 4)).isEqualTo(200);
                assertThat(acl(u, u + "-dev", u + "/cmd/reset", 1)).isEqualTo(200);
            }
        }
        // two typos, then the right password; a couple of stray denied publishes
        assertThat(login("plc-2", "the owner's long pasword", "plc-2-dev")).isEqualTo(403);
        assertThat(login("plc-2", "the owners long password", "plc-2-dev")).isEqualTo(403);
        assertThat(login("plc-2", SECRET, "plc-2-dev")).isEqualTo(200);
        assertThat(acl("plc-1", "plc-1-dev", "plc-2/temp", 2)).isEqualTo(403);
        assertThat(acl("plc-1", "plc-1-dev", "plc-3/temp", 2)).isEqualTo(403);

        assertThat(alerts()).isEmpty();
    }

    @Test
    void bruteForceOnOneAccountRaisesOneBruteForceAlert() throws Exception {
        for (int i = 0; i < 15; i++) {
            assertThat(login("plc-1", "guess-" + i, "attacker")).isEqualTo(403);
        }
        assertThat(alerts()).containsExactly("alert.brute-force");
        SecurityEvent a = audit.alerts().get(0);
        assertThat(a.type()).isEqualTo(EventType.ALERT);
        assertThat(a.outcome()).isEqualTo(Outcome.DENY);
        assertThat(a.username()).isEqualTo("plc-1");
        assertThat(a.actor()).isEqualTo("warden-lockout");
        assertThat(a.detail()).containsEntry("cause", "account-locked").containsEntry("severity", "warning");
        assertThat(a.detail().values()).noneMatch(v -> v.contains("guess"));
        assertThat(detector.counters()).containsEntry("raised_brute_force", 1L);
        assertThat(detector.counters().get("suppressed")).isPositive();
    }

    @Test
    void sprayingFromOneClientIdAcrossTenUsernamesRaisesOneSprayingAlert() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(login(i < 3 ? "plc-" + (i + 1) : "user-" + i, "Winter2026!", "sprayer")).isEqualTo(403);
        }
        assertThat(alerts()).containsExactly("alert.password-spraying");
        SecurityEvent a = audit.alerts().get(0);
        assertThat(a.clientId()).isEqualTo("sprayer");
        assertThat(a.detail()).containsEntry("source", "client:sprayer").containsEntry("usernames", "5");
        assertThat(a.detail().get("sample_usernames")).contains("plc-1").doesNotContain("Winter");
        assertThat(detector.recent(null, 10)).singleElement().satisfies(x -> assertThat(x.type())
                .isEqualTo("alert.password-spraying"));
    }

    @Test
    void stuffingFromManyClientIdsRaisesOneCredentialStuffingAlert() throws Exception {
        for (int i = 0; i < 40; i++) {
            assertThat(login("victim-" + i, "leaked-" + i, "bot-" + (i % 20))).isEqualTo(403);
        }
        assertThat(alerts()).containsExactly("alert.credential-stuffing");
        SecurityEvent a = audit.alerts().get(0);
        assertThat(a.detail()).containsEntry("usernames", "20").containsEntry("sources", "10")
                .containsEntry("severity", "critical").containsEntry("subject", "gateway");
    }

    @Test
    void aBurstOfDeniedPublishesRaisesOneDeniedBurstAlert() throws Exception {
        assertThat(login("plc-1", SECRET, "plc-1-dev")).isEqualTo(200);
        for (int i = 0; i < 25; i++) {
            assertThat(acl("plc-1", "plc-1-dev", "plant/valve-" + i + "/open", 2)).isEqualTo(403);
        }
        assertThat(alerts()).containsExactly("alert.denied-burst");
        SecurityEvent a = audit.alerts().get(0);
        assertThat(a.detail()).containsEntry("subject", "client:plc-1-dev").containsEntry("denials", "10")
                .containsEntry("access", "write");
        assertThat(a.detail().get("sample_topics")).contains("plant/valve-9/open");
    }

    @Test
    void aSuccessRightAfterFailuresRaisesLoginAfterFailures() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(login("plc-3", "guess-" + i, "plc-3-dev")).isEqualTo(403);
        }
        assertThat(login("plc-3", SECRET, "plc-3-dev")).isEqualTo(200);
        assertThat(alerts()).containsExactly("alert.login-after-failures");
        SecurityEvent a = audit.alerts().get(0);
        assertThat(a.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(a.detail()).containsEntry("failures", "4").containsEntry("severity", "critical");
    }

    @Test
    void aNewClientIdForAnAccountRaisesNewClientButItsFirstLoginDoesNot() throws Exception {
        assertThat(login("plc-1", SECRET, "plc-1-dev")).isEqualTo(200);
        assertThat(login("plc-1", SECRET, "plc-1-dev")).isEqualTo(200);
        assertThat(alerts()).isEmpty();
        assertThat(login("plc-1", SECRET, "laptop-x")).isEqualTo(200);
        assertThat(login("plc-1", SECRET, "laptop-x")).isEqualTo(200);
        assertThat(login("plc-1", SECRET, "plc-1-dev")).isEqualTo(200);
        assertThat(alerts()).containsExactly("alert.new-client");
        assertThat(audit.alerts().get(0).detail()).containsEntry("new_client_id", "laptop-x")
                .containsEntry("severity", "info");

        // a restart remembers the client ids seen: no new alert for either
        detector.close();
        AlertDetector again = new AlertDetector(db, null, Configs.of(AlertDetector.Config.class, Map.of()));
        auth.sink(again);
        again.setEvents(auth.eventObjects());
        assertThat(login("plc-1", SECRET, "laptop-x")).isEqualTo(200);
        assertThat(login("plc-1", SECRET, "plc-1-dev")).isEqualTo(200);
        AlertAccess.judged(again);
        assertThat(audit.alerts()).hasSize(1);
        again.close();
    }

    /**
     * The attack of warden-lockout's {@code GoAuthAttackTest}, with the detector listening: only the attacker's
     * sources are locked, the device gets in, and the lock raises {@code alert.brute-force}.
     */
    @Test
    void thirtyWrongPasswordsFromOtherClientIdsLockOnlyThoseSourcesWhileTheDeviceGetsInAndAnAlertIsRaised()
            throws Exception {
        assertThat(login("plc-1", SECRET, "plc-1")).as("the device, some day before").isEqualTo(200);
        for (int i = 0; i < 30; i++) {
            assertThat(login("plc-1", "guess-" + i, "attacker-" + i)).isEqualTo(403);
        }
        assertThat(login("plc-1", SECRET, "plc-1")).as("the device reconnects at once").isEqualTo(200);
        assertThat(login("plc-1", SECRET, "attacker-0")).as("the attacker's sources are locked").isEqualTo(403);
        List<String> reasons = authReasons();
        assertThat(reasons.stream().filter("auth.bad-password"::equals)).hasSize(5);
        assertThat(reasons.stream().filter("lockout.locked"::equals)).hasSize(26);
        assertThat(reasons.get(reasons.size() - 1)).isEqualTo("lockout.locked");
        assertThat(guard.list()).filteredOn(e -> !e.source()).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo("plc-1");
            assertThat(e.scope()).isEqualTo(LockoutEntry.UNTRUSTED);
            assertThat(e.locked()).isTrue();
        });
        assertThat(alerts()).contains("alert.brute-force");
        assertThat(audit.events).filteredOn(e -> e.reason().equals("lockout.account-locked")).singleElement()
                .satisfies(e -> assertThat(e.detail()).containsEntry("scope", LockoutEntry.UNTRUSTED));
    }

    private List<String> authReasons() {
        return audit.events.stream().filter(e -> e.type() == EventType.AUTH).map(SecurityEvent::reason).toList();
    }

    /** A sink recording what it gets. */
    static final class Recorder implements org.mqttwarden.api.event.EventSink {
        final List<SecurityEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public java.util.concurrent.CompletionStage<Void> accept(SecurityEvent event) {
            events.add(event);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        List<SecurityEvent> alerts() {
            return events.stream().filter(e -> e.type() == EventType.ALERT).toList();
        }
    }
}
