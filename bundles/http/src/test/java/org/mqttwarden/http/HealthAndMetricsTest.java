package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.metrics.MetricSource;

/** {@code /health} follows the store; {@code /metrics} counts every answer exactly once. */
class HealthAndMetricsTest {

    private static final String JSON = "application/json";
    private static final String[] ENDPOINTS = {"user", "superuser", "acl"};
    private static final String[] RESULTS = {"allow", "deny", "error", "bad_request", "overloaded"};

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private WardenStack warden;
    private GoAuthServer server;

    @BeforeEach
    void start() {
        warden = WardenStack.open(dir);
        warden.account("sensor1", "sensor1-secret", "sensor");
        warden.account("sensor2", "sensor2-secret", "sensor");
        warden.account("boss", "boss-secret-pw", "admin");
        server = warden.serve(HttpSettings.loopback("status"));
    }

    @AfterEach
    void stop() {
        warden.close();
    }

    @Test
    void reportsUpWhileTheStoreAnswers() throws Exception {
        HttpResponse<String> health = get(server, "/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).startsWith("{\"status\":\"UP\"");
        assertThat(health.headers().firstValue("content-type")).hasValue("application/json");
    }

    @Test
    void reportsDownAndAnswersErrorsNotDenialsOnceTheStoreIsClosed() throws Exception {
        GoAuthServer json = warden.serve(HttpSettings.loopback("json"));
        assertThat(post(server, "/acl",
                "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/t\",\"username\":\"sensor1\"}").statusCode())
                .isEqualTo(200);

        warden.database.close();

        HttpResponse<String> health = get(server, "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).startsWith("{\"status\":\"DOWN\"");
        HttpResponse<String> login = post(server, "/user",
                "{\"clientid\":\"s2\",\"password\":\"sensor2-secret\",\"username\":\"sensor2\"}");
        assertThat(login.statusCode()).as("a login the store cannot check").isBetween(500, 599);
        assertThat(login.body()).isEmpty();
        HttpResponse<String> acl = post(server, "/acl",
                "{\"acc\":1,\"clientid\":\"b\",\"topic\":\"any/t\",\"username\":\"boss\"}");
        assertThat(acl.statusCode()).as("an ACL check the store cannot answer").isBetween(500, 599);
        HttpResponse<String> superuser = post(json, "/superuser", "{\"username\":\"sensor2\"}");
        assertThat(superuser.statusCode()).isBetween(500, 599);
        assertThat(superuser.body()).doesNotContain("Exception").doesNotContain("sqlite").doesNotContain("SQL");
        Scrape metrics = scrape(server);
        assertThat(metrics.decisions("user", "error")).isEqualTo(1);
        assertThat(metrics.decisions("user", "deny")).isZero();
        assertThat(metrics.decisions("acl", "error")).isEqualTo(1);
    }

    @Test
    void keepsAnsweringWhatItAlreadyKnowsWhileTheStoreIsClosed() throws Exception {
        String own = "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/t\",\"username\":\"sensor1\"}";
        String other = "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor2/t\",\"username\":\"sensor1\"}";
        assertThat(post(server, "/acl", own).statusCode()).isEqualTo(200);
        assertThat(post(server, "/acl", other).statusCode()).isEqualTo(403);

        warden.database.close();

        assertThat(post(server, "/acl", own).statusCode()).isEqualTo(200);
        assertThat(post(server, "/acl", other).statusCode()).isEqualTo(403);
    }

    @Test
    void countsEachAnswerExactlyOnce() throws Exception {
        Scrape before = scrape(server);

        for (int i = 0; i < 3; i++) {
            post(server, "/acl",
                    "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/t" + i + "\",\"username\":\"sensor1\"}");
        }
        for (int i = 0; i < 2; i++) {
            post(server, "/acl",
                    "{\"acc\":1,\"clientid\":\"s1\",\"topic\":\"sensor2/t" + i + "\",\"username\":\"sensor1\"}");
        }
        post(server, "/user", "{\"clientid\":\"s1\",\"password\":\"sensor1-secret\",\"username\":\"sensor1\"}");
        post(server, "/user", "{\"clientid\":\"s1\",\"password\":\"sensor1-wrong!\",\"username\":\"sensor1\"}");
        post(server, "/user", "{\"clientid\":\"x\",\"password\":\"sensor1-secret\",\"username\":\"ghost\"}");
        post(server, "/superuser", "{\"username\":\"boss\"}");
        post(server, "/superuser", "{\"username\":\"sensor1\"}");
        post(server, "/acl", "{\"acc\":\"2\",\"clientid\":\"s1\",\"topic\":\"sensor1/t\",\"username\":\"sensor1\"}");
        send(server, "DELETE", "/acl", JSON, "{}");
        send(server, "POST", "/superuser", "text/plain", "boss");
        get(server, "/health");
        get(server, "/nowhere");

        Scrape after = scrape(server);
        Map<String, Integer> expected = new HashMap<>();
        expected.put("acl/allow", 3);
        expected.put("acl/deny", 2);
        expected.put("acl/bad_request", 2);
        expected.put("user/allow", 1);
        expected.put("user/deny", 2);
        expected.put("superuser/allow", 1);
        expected.put("superuser/deny", 1);
        expected.put("superuser/bad_request", 1);
        for (String endpoint : ENDPOINTS) {
            for (String result : RESULTS) {
                assertThat(after.decisions(endpoint, result) - before.decisions(endpoint, result))
                        .as("warden_decisions_total{endpoint=%s,result=%s}", endpoint, result)
                        .isEqualTo((double) expected.getOrDefault(endpoint + "/" + result, 0));
            }
        }
    }

    @Test
    void exposesALatencyHistogramConsistentWithTheCounters() throws Exception {
        for (int i = 0; i < 4; i++) {
            post(server, "/acl",
                    "{\"acc\":1,\"clientid\":\"s1\",\"topic\":\"sensor1/t" + i + "\",\"username\":\"sensor1\"}");
        }
        post(server, "/user", "{\"clientid\":\"s1\",\"password\":\"sensor1-wrong!\",\"username\":\"sensor1\"}");

        HttpResponse<String> response = get(server, "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain").contains("version=0.0.4"));
        assertThat(response.body()).contains("# TYPE warden_decisions_total counter\n",
                "# TYPE warden_request_duration_seconds histogram\n");
        Scrape metrics = Scrape.parse(response.body());
        for (String endpoint : ENDPOINTS) {
            List<Double> buckets = new ArrayList<>();
            List<Double> bounds = new ArrayList<>();
            String prefix = "warden_request_duration_seconds_bucket{endpoint=\"" + endpoint + "\",le=\"";
            metrics.samples().keySet().stream().filter(k -> k.startsWith(prefix)).forEach(k -> {
                String le = k.substring(prefix.length(), k.length() - 2);
                bounds.add(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le));
                buckets.add(metrics.value(k));
            });
            assertThat(bounds).as("bucket bounds of %s", endpoint).hasSizeGreaterThan(5).isSorted()
                    .endsWith(Double.POSITIVE_INFINITY);
            assertThat(buckets).as("cumulative buckets of %s", endpoint).isSorted();
            double answered = 0;
            for (String result : RESULTS) {
                answered += metrics.decisions(endpoint, result);
            }
            double count = metrics.value("warden_request_duration_seconds_count{endpoint=\"" + endpoint + "\"}");
            assertThat(buckets.get(buckets.size() - 1)).isEqualTo(count);
            assertThat(count).as("histogram count of %s", endpoint).isEqualTo(answered);
            double sum = metrics.value("warden_request_duration_seconds_sum{endpoint=\"" + endpoint + "\"}");
            assertThat(sum).as("seconds spent answering %s", endpoint).isBetween(0.0, count * 5);
        }
        assertThat(metrics.value("warden_request_duration_seconds_count{endpoint=\"acl\"}")).isEqualTo(4);
        assertThat(metrics.value("warden_request_duration_seconds_sum{endpoint=\"user\"}"))
                .as("a bcrypt check takes measurable time").isGreaterThan(0.001);
    }

