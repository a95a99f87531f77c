package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that connect and then send slowly, or nothing at all, hold a socket for a bounded time and
 * never a decision thread: go-auth's requests keep being answered, the stalled connections are
 * closed by the server, and beyond {@code max.connections} a connection is closed at once.
 */
class SlowClientsTest {

    private static final String JSON = "application/json";
    private static final String ALLOWED_ACL =
            "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/t\",\"username\":\"sensor1\"}";
    private static final String DENIED_ACL =
            "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor2/t\",\"username\":\"sensor1\"}";
    private static final String LOGIN =
            "{\"clientid\":\"s1\",\"password\":\"sensor1-secret\",\"username\":\"sensor1\"}";

    @TempDir
    Path dir;

    private WardenStack warden;
    private final List<RawHttp> held = new ArrayList<>();

    @BeforeEach
    void start() {
        warden = WardenStack.open(dir);
        warden.account("sensor1", "sensor1-secret", "sensor");
        warden.account("sensor2", "sensor2-secret", "sensor");
        warden.account("boss", "boss-secret-pw", "admin");
    }

    @AfterEach
    void stop() throws IOException {
        for (RawHttp c : held) {
            c.close();
        }
        warden.close();
    }

    @Test
    void answersGoAuthWhile64StalledAnd1000IdleConnectionsAreOpenAndClosesTheStalledOnes() throws Exception {
        // the shipped timeouts and cap: more stalled clients than there are decision threads in both lanes
        GoAuthServer server = warden.serve(HttpSettings.loopback("status"));
        List<RawHttp> stalled = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            RawHttp c = hold(server);
            String path = i % 2 == 0 ? "/acl" : "/user";
            byte[] body = (i % 2 == 0 ? ALLOWED_ACL : LOGIN).getBytes(StandardCharsets.UTF_8);
            c.write(c.head("POST", path, JSON, body.length).getBytes(StandardCharsets.US_ASCII));
            c.write(java.util.Arrays.copyOf(body, body.length / 2));
            stalled.add(c);
        }
        for (int i = 0; i < 1000; i++) {
            hold(server);
        }

