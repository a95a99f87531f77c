package org.mqttwarden.otp.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.otp.web.Http.Answer;
import org.mqttwarden.otp.web.RawHttp.Response;
import org.mqttwarden.otp.web.RecoveryServer.Limits;

/**
 * What an attacker may send, over real sockets: malformed and oversized bodies, wrong types and methods, floods of
 * distinct usernames and source addresses, slow and stalled clients. Each is answered with a 4xx (never a 5xx),
 * costs bounded memory and threads, and leaves the listener answering everyone else.
 */
class RecoveryAttackTest {

    private static final String VALID = "{\"username\":\"alice\",\"purpose\":\"reset\"}";

    @TempDir
    Path dir;

    private RecoveryStack stack;
    private RecoveryServer server;
    private Http http;
    private final List<RawHttp> held = new ArrayList<>();

    @BeforeEach
    void open() {
        stack = RecoveryStack.open(dir, Map.of());
    }

    @AfterEach
    void close() throws IOException {
        for (RawHttp c : held) {
            c.close();
        }
        stack.close();
    }

    /** A listener whose limits do not get in the way of many requests from one address. */
    private void serve(Map<String, ?> overrides, int rateTable) {
        server = stack.serve(overrides, new Limits(500, 500, 30_000, rateTable, 32, true));
        http = new Http(server);
    }

    private void serve() {
        serve(Map.of("http.rate.per.address", 10_000, "http.rate.per.username", 1_000), RecoveryServer.RATE_TABLE);
    }

