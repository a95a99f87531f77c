package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.http.RawHttp.Response;

/**
 * The backend authenticates its caller: with a key in a header, or by the OS user owning the
 * caller's loopback socket. A refused caller gets 403 and nothing else, on every path but
 * {@code /health}, and is counted on {@code /metrics}.
 */
class CallerCheckTest {

    private static final String JSON = "application/json";
    private static final String LOGIN =
            "{\"clientid\":\"s1\",\"password\":\"sensor1-secret\",\"username\":\"sensor1\"}";
    private static final String ACL =
            "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/t\",\"username\":\"sensor1\"}";
    private static final String SUPERUSER = "{\"username\":\"boss\"}";
    private static final String KEY = "gateway-key-0123456789-abcdefghijklmnop";

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
    void refusesRequestsWithoutTheKeyOrWithAWrongOneAndServesTheRightOne() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("json"),
                CallerSettings.key("X-Warden-Key", keyFile("rw-------").toString()));

        try (RawHttp c = RawHttp.connect(server.port())) {
            for (String path : List.of("/user", "/superuser", "/acl")) {
                String body = path.equals("/user") ? LOGIN : path.equals("/acl") ? ACL : SUPERUSER;
                assertRefused(c.send("POST", path, JSON, body), path + " without the key");
                assertRefused(c.sendWithHeaders("POST", path, JSON, body, "X-Warden-Key: " + KEY + "x"),
                        path + " with a wrong key");
                assertRefused(c.sendWithHeaders("POST", path, JSON, body, "X-Other-Key: " + KEY),
                        path + " with the key in another header");
                assertRefused(c.sendWithHeaders("POST", path, JSON, body, "X-Warden-Key: " + KEY,
                        "X-Warden-Key: " + KEY), path + " with the key twice");
                AnswerMode.JSON.assertAllowed(c.sendWithHeaders("POST", path, JSON, body, "X-Warden-Key: " + KEY),
                        path + " with the key");
            }
            // header names are case-insensitive, as Go's client may canonicalise them
            AnswerMode.JSON.assertAllowed(c.sendWithHeaders("POST", "/acl", JSON, ACL, "x-warden-key: " + KEY),
                    "lower-case header name");
            assertRefused(c.send("POST", "/nowhere", JSON, ACL), "an unknown path, without the key");
            assertThat(c.sendWithHeaders("POST", "/nowhere", JSON, ACL, "X-Warden-Key: " + KEY).status())
                    .isEqualTo(404);

            assertThat(c.send("GET", "/health", null, "").status()).as("/health needs no key").isEqualTo(200);
            assertRefused(c.send("GET", "/metrics", null, ""), "/metrics without the key");
            Response metrics = c.sendWithHeaders("GET", "/metrics", null, "", "X-Warden-Key: " + KEY);
            assertThat(metrics.status()).isEqualTo(200);
            Scrape scrape = Scrape.parse(metrics.text());
            assertThat(scrape.value("warden_http_callers_refused_total{reason=\"key\"}")).isEqualTo(14);
            assertThat(scrape.value("warden_http_callers_refused_total{reason=\"os_user\"}")).isZero();
            assertThat(scrape.value("warden_http_caller_checks{check=\"key\"}")).isEqualTo(1);
            assertThat(scrape.value("warden_http_caller_checks{check=\"os_user\"}")).isZero();
            assertThat(scrape.value("warden_http_caller_lookups_total")).isZero();
            assertThat(scrape.samples()).as("no peer lane without allowed.os.users")
                    .doesNotContainKey("warden_http_lane_threads{lane=\"peer\"}");
            assertThat(scrape.decisions("acl", "allow")).as("refusals are not decisions").isEqualTo(2);
            assertThat(scrape.decisions("acl", "deny") + scrape.decisions("acl", "bad_request")).isZero();
            assertThat(metrics.text()).doesNotContain(KEY);
            assertThat(c.open()).as("a refused caller's connection stays usable").isTrue();
        }
    }

    @Test
    void createsTheKeyFileOnFirstStartAndKeepsItAfterwards() throws Exception {
        Path file = dir.resolve("etc/warden-http.key");
        GoAuthServer first = warden.serve(HttpSettings.loopback("status"),
                CallerSettings.key("X-Warden-Key", file.toString()));
        String key = Files.readString(file).strip();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (RawHttp c = RawHttp.connect(first.port())) {
            assertThat(c.sendWithHeaders("POST", "/acl", JSON, ACL, "X-Warden-Key: " + key).status()).isEqualTo(200);
        }

        warden.stop(first);
        GoAuthServer second = warden.serve(HttpSettings.loopback("status"),
                CallerSettings.key("X-Warden-Key", file.toString()));

        assertThat(Files.readString(file).strip()).isEqualTo(key);
        try (RawHttp c = RawHttp.connect(second.port())) {
            assertThat(c.sendWithHeaders("POST", "/acl", JSON, ACL, "X-Warden-Key: " + key).status()).isEqualTo(200);
        }
    }

    @Test
    void doesNotListenAtAllWithAKeyFileOthersMayRead() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        Path file = keyFile("rw-r-----");

        assertThatThrownBy(() -> warden.serve(HttpSettings.loopback("status").withPort(port),
                CallerSettings.key("X-Warden-Key", file.toString())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("rw-r-----")
                .hasMessageNotContaining(KEY);
        assertThatThrownBy(() -> RawHttp.connect(port)).isInstanceOf(ConnectException.class);
    }

    @Test
    void refusesABadHeaderName() {
        assertThatThrownBy(() -> warden.serve(HttpSettings.loopback("status"),
                CallerSettings.key("X Warden: Key", dir.resolve("k").toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.header.name");
    }

    @Test
    void servesConnectionsOfAnAllowedOsUser() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status"),
                CallerSettings.osUsers("  " + ownUid() + " "));

        try (RawHttp c = RawHttp.connect(server.port())) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.send("POST", "/acl", JSON, ACL).status()).isEqualTo(200);
                assertThat(c.send("POST", "/user", JSON, LOGIN).status()).isEqualTo(200);
            }
            Scrape scrape = Scrape.over(c);
            assertThat(scrape.value("warden_http_callers_refused_total{reason=\"os_user\"}")).isZero();
            assertThat(scrape.value("warden_http_caller_checks{check=\"os_user\"}")).isEqualTo(1);
            assertThat(scrape.value("warden_http_caller_lookups_total")).as("once per connection").isEqualTo(1);
            assertThat(scrape.value("warden_http_lane_threads{lane=\"peer\"}")).isEqualTo(1);
        }
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.send("POST", "/acl", JSON, ACL).status()).isEqualTo(200);
            assertThat(Scrape.over(c).value("warden_http_caller_lookups_total")).isEqualTo(2);
        }
    }

    @Test
    void refusesConnectionsOfAnyOtherOsUserAndCountsThem() throws Exception {
        int other = ownUid() + 1;
        GoAuthServer server = warden.serve(HttpSettings.loopback("status"),
                CallerSettings.osUsers(Integer.toString(other)));

        try (RawHttp c = RawHttp.connect(server.port())) {
            assertRefused(c.send("POST", "/acl", JSON, ACL), "/acl");
            assertRefused(c.send("POST", "/user", JSON, LOGIN), "/user");
            assertRefused(c.send("GET", "/metrics", null, ""), "/metrics");
            assertThat(c.send("GET", "/health", null, "").status()).isEqualTo(200);
        }
        // nobody this test can be may read this server's /metrics: read what it would answer
        Scrape scrape = Scrape.parse(server.metricsText());
        assertThat(scrape.value("warden_http_callers_refused_total{reason=\"os_user\"}")).isEqualTo(3);
        assertThat(scrape.value("warden_http_callers_refused_total{reason=\"key\"}")).isZero();
    }

    /**
     * Another process, run as another OS user ({@code nobody}, through {@code setpriv}), calls the
     * listener: it is served when that user is allowed by name (looked up in the real
     * {@code /etc/passwd}), while this test's own connections are refused. Needs root and
     * {@code setpriv} and {@code curl}; skipped otherwise.
     */
    @Test
    void servesAnotherUsersProcessWhenThatUserIsAllowedByName() throws Exception {
        Assumptions.assumeTrue(ownUid() == 0 && Files.isExecutable(Path.of("/usr/bin/setpriv"))
                && Files.isExecutable(Path.of("/usr/bin/curl")), "needs root, setpriv and curl");
        GoAuthServer server = warden.serve(HttpSettings.loopback("status"), CallerSettings.osUsers("nobody"));

        assertThat(curlAsNobody(server.port())).isEqualTo("200");
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertRefused(c.send("POST", "/acl", JSON, ACL), "root, not allowed");
        }
        Scrape scrape = Scrape.parse(server.metricsText());
        assertThat(scrape.value("warden_http_callers_refused_total{reason=\"os_user\"}")).isEqualTo(1);
        assertThat(scrape.decisions("acl", "allow")).isEqualTo(1);
    }

    /** @return the status {@code nobody}'s curl got for an allowed ACL check */
    private static String curlAsNobody(int port) throws Exception {
        Process curl = new ProcessBuilder("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "-H",
                "Content-Type: " + JSON, "--data", ACL, "http://127.0.0.1:" + port + "/acl")
                .redirectErrorStream(true).start();
        try {
            assertThat(curl.waitFor(20, TimeUnit.SECONDS)).as("curl finished").isTrue();
            return new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        } finally {
            curl.destroyForcibly();
        }
    }

    @Test
    void findsUsersByNameInThePasswdFileOnceAndRefusesUnknownNames() throws Exception {
        Path passwd = dir.resolve("passwd");
        Files.write(passwd, List.of("# a comment", "root:x:0:0:root:/root:/bin/bash",
                "gateway:x:" + ownUid() + ":100::/var/lib/warden:/usr/sbin/nologin", "broken-line"));

        PeerUsers users = PeerUsers.parse("gateway,7", passwd, ProcNetTcp.system());

        assertThat(users.allows(ownUid())).isTrue();
        assertThat(users.allows(7)).isTrue();
        assertThat(users.allows(ownUid() + 1000)).isFalse();
        assertThat(users.allows(PeerUsers.UNKNOWN)).isFalse();
        assertThat(users.description()).contains("gateway").contains(String.valueOf(ownUid()));
        assertThat(PeerUsers.parse(" , ", passwd, ProcNetTcp.system())).as("nobody named: off").isNull();
        assertThatThrownBy(() -> PeerUsers.parse("gateway, nosuchuser", passwd, ProcNetTcp.system()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nosuchuser'");
        assertThatThrownBy(() -> PeerUsers.parse("4294967295", passwd, ProcNetTcp.system()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
        assertThatThrownBy(() -> warden.serve(HttpSettings.loopback("status"), CallerSettings.osUsers("nosuchuser")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nosuchuser'");
    }

    @Test
    void requiresBothWhenBothAreOn() throws Exception {
        GoAuthServer server = warden.serve(HttpSettings.loopback("status"),
                CallerSettings.key("X-Warden-Key", keyFile("rw-------").toString()).withOsUsers("" + ownUid()));

        try (RawHttp c = RawHttp.connect(server.port())) {
            assertRefused(c.send("POST", "/acl", JSON, ACL), "the right user without the key");
            assertThat(c.sendWithHeaders("POST", "/acl", JSON, ACL, "X-Warden-Key: " + KEY).status())
                    .isEqualTo(200);
        }
        GoAuthServer otherUser = warden.serve(HttpSettings.loopback("status"),
                CallerSettings.key("X-Warden-Key", keyFile("rw-------").toString()).withOsUsers("" + (ownUid() + 1)));
        try (RawHttp c = RawHttp.connect(otherUser.port())) {
            assertRefused(c.sendWithHeaders("POST", "/acl", JSON, ACL, "X-Warden-Key: " + KEY),
                    "the key from another user");
        }
    }

    private static void assertRefused(Response r, String what) {
        assertThat(r.status()).as(what).isEqualTo(403);
        assertThat(r.body()).as(what).isEmpty();
        assertThat(r.header("content-type")).as(what).isNull();
    }

    private Path keyFile(String mode) throws Exception {
        Path file = Files.createTempFile(dir, "warden-http", ".key");
        Files.writeString(file, KEY + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private static int ownUid() throws Exception {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
