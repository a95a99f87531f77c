package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.http.RawHttp.Response;

/** The endpoints' paths follow go-auth's {@code auth_opt_http_*_uri} settings, and nothing else answers. */
class ReconfigurationTest {

    private static final String JSON = "application/json";
    private static final String ALLOWED_ACL =
            "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/t\",\"username\":\"sensor1\"}";
    private static final String DENIED_ACL =
            "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"boss/t\",\"username\":\"sensor1\"}";

    @TempDir
    Path dir;

    private WardenStack warden;

    @BeforeEach
    void start() {
        warden = WardenStack.open(dir);
        warden.account("sensor1", "sensor1-secret", "sensor");
        warden.account("boss", "boss-secret-pw", "admin");
    }

    @AfterEach
    void stop() {
        warden.close();
    }

    @Test
    void answersOnConfiguredPathsAndNotOnTheDefaults() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("json")
                .withPaths("/auth/user", "/auth/superuser", "/auth/acl"));

        try (RawHttp c = RawHttp.connect(server.port())) {
            AnswerMode.JSON.assertAllowed(c.send("POST", "/auth/user", JSON,
                    "{\"clientid\":\"s1\",\"password\":\"sensor1-secret\",\"username\":\"sensor1\"}"), "/auth/user");
            AnswerMode.JSON.assertAllowed(c.send("POST", "/auth/superuser", JSON, "{\"username\":\"boss\"}"),
                    "/auth/superuser");
            AnswerMode.JSON.assertDenied(c.send("POST", "/auth/superuser", JSON, "{\"username\":\"sensor1\"}"),
                    "/auth/superuser");
            AnswerMode.JSON.assertAllowed(c.send("POST", "/auth/acl", JSON, ALLOWED_ACL), "/auth/acl");
            AnswerMode.JSON.assertDenied(c.send("POST", "/auth/acl", JSON, DENIED_ACL), "/auth/acl");

            assertThat(c.send("POST", "/user", JSON,
                    "{\"clientid\":\"s1\",\"password\":\"sensor1-secret\",\"username\":\"sensor1\"}").status())
                    .isEqualTo(404);
            assertThat(c.send("POST", "/superuser", JSON, "{\"username\":\"boss\"}").status()).isEqualTo(404);
            assertThat(c.send("POST", "/acl", JSON, ALLOWED_ACL).status()).isEqualTo(404);
            assertThat(c.send("GET", "/health", JSON, "").status()).isEqualTo(200);
        }
    }

    @Test
    void takesOverThePortWithNewPathsWhenRestarted() throws Exception {
        GoAuthServer first = warden.serve(HttpSettings.loopback("status"));
        int port = first.port();
        try (RawHttp c = RawHttp.connect(port)) {
            assertThat(c.send("POST", "/acl", JSON, ALLOWED_ACL).status()).isEqualTo(200);
        }

        warden.stop(first);
        GoAuthServer second = warden.serve(HttpSettings.loopback("status").withPort(port)
                .withPaths("/go/user", "/go/superuser", "/go/acl"));

        assertThat(second.port()).isEqualTo(port);
        try (RawHttp c = RawHttp.connect(port)) {
            assertThat(c.send("POST", "/go/acl", JSON, ALLOWED_ACL).status()).isEqualTo(200);
            assertThat(c.send("POST", "/go/acl", JSON, DENIED_ACL).status()).isEqualTo(403);
            assertThat(c.send("POST", "/acl", JSON, ALLOWED_ACL).status()).isEqualTo(404);
        }
    }

    @Test
    void refusesPathsThatWouldHideAnotherEndpoint() {
        HttpSettings base = HttpSettings.loopback("status");

        assertThatThrownBy(() -> warden.serve(base.withPaths("/health", "/superuser", "/acl")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/health");
        assertThatThrownBy(() -> warden.serve(base.withPaths("/user", "/metrics", "/acl")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/metrics");
        assertThatThrownBy(() -> warden.serve(base.withPaths("/user", "/check", "/check")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/check");
        assertThatThrownBy(() -> warden.serve(base.withPaths("user", "/superuser", "/acl")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'user'");
    }

    @Test
    void refusesAnUnknownResponseMode() {
        assertThatThrownBy(() -> warden.serve(HttpSettings.loopback("xml")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'xml'");
    }

    @Test
    void refusesAPortAlreadyTaken() {
        GoAuthServer first = warden.serve(HttpSettings.loopback("status"));

        assertThatThrownBy(() -> warden.serve(HttpSettings.loopback("status").withPort(first.port())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(String.valueOf(first.port()));
    }
}
