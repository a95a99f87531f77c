package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.health.StartupStep.State;
import org.mqttwarden.http.GatewayChecksTest.Step;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * {@code /health} is 200 only once the gateway is ready, and says what it waits for until then (503,
 * JSON), while go-auth's endpoints are served from the start. Real Undertow, real store.
 */
class ReadinessTest {

    private static final String JSON = "application/json";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private WardenStack warden;
    private final List<GoAuthServer> servers = new ArrayList<>();
    private final List<GatewayReadiness> readinesses = new ArrayList<>();

    @BeforeEach
    void start() {
        warden = WardenStack.open(dir);
        warden.account("sensor1", "sensor1-secret", "sensor");
    }

    @AfterEach
    void stop() {
        readinesses.forEach(GatewayReadiness::stop);
        servers.forEach(GoAuthServer::stop);
        warden.close();
    }

    private GoAuthServer serve(Readiness readiness) {
        GoAuthServer server = new GoAuthServer(HttpSettings.loopback("status"), CallerSettings.off(), warden.authenticator,
                warden.authorizer, warden.database, readiness);
        servers.add(server);
        return server;
    }

    private GatewayReadiness checking(List<GatewayReadiness.Check> checks) {
        GatewayReadiness readiness = new GatewayReadiness(checks);
        readinesses.add(readiness);
        return readiness;
    }

    @Test
    void saysWhatItWaitsForWhileStartingAndServesGoAuthMeanwhile() throws Exception {
        AtomicReference<Optional<NotReady>> state = new AtomicReference<>(
                Optional.of(NotReady.starting("first start", null)));
        GoAuthServer server = serve(state::get);

        HttpResponse<String> health = get(server, "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).isEqualTo("{\"status\":\"STARTING\",\"waiting\":\"first start\"}");
        assertThat(health.headers().firstValue("content-type")).hasValue(JSON);
        assertThat(post(server, "/acl", "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/t\","
                + "\"username\":\"sensor1\"}").statusCode()).as("go-auth is answered while starting").isEqualTo(200);

        state.set(Optional.of(NotReady.starting("shell", "nothing listens on the SSH port 8101 yet")));
        assertThat(get(server, "/health").body()).isEqualTo("{\"status\":\"STARTING\",\"waiting\":\"shell\","
                + "\"detail\":\"nothing listens on the SSH port 8101 yet\"}");

        state.set(Optional.empty());
        health = get(server, "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"UP\",\"store\":\"reachable\"}");
    }

    @Test
    void saysDownWithWhatFailed() throws Exception {
        GoAuthServer server = serve(() -> Optional.of(NotReady.failed("first start", "see the gateway's log")));

        HttpResponse<String> health = get(server, "/health");

        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body())
                .isEqualTo("{\"status\":\"DOWN\",\"failed\":\"first start\",\"detail\":\"see the gateway's log\"}");
    }

    @Test
    void aDetailWithQuotesAndControlCharactersStaysOneJsonString() throws Exception {
        String detail = "bundle \"a\\b\" (RESOLVED)\n\u0001";
        GoAuthServer server = serve(() -> Optional.of(NotReady.starting("bundles", detail)));

        String body = get(server, "/health").body();

        try (JsonParser p = new JsonFactory().createParser(body)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            String read = null;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                p.nextToken();
                if ("detail".equals(name)) {
                    read = p.getText();
                }
            }
            assertThat(read).isEqualTo(detail);
            assertThat(p.nextToken()).as("nothing after the object").isNull();
        }
    }

    @Test
    void becomesReadyWhenEveryStepIsDoneAndStaysReady() throws Exception {
        Step firstStart = new Step("first start", State.RUNNING);
        GatewayReadiness readiness = checking(List.of(GatewayChecks.steps(() -> List.of(firstStart))));
        GoAuthServer server = serve(readiness);
        readiness.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> get(server, "/health").body(),
                body -> body.equals("{\"status\":\"STARTING\",\"waiting\":\"first start\"}"));
        assertThat(get(server, "/health").statusCode()).isEqualTo(503);

        firstStart.state = State.DONE;
        await().atMost(Duration.ofSeconds(5)).until(() -> get(server, "/health").statusCode() == 200);

        firstStart.state = State.FAILED;
        assertThat(readiness.now()).as("ready once, ready for good: /health is then about liveness").isEmpty();
        assertThat(get(server, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void asksTheChecksInOrderAndSaysTheFirstNotReady() throws Exception {
        Step firstStart = new Step("first start", State.RUNNING);
        AtomicReference<Optional<NotReady>> bundles = new AtomicReference<>(
                Optional.of(NotReady.starting("bundles", "warden-audit (RESOLVED) not active yet")));
        GatewayReadiness readiness = checking(List.of(bundles::get, GatewayChecks.steps(() -> List.of(firstStart))));
        readiness.start();

        await().atMost(Duration.ofSeconds(5)).until(readiness::now, n -> n.equals(bundles.get()));
        bundles.set(Optional.empty());
        await().atMost(Duration.ofSeconds(5)).until(readiness::now,
                n -> n.equals(Optional.of(NotReady.starting("first start", null))));
        firstStart.state = State.FAILED;
        await().atMost(Duration.ofSeconds(5)).until(readiness::now,
                n -> n.equals(Optional.of(NotReady.failed("first start", "see the gateway's log"))));
    }

    @Test
    void aCheckThatThrowsIsNotReadyAndSaysWhy() throws Exception {
        GatewayReadiness readiness = checking(List.of(() -> {
            throw new IllegalStateException("no framework");
        }));
        GoAuthServer server = serve(readiness);
        assertThat(readiness.now()).as("before the first round").hasValue(
                NotReady.starting("readiness check", "not run yet"));
        readiness.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> get(server, "/health").body(), body -> body.equals(
                "{\"status\":\"STARTING\",\"waiting\":\"readiness check\",\"detail\":\"a check failed: "
                        + "java.lang.IllegalStateException: no framework\"}"));
    }

    @Test
    void asksTheStoreOnlyOnceReady() throws Exception {
        GoAuthServer server = serve(() -> Optional.of(NotReady.starting("first start", null)));
        assertThat(get(server, "/health").body()).startsWith("{\"status\":\"STARTING\"");
        warden.database.close();
        assertThat(get(server, "/health").body()).as("the store is asked only once ready")
                .startsWith("{\"status\":\"STARTING\"");

        GoAuthServer ready = serve(Readiness.READY);
        assertThat(get(ready, "/health").body()).isEqualTo("{\"status\":\"DOWN\",\"store\":\"unreachable\"}");
    }

    private HttpResponse<String> get(GoAuthServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), BodyHandlers.ofString());
    }

    private HttpResponse<String> post(GoAuthServer server, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", JSON).POST(BodyPublishers.ofString(body))
                .build(), BodyHandlers.ofString());
    }
}
