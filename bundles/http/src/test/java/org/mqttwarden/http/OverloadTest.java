package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * More logins at once than one worker and a queue of one can hold: the surplus is told "error"
 * (503), never "denied", and counted as overloaded.
 */
class OverloadTest {

    private static final int CLIENTS = 8;

    @TempDir
    Path dir;

    private WardenStack warden;
    private GoAuthServer server;

    @BeforeEach
    void start() {
        // bcrypt cost 12 keeps the one worker busy for a few hundred ms per unknown-user login
        warden = new WardenStack(dir, Map.of("bcrypt.cost", 12));
        server = warden.serve(HttpSettings.loopback("status").withWorkers(1, 1));
    }

    @AfterEach
    void stop() {
        warden.close();
    }

    @Test
    void answersLoginsBeyondTheQueueWith503AndCountsThemAsOverloaded() throws Exception {
        List<RawHttp> connections = new ArrayList<>();
        List<Integer> statuses = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                connections.add(RawHttp.connect(server.port()));
            }
            for (int i = 0; i < CLIENTS; i++) {
                RawHttp c = connections.get(i);
                byte[] body = ("{\"clientid\":\"c" + i + "\",\"password\":\"some-password\",\"username\":\"ghost" + i
                        + "\"}").getBytes(StandardCharsets.UTF_8);
                c.write(c.head("POST", "/user", "application/json", body.length).getBytes(StandardCharsets.US_ASCII));
                c.write(body);
            }
            for (RawHttp c : connections) {
                Response r = c.read();
                statuses.add(r.status());
                assertThat(r.body()).isEmpty();
            }
        } finally {
            for (RawHttp c : connections) {
                c.close();
            }
        }

        assertThat(statuses).containsOnly(403, 503).contains(403, 503);
        long overloaded = statuses.stream().filter(s -> s == 503).count();
        Scrape metrics = Scrape.parse(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                BodyHandlers.ofString()).body());
        assertThat(metrics.decisions("user", "overloaded")).isEqualTo((double) overloaded);
        assertThat(metrics.decisions("user", "deny")).isEqualTo((double) (CLIENTS - overloaded));
        assertThat(metrics.decisions("user", "error")).isZero();
    }
}
