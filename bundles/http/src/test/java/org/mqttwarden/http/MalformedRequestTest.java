package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mqttwarden.http.RawHttp.Response;

/**
 * Input go-auth never sends: always a 4xx with an empty body (never a 5xx, which would drop a
 * client, and never an allow), nothing changed, and the server keeps answering.
 */
class MalformedRequestTest {

    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String VALID_ACL =
            "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}";

    /** A request the server must refuse with {@code status}. */
    record Bad(String name, String path, String contentType, byte[] body, int status) {

        @Override
        public String toString() {
            return name;
        }
    }

    @TempDir
    static Path dir;

    private static WardenStack warden;
    private static GoAuthServer server;

    @BeforeAll
    static void start() {
        warden = WardenStack.open(dir);
        warden.account("sensor1", "sensor1-secret", "sensor");
        warden.account("boss", "boss-secret-pw", "admin");
        server = warden.serve(HttpSettings.loopback("status"));
    }

    @AfterAll
    static void stop() {
        warden.close();
    }

    static Stream<Bad> badBodies() {
        return Stream.of(
                bad("truncated JSON", "/acl", JSON, "{\"acc\":4,\"clientid\":\"c\",\"topic\":\"t/#\"", 400),
                bad("a JSON array", "/superuser", JSON, "[\"sensor1\"]", 400),
                bad("a JSON string", "/superuser", JSON, "\"sensor1\"", 400),
                bad("two JSON objects", "/superuser", JSON, "{\"username\":\"boss\"}{\"username\":\"boss\"}", 400),
                bad("an empty JSON body", "/superuser", JSON, "", 400),
                bad("acc as a string", "/acl", JSON,
                        "{\"acc\":\"2\",\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}", 400),
                bad("acc as a fraction", "/acl", JSON,
                        "{\"acc\":2.0,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}", 400),
                bad("acc as a boolean", "/acl", JSON,
                        "{\"acc\":true,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}", 400),
                bad("acc zero", "/acl", JSON,
                        "{\"acc\":0,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}", 400),
                bad("acc five", "/acl", JSON,
                        "{\"acc\":5,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}", 400),
                bad("acc negative", "/acl", JSON,
                        "{\"acc\":-2,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}", 400),
                bad("acc beyond a long", "/acl", JSON,
                        "{\"acc\":18446744073709551618,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\","
                                + "\"username\":\"sensor1\"}",
                        400),
                bad("acc with 40 digits", "/acl", JSON, "{\"acc\":" + "1".repeat(40)
                        + ",\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}", 400),
                bad("username as a number", "/superuser", JSON, "{\"username\":42}", 400),
                bad("username null", "/superuser", JSON, "{\"username\":null}", 400),
                bad("topic as an object", "/acl", JSON,
                        "{\"acc\":2,\"clientid\":\"s1\",\"topic\":{\"t\":\"sensor1/temp\"},\"username\":\"sensor1\"}",
                        400),
                bad("password as an array", "/user", JSON,
                        "{\"clientid\":\"s1\",\"password\":[\"sensor1-secret\"],\"username\":\"sensor1\"}", 400),
                bad("no username on /acl", "/acl", JSON, "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\"}",
                        400),
                bad("no username on /superuser", "/superuser", JSON, "{}", 400),
                bad("no password on /user", "/user", JSON, "{\"clientid\":\"s1\",\"username\":\"sensor1\"}", 400),
                bad("no topic on /acl", "/acl", JSON, "{\"acc\":2,\"clientid\":\"s1\",\"username\":\"sensor1\"}", 400),
                bad("no acc on /acl", "/acl", JSON,
                        "{\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}", 400),
                bad("a duplicate username", "/superuser", JSON, "{\"username\":\"sensor1\",\"username\":\"boss\"}",
                        400),
                bad("a duplicate acc", "/acl", JSON,
                        "{\"acc\":1,\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}",
                        400),
                bad("nesting deeper than go-auth ever sends", "/superuser", JSON,
                        "{\"x\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]],\"username\":\"boss\"}", 400),
                bad("a lone surrogate escape", "/superuser", JSON, "{\"username\":\"boss\\ud800\"}", 400),
                raw("a byte that is not UTF-8", "/superuser", JSON, "{\"username\":\"bo\u00ffss\"}", 400),
                raw("an overlong UTF-8 slash", "/acl", JSON,
                        "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1\u00c0\u00aftemp\","
                                + "\"username\":\"sensor1\"}", 400),
                raw("a UTF-8 encoded surrogate", "/superuser", JSON, "{\"username\":\"boss\u00ed\u00a0\u0080\"}", 400),
                new Bad("UTF-16 instead of UTF-8", "/superuser", JSON,
                        "{\"username\":\"boss\"}".getBytes(StandardCharsets.UTF_16BE), 400),
                raw("a truncated UTF-8 sequence", "/superuser", JSON, "{\"username\":\"boss\u00e6\u00b8\"}", 400),
                bad("a duplicate form field", "/superuser", FORM, "username=sensor1&username=boss", 400),
                bad("a malformed %-escape", "/superuser", FORM, "username=bo%zzss", 400),
                bad("a truncated %-escape", "/superuser", FORM, "username=boss%4", 400),
                bad("a %-escape that is not UTF-8", "/superuser", FORM, "username=bo%FFss", 400),
                bad("a %-escaped overlong slash", "/acl", FORM,
                        "acc=2&clientid=s1&topic=sensor1%C0%AFtemp&username=sensor1", 400),
                bad("a form acc that is not a number", "/acl", FORM,
                        "acc=two&clientid=s1&topic=sensor1%2Ftemp&username=sensor1", 400),
                bad("an empty form acc", "/acl", FORM, "acc=&clientid=s1&topic=sensor1%2Ftemp&username=sensor1", 400),
                bad("a form acc out of range", "/acl", FORM,
                        "acc=8&clientid=s1&topic=sensor1%2Ftemp&username=sensor1", 400),
                bad("no topic in a form", "/acl", FORM, "acc=2&clientid=s1&username=sensor1", 400),
                bad("no content type", "/acl", null, VALID_ACL, 415),
                bad("text/plain", "/acl", "text/plain", VALID_ACL, 415),
                bad("application/xml", "/superuser", "application/xml", "<username>boss</username>", 415),
                bad("multipart/form-data", "/superuser", "multipart/form-data; boundary=x",
                        "--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nboss\r\n--x--\r\n", 415));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void refusesABadBodyWithA4xxAndKeepsTheConnectionServing(Bad bad) throws IOException {
        long accounts = warden.store.countAccounts();
        long revision = warden.store.revision();
        try (RawHttp connection = RawHttp.connect(server.port())) {
            Response refused = connection.send("POST", bad.path(), bad.contentType(), bad.body());

            assertThat(refused.status()).isEqualTo(bad.status());
            assertThat(refused.body()).isEmpty();
            assertAllowsAValidRequest(connection);
        }
        assertThat(warden.store.countAccounts()).isEqualTo(accounts);
        assertThat(warden.store.revision()).isEqualTo(revision);
    }

    @Test
    void acceptsABodyOfExactly8KiB() throws IOException {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            assertThat(connection.send("POST", "/acl", JSON, padded(8192)).status()).isEqualTo(200);
            assertThat(connection.sendChunked("/acl", JSON, padded(8192), 1000).status()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8193, 20_000, 65_536})
    void refusesABodyOver8KiBAnnouncedByContentLength(int size) throws IOException {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            Response refused = connection.send("POST", "/acl", JSON, padded(size));

            assertThat(refused.status()).isEqualTo(413);
            assertThat(refused.body()).isEmpty();
        }
        assertAllowsAValidRequest();
    }

