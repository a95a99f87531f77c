package org.mqttwarden.lockout;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.http.GoAuthServer;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.TestClock;

/**
 * An unauthenticated CONNECT flood with random usernames and passwords, sent as go-auth behind Mosquitto
 * sends it: one request at a time, keep-alive, through the real HTTP server, engine and guard.
 *
 * <p>Time is simulated so the test is exact: the guard's clock is the test's, and every password hash the
 * engine runs (its counter {@code bcrypt_verifications}) costs {@value #BCRYPT_MS} ms of it, as a bcrypt of
 * the shipped cost does on a gateway; between requests the caller spends {@value #GAP_MS} ms. The share of
 * the caller's (the broker's) time spent on the flood's password checks is then counted, not measured.
 */
class FloodTest {

    private static final long BCRYPT_MS = 100;
    private static final long GAP_MS = 5;
    private static final String SECRET = "the owner's long password";

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private SqliteDatabase db;
    private AuthStack auth;
    private LockoutGuard guard;
    private GoAuthServer server;
    private final Attempts.Sink audit = new Attempts.Sink();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        JdbiAccountStore store = new JdbiAccountStore(db);
        auth = AuthStack.on(store, Map.of("login.guard.required", true));
        AccountService admin = auth.accounts();
        admin.createAccount("plc-1", SECRET, Set.of("sensor"), null, "test");
        admin.createAccount("plc-2", SECRET, Set.of("sensor"), null, "test");
        LongSupplier simulated = () -> {
            Instant t = clock.instant();
            return t.getEpochSecond() * 1_000_000_000L + t.getNano() + bcrypts() * BCRYPT_MS * 1_000_000L;
        };
        // the arithmetic below is at 10 %
        guard = new LockoutGuard(db, TestConfig.defaults().budget(10).config(), clock, simulated);
        auth.guard(guard);
        auth.sink(audit);
        server = LoopbackHttp.start(auth.authenticator(), auth.authorizer(), db);
    }

    @AfterEach
    void stop() {
        server.stop();
        db.close();
    }

    private long bcrypts() {
        return auth.metrics().counters().get("bcrypt_verifications");
    }

    private HttpResponse<String> login(String user, String password, String clientId) throws Exception {
        String body = "{\"clientid\":\"" + clientId + "\",\"password\":\"" + password + "\",\"username\":\"" + user
                + "\"}";
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/user"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private String lastReason() {
        List<SecurityEvent> auth = audit.events.stream().filter(e -> e.type() == EventType.AUTH).toList();
        return auth.get(auth.size() - 1).reason();
    }

    @Test
    void aFloodOfRandomUsernamesGetsAtMostTheBudgetOfTheBrokersTimeAndAKnownDeviceStillGetsInFirstTime()
            throws Exception {
        assertThat(login("plc-1", SECRET, "plc-1").statusCode()).as("the device, before the flood").isEqualTo(200);
        Random random = new Random(9);
        int floods = 2000;
        long startMillis = clock.millis();
        long bcryptsBefore = bcrypts();
        int checked = 0;
        int refused = 0;
        int deviceLogins = 0;
        for (int i = 0; i < floods; i++) {
            clock.advance(Duration.ofMillis(GAP_MS));
            String user = i % 10 == 0 ? "plc-2" : "user-" + Long.toHexString(random.nextLong());
            assertThat(login(user, "pw-" + random.nextLong(), "flood-" + i).statusCode()).isEqualTo(403);
            String reason = lastReason();
            if (reason.equals(LockoutGuard.BUSY)) {
                refused++;
            } else {
                assertThat(reason).isIn("auth.unknown-user", "auth.bad-password");
                checked++;
            }
            if (i % 100 == 50) {
                clock.advance(Duration.ofMillis(GAP_MS));
                assertThat(login("plc-1", SECRET, "plc-1").statusCode()).as("the device at %d", i).isEqualTo(200);
                assertThat(lastReason()).startsWith("auth.ok");
                deviceLogins++;
            }
        }
        long deviceBcrypts = audit.events.stream().filter(e -> e.type() == EventType.AUTH)
                .filter(e -> e.reason().equals("auth.ok")).count() - 1;
        assertThat(bcrypts() - bcryptsBefore).as("password checks run: the flood's and the device's")
                .isEqualTo(checked + deviceBcrypts);
        long brokerMillis = clock.millis() - startMillis + (bcrypts() - bcryptsBefore) * BCRYPT_MS;
        long floodWork = checked * BCRYPT_MS;
        // 10 % of the time, plus the bucket full to start with and the last attempt's debt (one bcrypt each)
        assertThat(floodWork).as("%d of %d flood logins checked in %d ms of the broker's time", checked, floods,
                brokerMillis).isLessThanOrEqualTo(brokerMillis / 10 + 2 * BCRYPT_MS);
        assertThat(checked).as("the budget is used, not just refused").isGreaterThanOrEqualTo(10);
        assertThat(refused).isEqualTo(floods - checked);
        assertThat(deviceLogins).isEqualTo(20);
        assertThat(guard.counters().get("budget_refused")).isEqualTo(refused);
        assertThat(guard.counters().get("failures_counted")).as("refusals are no failures").isEqualTo(checked);
    }

    @Test
    void theRefusalIsTheSameOnTheWireForAnExistingAccountAndAnUnknownUsernameAndRunsNoBcrypt() throws Exception {
        Random random = new Random(4);
        for (int i = 0; i < 50 && (i == 0 || !lastReason().equals(LockoutGuard.BUSY)); i++) {
            login("user-" + random.nextLong(), "pw", "flood-" + i);
        }
        assertThat(lastReason()).isEqualTo(LockoutGuard.BUSY);
        long before = bcrypts();
        HttpResponse<String> existing = login("plc-2", "a wrong password", "attacker-1");
        assertThat(lastReason()).isEqualTo(LockoutGuard.BUSY);
        HttpResponse<String> unknown = login("nobody-" + random.nextLong(), "a wrong password", "attacker-2");
        assertThat(lastReason()).isEqualTo(LockoutGuard.BUSY);
        HttpResponse<String> rightPassword = login("plc-2", SECRET, "attacker-3");
        assertThat(lastReason()).isEqualTo(LockoutGuard.BUSY);
        assertThat(bcrypts()).as("no password check").isEqualTo(before);
        for (HttpResponse<String> r : List.of(existing, unknown, rightPassword)) {
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).isEqualTo(existing.body());
            assertThat(r.headers().map().keySet()).isEqualTo(existing.headers().map().keySet());
        }
        clock.advance(Duration.ofSeconds(2));
        assertThat(login("plc-2", SECRET, "plc-2").statusCode()).as("once the budget refilled").isEqualTo(200);
    }
}