    @Test
    void exposesTheDecisionEngineCountersWhileTheEngineIsBound() throws Exception {
        server.addMetricSource(warden.metrics);
        String acl = "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/cached\",\"username\":\"sensor1\"}";
        Scrape before = scrape(server);

        post(server, "/acl", acl);
        post(server, "/acl", acl);

        Scrape after = scrape(server);
        assertThat(after.value("warden_engine_acl_cache_misses_total")
                - before.value("warden_engine_acl_cache_misses_total")).isEqualTo(1);
        assertThat(after.value("warden_engine_acl_cache_hits_total")
                - before.value("warden_engine_acl_cache_hits_total")).isEqualTo(1);
        assertThat(after.text()).contains("# TYPE warden_engine_bcrypt_verifications_total counter");

        server.removeMetricSource(warden.metrics);

        assertThat(scrape(server).text()).doesNotContain("warden_engine_");
    }

    @Test
    void exposesTheCountersAndGaugesOfEverySourceBound() throws Exception {
        FixedSource audit = new FixedSource("audit", Map.of("events_written", 12L, "events_lost", 0L),
                Map.of("queue_depth", 3L, "queue_capacity", 8192L));
        server.addMetricSource(FixedSource.of("zeta", Map.of("widgets", 7L)));
        server.addMetricSource(audit);
        server.addMetricSource(warden.metrics);

        Scrape metrics = scrape(server);

        assertThat(metrics.value("warden_audit_events_written_total")).isEqualTo(12);
        assertThat(metrics.value("warden_audit_events_lost_total")).isZero();
        assertThat(metrics.value("warden_audit_queue_depth")).isEqualTo(3);
        assertThat(metrics.value("warden_audit_queue_capacity")).isEqualTo(8192);
        assertThat(metrics.value("warden_zeta_widgets_total")).isEqualTo(7);
        assertThat(metrics.value("warden_engine_bcrypt_verifications_total")).isZero();
        assertThat(metrics.text()).contains(
                "# TYPE warden_audit_events_written_total counter\nwarden_audit_events_written_total 12\n",
                "# TYPE warden_audit_queue_depth gauge\nwarden_audit_queue_depth 3\n");
        assertThat(List.copyOf(metrics.samples().keySet())).as("sources in order of name, after the endpoint's own")
                .containsSubsequence("warden_request_duration_seconds_count{endpoint=\"acl\"}",
                        "warden_audit_events_lost_total", "warden_engine_acl_cache_hits_total",
                        "warden_zeta_widgets_total");
        assertWellFormed(metrics);

        server.removeMetricSource(audit);

        assertThat(scrape(server).text()).doesNotContain("warden_audit_").contains("warden_zeta_widgets_total 7");
    }