        try (RawHttp goAuth = RawHttp.connect(server.port())) {
            assertThat(goAuth.send("POST", "/acl", JSON, ALLOWED_ACL).status()).isEqualTo(200);
            assertThat(goAuth.send("POST", "/acl", JSON, DENIED_ACL).status()).isEqualTo(403);
            assertThat(goAuth.send("POST", "/user", JSON, LOGIN).status()).isEqualTo(200);
            assertThat(goAuth.send("POST", "/user", JSON, LOGIN.replace("secret", "wrong!")).status())
                    .isEqualTo(403);
            assertThat(goAuth.send("POST", "/superuser", JSON, "{\"username\":\"boss\"}").status()).isEqualTo(200);
            Scrape during = Scrape.over(goAuth);
            assertThat(during.value("warden_http_connections_open")).as("stalled, idle and this one")
                    .isGreaterThanOrEqualTo(1065);

            for (RawHttp c : stalled) {
                // the server's body timeout (2 s) closes them; 10 s is only a bound for the test
                assertThat(c.closedByServerWithin(10_000)).as("a stalled connection closed by the server").isTrue();
            }

            Scrape after = Scrape.over(goAuth);
            assertThat(after.value("warden_http_body_timeouts_total")).isEqualTo(64);
            assertThat(after.decisions("acl", "bad_request") + after.decisions("user", "bad_request"))
                    .as("a stalled request is no decision").isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> Scrape.over(goAuth)
                    .value("warden_http_connections_open") == 1001);
            assertThat(held.get(64).open()).as("an idle connection, within idle.timeout.ms").isTrue();
        }
    }

    @Test
    void closesAConnectionThatStallsInItsHeaders() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status").withTimeouts(500, 500, 60_000));
        RawHttp c = hold(server);

        c.write("POST /acl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl".getBytes(StandardCharsets.US_ASCII));

        assertThat(c.closedByServerWithin(10_000)).isTrue();
    }

    @Test
    void closesAConnectionWhoseBodyTricklesPastTheBodyTimeout() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status").withTimeouts(500, 500, 60_000));
        RawHttp c = hold(server);
        byte[] body = ALLOWED_ACL.getBytes(StandardCharsets.UTF_8);
        c.write(c.head("POST", "/acl", JSON, body.length).getBytes(StandardCharsets.US_ASCII));

        // one byte whenever the previous read of the socket times out: never idle for 100 ms, never done
        boolean closed = false;
        for (int i = 0; i < body.length - 1 && !closed; i++) {
            try {
                c.write(new byte[] {body[i]});
                closed = c.closedByServerWithin(100);
            } catch (IOException e) {
                closed = true;
            }
        }

        assertThat(closed || c.closedByServerWithin(10_000)).as("closed before the body was complete").isTrue();
    }

    @Test
    void closesAConnectionThatNeverSendsTheBodyOfARequestAnsweredWithoutIt() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status").withTimeouts(500, 500, 60_000));
        RawHttp health = hold(server);
        RawHttp nowhere = hold(server);

        health.write(health.head("GET", "/health", null, 100).getBytes(StandardCharsets.US_ASCII));
        nowhere.write(nowhere.head("POST", "/nowhere", JSON, 100).getBytes(StandardCharsets.US_ASCII));

        assertThat(health.read().status()).isEqualTo(200);
        assertThat(health.closedByServerWithin(10_000)).as("/health, its body never sent").isTrue();
        // Undertow sends a 404 after draining the body it announced: none, as none came
        assertThat(nowhere.closedByServerWithin(10_000)).as("a 404, its body never sent").isTrue();
    }

    @Test
    void keepsAnIdleKeptAliveConnectionLongerThanTheParseAndBodyTimeouts() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status").withTimeouts(300, 300, 60_000));
        RawHttp c = hold(server);
        assertThat(c.send("POST", "/acl", JSON, ALLOWED_ACL).status()).isEqualTo(200);

        await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(5)).until(c::open);

        assertThat(c.send("POST", "/acl", JSON, DENIED_ACL).status()).isEqualTo(403);
    }

    @Test
    void closesAKeptAliveConnectionIdleLongerThanTheIdleTimeout() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status").withTimeouts(2000, 2000, 1000));
        RawHttp c = hold(server);
        assertThat(c.send("POST", "/acl", JSON, ALLOWED_ACL).status()).isEqualTo(200);

        assertThat(c.closedByServerWithin(10_000)).isTrue();
    }

    @Test
    void closesConnectionsBeyondTheCapAtOnceAndCountsThem() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status").withMaxConnections(16));
        RawHttp scraper = hold(server);
        List<RawHttp> idle = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            idle.add(hold(server));
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Scrape.over(scraper).value("warden_http_connections_open") == 16);

        RawHttp refused = hold(server);

        assertThat(refused.closedByServerWithin(10_000)).as("the 17th connection, closed at once").isTrue();
        Scrape metrics = Scrape.over(scraper);
        assertThat(metrics.value("warden_http_connections_refused_total")).isEqualTo(1);
        assertThat(metrics.value("warden_http_connections_open")).isEqualTo(16);
        assertThat(metrics.value("warden_http_connections_max")).isEqualTo(16);
        assertThat(scraper.send("POST", "/acl", JSON, ALLOWED_ACL).status()).as("an open connection is served")
                .isEqualTo(200);

        idle.get(0).close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Scrape.over(scraper).value("warden_http_connections_open") == 15);
        RawHttp next = hold(server);
        assertThat(next.send("POST", "/acl", JSON, ALLOWED_ACL).status()).as("room again").isEqualTo(200);
        assertThat(Scrape.over(scraper).value("warden_http_connections_refused_total")).isEqualTo(1);
    }

    private RawHttp hold(GoAuthServer server) throws IOException {
        RawHttp c = RawHttp.connect(server.port());
        held.add(c);
        return c;
    }
}
