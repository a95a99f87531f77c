package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on {@code /user} through the real server: parallel guessing against a real account and
 * unknown ones while the owner keeps logging in, and an unknown user costing the same password check.
 */
class LoginAttackTest {

    private static final String SECRET = "the owner's long password";

    @TempDir
    Path dir;

    private WardenStack warden;
    private GoAuthServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        warden = WardenStack.open(dir);
        warden.account("plc-1", SECRET, "sensor");
        server = warden.serve(HttpSettings.loopback("status"));
    }

    @AfterEach
    void stop() {
        warden.close();
    }

    private int login(String user, String password) throws Exception {
        String body = "{\"clientid\":\"c\",\"password\":\"" + password + "\",\"username\":\"" + user + "\"}";
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/user"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60)).build();
        return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void parallelGuessingGetsOnlyDenialsWhileTheOwnerStillGetsIn() throws Exception {
        Map<Integer, AtomicInteger> attackStatuses = new ConcurrentHashMap<>();
        ExecutorService attackers = Executors.newFixedThreadPool(12);
        List<Future<?>> attacks = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            int thread = t;
            attacks.add(attackers.submit(() -> {
                for (int i = 0; i < 15; i++) {
                    String user = thread % 2 == 0 ? "plc-1" : "ghost-" + thread + "-" + i;
                    int status = login(user, "guess-" + thread + "-" + i);
                    attackStatuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                }
                return null;
            }));
        }
        List<Integer> owner = new ArrayList<>();
        while (attacks.stream().anyMatch(f -> !f.isDone())) {
            owner.add(login("plc-1", SECRET));
        }
        for (Future<?> f : attacks) {
            f.get();
        }
        attackers.shutdown();
        assertThat(attackStatuses.keySet()).containsOnly(403);
        assertThat(attackStatuses.get(403).get()).isEqualTo(180);
        assertThat(owner).isNotEmpty().containsOnly(200);
        assertThat(login("plc-1", SECRET + " ")).isEqualTo(403);
    }

    @Test
    void anUnknownUserCostsTheSamePasswordCheckAsAWrongPassword() throws Exception {
        // what an answer costs is one bcrypt at the account's cost in both cases (counted here, so the test does not
        // depend on the machine's speed); the time itself is measured in BENCHMARKS.md section 12 (TimingParityRun)
        for (int i = 0; i < 5; i++) {
            long before = bcrypts();
            assertThat(login("plc-1", "wrong " + i)).isEqualTo(403);
            assertThat(bcrypts()).as("a wrong password for an account").isEqualTo(before + 1);
            assertThat(login("nobody-" + i, "wrong " + i)).isEqualTo(403);
            assertThat(bcrypts()).as("any password for no account").isEqualTo(before + 2);
        }
    }

    private long bcrypts() {
        return ((Number) warden.metrics.counters().get("bcrypt_verifications")).longValue();
    }
}