    @Test
    void leavesOutWhatASourceGetsWrongAndServesTheRest() throws Exception {
        server.addMetricSource(FixedSource.of("good", Map.of("runs", 1L)));
        server.addMetricSource(new MetricSource() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Map<String, Long> counters() {
                throw new IllegalStateException("closed");
            }
        });
        server.addMetricSource(new FixedSource("halfbroken", Map.of("runs", 1L), null));
        server.addMetricSource(FixedSource.of("Bad-Name", Map.of("runs", 1L)));
        server.addMetricSource(FixedSource.of(null, Map.of("runs", 1L)));
        Map<String, Long> mixed = new HashMap<>();
        mixed.put("fine", 2L);
        mixed.put("Not OK", 3L);
        mixed.put("went_down", -1L);
        mixed.put("unknown", null);
        server.addMetricSource(new FixedSource("mixed", mixed, Map.of("level", 4L, "fine_total", 9L)));
        server.addMetricSource(FixedSource.of("good", Map.of("runs", 99L, "other_runs", 5L)));
        server.addMetricSource(new FixedSource("request", Map.of(), Map.of("duration_seconds_count", 1L)));

        for (int scrape = 0; scrape < 2; scrape++) {
            Scrape metrics = scrape(server);

            assertThat(metrics.value("warden_good_runs_total")).as("the first bound of two sources named good")
                    .isEqualTo(1);
            assertThat(metrics.value("warden_good_other_runs_total")).isEqualTo(5);
            assertThat(metrics.value("warden_mixed_fine_total")).as("the counter, not the gauge of that name")
                    .isEqualTo(2);
            assertThat(metrics.value("warden_mixed_level")).isEqualTo(4);
            assertThat(metrics.text()).doesNotContain("broken", "Bad", "null", "Not", "went_down", "unknown",
                    "warden_request_duration_seconds_count ");
            assertThat(metrics.decisions("user", "allow")).isZero();
            assertWellFormed(metrics);
        }
    }

    /** Each series once, each metric declared once, directly above its sample. */
    private static void assertWellFormed(Scrape metrics) {
        List<String> lines = metrics.text().lines().toList();
        assertThat(lines.stream().filter(l -> !l.startsWith("#"))).as("series").doesNotHaveDuplicates()
                .hasSize(metrics.samples().size());
        assertThat(lines.stream().filter(l -> l.startsWith("# TYPE "))).as("TYPE lines").doesNotHaveDuplicates();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("warden_") && !line.contains("{")) {
                String name = line.substring(0, line.indexOf(' '));
                assertThat(lines.get(i - 1)).as("declaration of %s", name).startsWith("# TYPE " + name + " ")
                        .endsWith(name.endsWith("_total") ? " counter" : " gauge");
                assertThat(name).matches("warden_[a-z][a-z0-9_]*");
            }
        }
    }

    private Scrape scrape(GoAuthServer s) throws IOException, InterruptedException {
        HttpResponse<String> response = get(s, "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return Scrape.parse(response.body());
    }

    private HttpResponse<String> get(GoAuthServer s, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(s, path)).timeout(Duration.ofSeconds(10)).GET().build(),
                BodyHandlers.ofString());
    }

    private HttpResponse<String> post(GoAuthServer s, String path, String json)
            throws IOException, InterruptedException {
        return send(s, "POST", path, JSON, json);
    }

    private HttpResponse<String> send(GoAuthServer s, String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(s, path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType).method(method, BodyPublishers.ofString(body)).build(),
                BodyHandlers.ofString());
    }

    private static URI uri(GoAuthServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }
}