    private void stillAnswers() {
        Answer ok = http.json("/recovery/api/request", VALID);
        assertThat(ok.status()).isEqualTo(202);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "}", "[]", "null", "\"alice\"", "{\"username\":\"alice\"",
        "{\"username\":\"alice\",\"purpose\":\"reset\"}{}", "{\"username\":\"alice\",\"purpose\":\"reset\"} x",
        "{\"username\":\"alice\",\"username\":\"bob\",\"purpose\":\"reset\"}", "{\"username\":1,\"purpose\":\"reset\"}",
        "{\"username\":[\"alice\"],\"purpose\":\"reset\"}", "{\"username\":{},\"purpose\":\"reset\"}",
        "{\"username\":null,\"purpose\":\"reset\"}", "{\"username\":\"alice\",\"purpose\":\"reset\",\"pasword\":\"x\"}",
        "{\"username\":\"\\ud800\",\"purpose\":\"reset\"}", "{\"username\":\"alice\\u0000\",\"purpose\":\"reset\"}",
        "{\"username\":\"\",\"purpose\":\"reset\"}", "{\"username\":\"  \",\"purpose\":\"reset\"}",
        "{\"username\":\"alice\"}", "{\"username\":\"alice\",\"purpose\":\"verify\"}",
        "{\"username\":\"alice\",\"purpose\":\"RESET\"}", "{\"username\":\"alice\",\"purpose\":\"delete\"}",
        "{'username':'alice','purpose':'reset'}", "{\"username\":\"alice\",\"purpose\":\"reset\",}"})
    void malformedRequestsAre400WithAReasonAndNothingIsDone(String body) {
        serve();

        Answer refused = http.json("/recovery/api/request", body);

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).startsWith("{\"ok\":false,\"error\":\"").doesNotContain("Exception");
        assertThat(stack.events).noneMatch(e -> e.type() == EventType.OTP);
        stillAnswers();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"username\":\"alice\",\"purpose\":\"reset\"}",
        "{\"username\":\"alice\",\"purpose\":\"reset\",\"code\":\"\"}",
        "{\"username\":\"alice\",\"purpose\":\"reset\",\"code\":\"12345678\"}",
        "{\"username\":\"alice\",\"purpose\":\"unlock\",\"code\":\"12345678901234567\"}",
        "{\"username\":\"alice\",\"purpose\":\"fix\",\"code\":\"12345678\"}",
        "{\"username\":\"alice\",\"code\":\"12345678\"}",
        "{\"purpose\":\"unlock\",\"code\":\"12345678\"}",
        "{\"username\":\"alice\",\"purpose\":\"reset\",\"code\":12345678,\"password\":\"a long password\"}"})
    void malformedConfirmationsAre400AndSpendNoTry(String body) {
        serve();

        Answer refused = http.json("/recovery/api/confirm", body);

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).startsWith("{\"ok\":false,\"error\":\"");
        assertThat(stack.events).as("the service was not asked").noneMatch(e -> e.type() == EventType.OTP);
    }

    @Test
    void invalidUtf8AndOverlongFormsAre400() throws IOException {
        serve();
        try (RawHttp c = RawHttp.connect(server.port())) {
            byte[] head = "{\"username\":\"".getBytes(StandardCharsets.US_ASCII);
            byte[] tail = "\",\"purpose\":\"reset\"}".getBytes(StandardCharsets.US_ASCII);
            for (byte[] bad : List.of(new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xff},
                    new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})) {
                byte[] body = new byte[head.length + bad.length + tail.length];
                System.arraycopy(head, 0, body, 0, head.length);
                System.arraycopy(bad, 0, body, head.length, bad.length);
                System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
                c.write(RawHttp.head("POST", "/recovery/api/request", Http.JSON, body.length)
                        .getBytes(StandardCharsets.US_ASCII));
                c.write(body);
                Response r = c.read();
                assertThat(r.status()).isEqualTo(400);
                assertThat(r.body()).contains("not valid UTF-8");
            }
        }
        stillAnswers();
    }

    @Test
    void aBodyOfExactly4KiBIsReadAndOneByteMoreIs413() {
        serve();
        String padded = VALID.substring(0, VALID.length() - 1) + " ".repeat(4096 - VALID.length()) + "}";
        assertThat(padded).hasSize(4096);

        assertThat(http.json("/recovery/api/request", padded).status()).isEqualTo(202);
        Answer refused = http.json("/recovery/api/request", padded + " ");
        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.body()).isEqualTo("{\"ok\":false,\"error\":\"The body is larger than 4096 bytes.\"}");
        stillAnswers();
    }

    @ParameterizedTest
    @ValueSource(longs = {4097, 100_000, 10_000_000_000L})
    void anAnnouncedBodyOver4KiBIs413WithoutWaitingForItAndTheConnectionIsClosed(long length) throws IOException {
        serve();
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.write(RawHttp.head("POST", "/recovery/api/request", Http.JSON, length)
                    .getBytes(StandardCharsets.US_ASCII));

            assertThat(c.read().status()).isEqualTo(413);
            assertThat(c.closedByServerWithin(10_000)).isTrue();
        }
        stillAnswers();
    }

    @ParameterizedTest
    @ValueSource(ints = {4097, 20_000, 1_000_000})
    void aChunkedBodyOver4KiBIs413(int size) throws IOException {
        serve();
        byte[] body = (VALID.substring(0, VALID.length() - 1) + " ".repeat(size - VALID.length()) + "}")
                .getBytes(StandardCharsets.US_ASCII);
        try (RawHttp c = RawHttp.connect(server.port())) {
            Response refused = c.sendChunked("/recovery/api/request", Http.JSON, body, 1000);

            assertThat(refused.status()).isEqualTo(413);
            assertThat(c.closedByServerWithin(10_000)).isTrue();
        }
        stillAnswers();
    }

    @Test
    void anyOtherContentTypeIs415() {
        serve();
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                "application/jsonx", "application/xml")) {
            Answer refused = http.post("/recovery/api/request", type, VALID);
            assertThat(refused.status()).as(type).isEqualTo(415);
            assertThat(refused.body()).contains("application/json");
        }
        assertThat(http.post("/recovery/api/request", null, VALID).status()).as("none").isEqualTo(415);
        assertThat(http.post("/recovery/api/request", "Application/JSON; charset=utf-8", VALID).status())
                .as("a parameter and another case").isEqualTo(202);
        Answer form = http.post("/recovery/request", Http.JSON, VALID);
        assertThat(form.status()).as("JSON to the form endpoint").isEqualTo(415);
        assertThat(form.header("Content-Type")).contains("text/html; charset=utf-8");
    }

    @Test
    void otherMethodsAre405AndOtherPathsAre404() {
        serve();
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            Answer refused = http.method(method, "/recovery/api/request", Http.JSON, VALID);
            assertThat(refused.status()).as(method).isEqualTo(405);
            assertThat(refused.header("Allow")).contains("POST");
            assertThat(refused.header("Access-Control-Allow-Origin")).as("no CORS").isEmpty();
        }
        assertThat(http.method("POST", "/recovery", Http.FORM, "").status()).isEqualTo(405);
        assertThat(http.method("DELETE", "/recovery/recovery.css", Http.FORM, "").status()).isEqualTo(405);
        for (String path : List.of("/", "/recovery/", "/recovery/api", "/recovery/api/request/", "/RECOVERY",
                "/user", "/acl", "/superuser", "/health", "/recovery/../user")) {
            assertThat(http.method("POST", path, Http.JSON, VALID).status()).as(path).isIn(404, 400);
        }
        stillAnswers();
    }

    @Test
    void aFloodOfDistinctUsernamesIsCountedInABoundedTableAndFailsClosedWith429() {
        serve(Map.of("http.rate.per.address", 10_000, "http.rate.per.username", 5), 64);
        int accepted = 0;
        int limited = 0;
        for (int i = 0; i < 200; i++) {
            Answer a = http.json("/recovery/api/request", "{\"username\":\"flood" + i + "\",\"purpose\":\"reset\"}");
            assertThat(a.status()).isIn(202, 429);
            if (a.status() == 202) {
                accepted++;
            } else {
                limited++;
                assertThat(a.header("Retry-After")).contains("60");
            }
            assertThat(server.rateTableSizes()[1]).isLessThanOrEqualTo(64);
        }

        assertThat(accepted).isEqualTo(64);
        assertThat(limited).isEqualTo(136);
        assertThat(http.json("/recovery/api/request", "{\"username\":\"flood3\",\"purpose\":\"reset\"}").status())
                .as("a name in the table keeps its own count").isEqualTo(202);
        stack.clock.advance(Duration.ofMinutes(1));
        assertThat(http.json("/recovery/api/request", "{\"username\":\"someone\",\"purpose\":\"reset\"}").status())
                .as("once the windows close, the table is free again").isEqualTo(202);
        assertThat(server.rateTableSizes()[1]).isEqualTo(1);
    }

    @Test
    void aFloodFromDistinctAddressesIsCountedInABoundedTableAndFailsClosedWith429() throws IOException {
        serve(Map.of("http.rate.per.address", 1, "http.rate.per.username", 1_000), 32);
        int accepted = 0;
        for (int i = 1; i <= 80; i++) {
            try (RawHttp c = RawHttp.connectFrom("127.0.1." + i, server.port())) {
                Response r = c.send("POST", "/recovery/api/request", Http.JSON, VALID);
                assertThat(r.status()).isIn(202, 429);
                accepted += r.status() == 202 ? 1 : 0;
                assertThat(server.rateTableSizes()[0]).isLessThanOrEqualTo(32);
            }
        }
        assertThat(accepted).isEqualTo(32);
        try (RawHttp c = RawHttp.connectFrom("127.0.1.1", server.port())) {
            assertThat(c.send("POST", "/recovery/api/request", Http.JSON, VALID).status())
                    .as("one request a minute per address").isEqualTo(429);
        }
    }

    @Test
    void slowAndStalledClientsHoldNoWorkerAndAreClosedWhileOthersAreAnswered() throws IOException {
        serve();
        byte[] body = VALID.getBytes(StandardCharsets.US_ASCII);
        List<RawHttp> halfBody = new ArrayList<>();
        List<RawHttp> halfHead = new ArrayList<>();
        // more stalled requests than there are workers and queue places together
        for (int i = 0; i < 40; i++) {
            RawHttp c = hold();
            c.write(RawHttp.head("POST", "/recovery/api/request", Http.JSON, body.length)
                    .getBytes(StandardCharsets.US_ASCII));
            c.write(java.util.Arrays.copyOf(body, body.length / 2));
            halfBody.add(c);
            RawHttp h = hold();
            h.write("POST /recovery/api/confirm HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"
                    .getBytes(StandardCharsets.US_ASCII));
            halfHead.add(h);
        }

        for (int i = 0; i < 5; i++) {
            stillAnswers();
            assertThat(http.get("/recovery").status()).isEqualTo(200);
        }
        for (RawHttp c : halfBody) {
            // the body deadline (500 ms here) closes them; 10 s only bounds the test
            assertThat(c.closedByServerWithin(10_000)).as("a stalled body closed by the server").isTrue();
        }
        for (RawHttp c : halfHead) {
            assertThat(c.closedByServerWithin(10_000)).as("stalled headers closed by the server").isTrue();
        }
        assertThat(stack.otpEvents("otp.refused").size() + stack.otpEvents("otp.issued").size())
                .as("only the complete requests reached the service").isLessThanOrEqualTo(5);
        stillAnswers();
    }

    @Test
    void aBodyTrickledByteByByteIsCutOffAtTheDeadline() throws IOException {
        serve();
        RawHttp c = hold();
        byte[] body = (VALID.substring(0, VALID.length() - 1) + " ".repeat(2000) + "}")
                .getBytes(StandardCharsets.US_ASCII);
        c.write(RawHttp.head("POST", "/recovery/api/request", Http.JSON, body.length)
                .getBytes(StandardCharsets.US_ASCII));
        boolean closed = false;
        // one byte whenever a 50 ms read finds the connection still open: never idle long, never done
        for (int i = 0; i < body.length && !closed; i++) {
            try {
                c.write(new byte[] {body[i]});
                closed = c.closedByServerWithin(50);
            } catch (IOException e) {
                closed = true;
            }
        }
        assertThat(closed || c.closedByServerWithin(10_000)).as("closed before the body was complete").isTrue();
        stillAnswers();
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnceAndTheCapIsFreedAsTheyClose() throws IOException {
        serve();
        for (int i = 0; i < RecoveryServer.MAX_CONNECTIONS; i++) {
            hold();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> server.connections() == RecoveryServer.MAX_CONNECTIONS);
        RawHttp over = hold();
        assertThat(over.closedByServerWithin(10_000)).as("over the cap").isTrue();
        held.remove(0).close();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> server.connections() < RecoveryServer.MAX_CONNECTIONS);
        stillAnswers();
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64SoNewAddressesInItDoNotEscapeTheLimit() throws Exception {
        assertThat(RecoveryHandler.addressKey(java.net.InetAddress.getByName("2001:db8:1:2::1")))
                .isEqualTo(RecoveryHandler.addressKey(java.net.InetAddress.getByName("2001:db8:1:2:ffff:1:2:3")))
                .isEqualTo("2001:db8:1:2::/64");
        assertThat(RecoveryHandler.addressKey(java.net.InetAddress.getByName("2001:db8:1:3::1")))
                .isEqualTo("2001:db8:1:3::/64");
        assertThat(RecoveryHandler.addressKey(java.net.InetAddress.getByName("::ffff:192.0.2.7")))
                .as("an IPv4-mapped address is its IPv4 address").isEqualTo("192.0.2.7");
        assertThat(RecoveryHandler.addressKey(java.net.InetAddress.getByName("192.0.2.8"))).isEqualTo("192.0.2.8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:9190", "127.0.0.1.nip.io", "localhost.evil.example",
        "10.0.0.1"})
    void aHostNameBeyondLoopbackIsRefusedOnALoopbackListenerAgainstDnsRebinding(String host) throws IOException {
        serve();
        String body = "{\"username\":\"alice\",\"purpose\":\"reset\"}";
        for (String path : new String[] {"/recovery", "/recovery/api/request"}) {
            try (RawHttp c = RawHttp.connect(server.port())) {
                String method = path.equals("/recovery") ? "GET" : "POST";
                c.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                RawHttp.Response r = c.read();
                assertThat(r.status()).as("%s %s with Host %s", method, path, host).isEqualTo(421);
                assertThat(r.header("content-security-policy")).isNotNull();
            }
        }
        assertThat(stack.events).as("the service was not asked").noneMatch(e -> e.type() == EventType.OTP);
        for (String loopback : new String[] {"localhost", "localhost:" + server.port(), "127.0.0.1", "[::1]:9190"}) {
            try (RawHttp c = RawHttp.connect(server.port())) {
                c.write(("GET /recovery HTTP/1.1\r\nHost: " + loopback + "\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertThat(c.read().status()).as("Host %s", loopback).isEqualTo(200);
            }
        }
    }

    private RawHttp hold() throws IOException {
        RawHttp c = RawHttp.connect(server.port());
        held.add(c);
        return c;
    }
}
