package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.http.RawHttp.Response;

/**
 * Decisions run in two bounded lanes, taken only once a request is complete: answers that cost no
 * password hash never wait behind those that do, a lane with no room answers 503 at once, and
 * {@code /health} says so when decisions stop. The slow work is made to hang with an audit sink that
 * never confirms (each denial then waits the engine's whole {@code event.wait.ms}), so what the tests
 * see does not depend on timing.
 */
class DecisionLanesTest {

    private static final String JSON = "application/json";
    private static final String LOGIN =
            "{\"clientid\":\"s1\",\"password\":\"sensor1-secret\",\"username\":\"sensor1\"}";

    @TempDir
    Path dir;

    private WardenStack warden;
    private final HeldAudit audit = new HeldAudit();
    private final List<RawHttp> connections = new ArrayList<>();

    @BeforeEach
    void start() {
        warden = new WardenStack(dir, Map.of("event.wait.ms", 60_000));
        warden.account("sensor1", "sensor1-secret", "sensor");
    }

    @AfterEach
    void stop() throws IOException {
        audit.release();
        for (RawHttp c : connections) {
            c.close();
        }
        warden.close();
    }

    @Test
    void answersARememberedLoginWhileEverySlowThreadIsHeldAndItsQueueFills() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status").withLanes(2, 2, 18));
        try (RawHttp device = RawHttp.connect(server.port())) {
            assertThat(device.send("POST", "/user", JSON, LOGIN).status()).as("first login: bcrypt, remembered")
                    .isEqualTo(200);
            warden.bind(audit);

            // unknown usernames: a dummy bcrypt each, then a denial that waits for the audit; one at a time, so
            // that the slow lane fills exactly (2 held, 18 queued)
            List<RawHttp> flood = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                flood.add(post(server, "/user", "{\"clientid\":\"x" + i + "\",\"password\":\"guess-" + i
                        + "-password\",\"username\":\"ghost" + i + "\"}"));
                int sent = i + 1;
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    Scrape m = Scrape.over(device);
                    assertThat(m.value("warden_http_lane_busy{lane=\"slow\"}")
                            + m.value("warden_http_lane_queued{lane=\"slow\"}")).as(m.text()).isEqualTo(sent);
                });
            }
            assertThat(audit.held()).isEqualTo(2);

            for (int i = 0; i < 5; i++) {
                assertThat(device.send("POST", "/user", JSON, LOGIN).status()).as("remembered login %d", i)
                        .isEqualTo(200);
            }
            try (RawHttp other = RawHttp.connect(server.port())) {
                assertThat(other.send("POST", "/user", JSON, LOGIN.replace("secret", "wrong!")).status())
                        .as("a wrong password needs the slow lane, which now has no room").isEqualTo(503);
            }
            Scrape metrics = Scrape.over(device);
            assertThat(metrics.value("warden_http_lane_busy{lane=\"slow\"}")).isEqualTo(2);
            assertThat(metrics.decisions("user", "allow")).isEqualTo(6);
            assertThat(metrics.decisions("user", "overloaded")).isEqualTo(1);

            audit.release();
            for (RawHttp c : flood) {
                assertThat(c.read().status()).isEqualTo(403);
            }
        }
    }

    @Test
    void answers503AtOnceWhenTheFastLaneIsFullAndCountsItAsOverloaded() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status").withLanes(1, 1, 1));
        RawHttp watcher = hold(server);
        warden.bind(audit);
        // an ACL check for an account that does not exist: denied, so not answered from the cache
        String denied = "{\"acc\":1,\"clientid\":\"g\",\"topic\":\"t/%d\",\"username\":\"ghost\"}";

        RawHttp running = post(server, "/acl", denied.formatted(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> audit.held() == 1);
        RawHttp queued = post(server, "/acl", denied.formatted(2));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Scrape.over(watcher).value("warden_http_lane_queued{lane=\"fast\"}") == 1);
        RawHttp refused = post(server, "/acl", denied.formatted(3));

        assertThat(refused.read().status()).isEqualTo(503);
        assertThat(Scrape.over(watcher).decisions("acl", "overloaded")).isEqualTo(1);
        audit.release();
        assertThat(running.read().status()).isEqualTo(403);
        assertThat(queued.read().status()).isEqualTo(403);
        assertThat(Scrape.over(watcher).decisions("acl", "deny")).isEqualTo(2);
    }

    @Test
    void reportsDecisionsStalledOnHealthWhileEveryThreadIsHeldAndRecoversAfter() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status").withLanes(1, 1, 8).withStallTimeout(500));
        RawHttp watcher = hold(server);
        Response healthy = watcher.send("GET", "/health", null, new byte[0]);
        assertThat(healthy.status()).isEqualTo(200);
        assertThat(healthy.text()).isEqualTo("{\"status\":\"UP\",\"store\":\"reachable\"}");
        warden.bind(audit);

        RawHttp acl = post(server, "/acl", "{\"acc\":1,\"clientid\":\"g\",\"topic\":\"t\",\"username\":\"ghost\"}");
        RawHttp login = post(server, "/user",
                "{\"clientid\":\"g\",\"password\":\"ghost-password\",\"username\":\"ghost\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> audit.held() == 1);

        // the only fast thread held, a login queued behind it: /health needs no decision thread
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.send("GET", "/health", null, new byte[0])
                .status() == 503);
        Response stalled = watcher.send("GET", "/health", null, new byte[0]);
        assertThat(stalled.status()).isEqualTo(503);
        assertThat(stalled.header("Content-Type")).isEqualTo("application/json");
        assertThat(stalled.text()).startsWith("{\"status\":\"DOWN\",\"decisions\":\"stalled\",\"reason\":\"")
                .contains("fast lane: a decision has been running for");

        audit.release();
        assertThat(acl.read().status()).isEqualTo(403);
        assertThat(login.read().status()).isEqualTo(403);
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.send("GET", "/health", null, new byte[0])
                .status() == 200);
    }

    @Test
    void reportsTheStoreNotAnsweringWithoutWaitingForIt() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status"));
        RawHttp watcher = hold(server);
        String acl = "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/t\",\"username\":\"sensor1\"}";
        assertThat(watcher.send("POST", "/acl", JSON, acl).status()).isEqualTo(200);
        List<Connection> taken = new ArrayList<>();
        try {
            // every connection of the store's pool taken: asking it for one more waits its 5 s timeout
            for (int i = 0; i < 4; i++) {
                taken.add(warden.database.dataSource().getConnection());
            }

            Response health = watcher.send("GET", "/health", null, new byte[0]);

            assertThat(health.status()).isEqualTo(503);
            assertThat(health.text()).as("answered before the store's own timeout")
                    .isEqualTo("{\"status\":\"DOWN\",\"store\":\"not answering\"}");
            assertThat(watcher.send("POST", "/acl", JSON, acl).status()).as("a cached answer meanwhile")
                    .isEqualTo(200);
        } finally {
            for (Connection c : taken) {
                c.close();
            }
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> watcher.send("GET", "/health", null, new byte[0])
                .status() == 200);
    }

    private RawHttp hold(GoAuthServer server) throws IOException {
        RawHttp c = RawHttp.connect(server.port());
        c.setReadTimeout(20_000);
        connections.add(c);
        return c;
    }

    /** Sends a request on a connection of its own, without reading the answer. */
    private RawHttp post(GoAuthServer server, String path, String json) throws IOException {
        RawHttp c = hold(server);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        c.write(c.head("POST", path, JSON, body.length).getBytes(StandardCharsets.US_ASCII));
        c.write(body);
        return c;
    }
}