    @Test
    void refusesAnAnnouncedBodyOver8KiBWithoutWaitingForIt() throws IOException {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.write(connection.head("POST", "/acl", JSON, 8193).getBytes(StandardCharsets.US_ASCII));
            Response refused = connection.read();

            assertThat(refused.status()).isEqualTo(413);
            assertThat(connection.closedByServer()).isTrue();
        }
        assertAllowsAValidRequest();
    }

    @ParameterizedTest
    @ValueSource(ints = {8193, 20_000, 65_536})
    void refusesAChunkedBodyOver8KiB(int size) throws IOException {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            Response refused = connection.sendChunked("/acl", JSON, padded(size), 1000);

            assertThat(refused.status()).isEqualTo(413);
            assertThat(refused.body()).isEmpty();
        }
        assertAllowsAValidRequest();
    }

    @Test
    void leavesABodyBeyondUndertowsOwnLimitToUndertowWithoutAnAnswerOfItsOwn() throws IOException {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            Response refused = connection.send("POST", "/acl", JSON, padded(100_000));

            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.body()).isEmpty();
        }
        try (RawHttp connection = RawHttp.connect(server.port())) {
            assertThatThrownBy(() -> connection.sendChunked("/acl", JSON, padded(100_000), 4000))
                    .as("a chunked body over 64 KiB: the connection is closed, nothing is answered")
                    .isInstanceOf(IOException.class);
        }
        assertAllowsAValidRequest();
    }

    @ParameterizedTest
    @ValueSource(strings = {"DELETE", "PATCH", "OPTIONS", "TRACE"})
    void refusesAMethodGoAuthDoesNotUseOnAcl(String method) throws IOException {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            Response refused = connection.send(method, "/acl", JSON, VALID_ACL);

            assertThat(refused.status()).isEqualTo(405);
            assertThat(refused.header("Allow")).contains("POST");
            assertThat(refused.body()).isEmpty();
            assertAllowsAValidRequest(connection);
        }
    }

    @Test
    void refusesPostOnHealthAndMetrics() throws IOException {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            assertThat(connection.send("POST", "/health", JSON, "{}").status()).isEqualTo(405);
            assertThat(connection.send("POST", "/metrics", JSON, "{}").status()).isEqualTo(405);
            assertAllowsAValidRequest(connection);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/users", "/acl/", "/ACL", "/acl/extra", "/healthz"})
    void answersNotFoundOffTheEndpoints(String path) throws IOException {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            Response missing = connection.send("POST", path, JSON, VALID_ACL);

            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.body()).isEmpty();
            assertAllowsAValidRequest(connection);
        }
    }

    @Test
    void refusesAGarbledRequestLineWithoutAStackTrace() throws IOException {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.write("POST /acl HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Response refused = connection.read();

            assertThat(refused.status()).isBetween(400, 499);
            assertThat(refused.text()).doesNotContain("Exception").doesNotContain("at io.undertow");
        }
        assertAllowsAValidRequest();
    }

    private static void assertAllowsAValidRequest() throws IOException {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            assertAllowsAValidRequest(connection);
        }
    }

    private static void assertAllowsAValidRequest(RawHttp connection) throws IOException {
        Response ok = connection.send("POST", "/acl", JSON, VALID_ACL);
        assertThat(ok.status()).as("a valid request afterwards").isEqualTo(200);
        Response no = connection.send("POST", "/acl", JSON,
                "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"boss/temp\",\"username\":\"sensor1\"}");
        assertThat(no.status()).as("a valid denial afterwards").isEqualTo(403);
    }

    /** A valid /acl JSON body of exactly {@code size} bytes (the object padded with spaces). */
    private static byte[] padded(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) ' ');
        byte[] json = VALID_ACL.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(json, 0, body, 0, json.length);
        return body;
    }

    private static Bad bad(String name, String path, String contentType, String body, int status) {
        return new Bad(name, path, contentType, body.getBytes(StandardCharsets.UTF_8), status);
    }

    /** A body given byte for byte: each char of {@code latin1} is one byte. */
    private static Bad raw(String name, String path, String contentType, String latin1, int status) {
        return new Bad(name, path, contentType, latin1.getBytes(StandardCharsets.ISO_8859_1), status);
    }
}
