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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mqttwarden.api.account.Permission;

/**
 * go-auth's http backend against the real server: every response mode, both parameter encodings
 * and every method go-auth can use. Bodies are written out literally, byte for byte as go-auth
 * produces them (Go's json.Marshal with sorted keys and HTML escaping; url.Values.Encode).
 */
class GoAuthContractTest {

    /** One question as go-auth would send it in each parameter encoding. */
    record Call(String path, String json, String form) {
    }

    /** How a question travels and how its answer is encoded. */
    record Transport(AnswerMode mode, boolean form, String method) {

        @Override
        public String toString() {
            return mode.config + " answers, " + (form ? "form" : "json") + " " + method;
        }
    }

    private static final Call LOGIN_SENSOR1 = new Call("/user",
            "{\"clientid\":\"s1\",\"password\":\"sensor1-secret\",\"username\":\"sensor1\"}",
            "clientid=s1&password=sensor1-secret&username=sensor1");
    private static final Call LOGIN_SENSOR1_WRONG = new Call("/user",
            "{\"clientid\":\"s1\",\"password\":\"sensor1-secreT\",\"username\":\"sensor1\"}",
            "clientid=s1&password=sensor1-secreT&username=sensor1");
    private static final Call LOGIN_UNKNOWN = new Call("/user",
            "{\"clientid\":\"s1\",\"password\":\"sensor1-secret\",\"username\":\"sensor9\"}",
            "clientid=s1&password=sensor1-secret&username=sensor9");
    private static final Call LOGIN_DISABLED = new Call("/user",
            "{\"clientid\":\"m1\",\"password\":\"mallory-secret\",\"username\":\"mallory\"}",
            "clientid=m1&password=mallory-secret&username=mallory");
    private static final Call LOGIN_ESCAPED = new Call("/user",
            "{\"clientid\":\"rd1\",\"password\":\"p\\u0026ss\\u003cw\\u003erd-1234\","
                    + "\"username\":\"r\\u0026d\\u003clab\\u003e\"}",
            "clientid=rd1&password=p%26ss%3Cw%3Erd-1234&username=r%26d%3Clab%3E");
    private static final Call LOGIN_ESCAPED_WRONG = new Call("/user",
            "{\"clientid\":\"rd1\",\"password\":\"p\\u0026ss\\u003cw\\u003erd-1235\","
                    + "\"username\":\"r\\u0026d\\u003clab\\u003e\"}",
            "clientid=rd1&password=p%26ss%3Cw%3Erd-1235&username=r%26d%3Clab%3E");

    private static final Call SUPERUSER_BOSS = new Call("/superuser", "{\"username\":\"boss\"}", "username=boss");
    private static final Call SUPERUSER_SENSOR1 = new Call("/superuser", "{\"username\":\"sensor1\"}",
            "username=sensor1");
    private static final Call SUPERUSER_UNKNOWN = new Call("/superuser", "{\"username\":\"sensor9\"}",
            "username=sensor9");

    private static final Call SENSOR1_WRITES_OWN = new Call("/acl",
            "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}",
            "acc=2&clientid=s1&topic=sensor1%2Ftemp&username=sensor1");
    private static final Call SENSOR1_READWRITES_OWN = new Call("/acl",
            "{\"acc\":3,\"clientid\":\"s1\",\"topic\":\"sensor1/temp\",\"username\":\"sensor1\"}",
            "acc=3&clientid=s1&topic=sensor1%2Ftemp&username=sensor1");
    private static final Call SENSOR1_SUBSCRIBES_OWN = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"s1\",\"topic\":\"sensor1/#\",\"username\":\"sensor1\"}",
            "acc=4&clientid=s1&topic=sensor1%2F%23&username=sensor1");
    private static final Call SENSOR1_WRITES_SENSOR2 = new Call("/acl",
            "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor2/temp\",\"username\":\"sensor1\"}",
            "acc=2&clientid=s1&topic=sensor2%2Ftemp&username=sensor1");
    private static final Call SENSOR1_READS_SENSOR2 = new Call("/acl",
            "{\"acc\":1,\"clientid\":\"s1\",\"topic\":\"sensor2/temp\",\"username\":\"sensor1\"}",
            "acc=1&clientid=s1&topic=sensor2%2Ftemp&username=sensor1");
    private static final Call SENSOR1_WRITES_UNICODE = new Call("/acl",
            "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/température/温度\",\"username\":\"sensor1\"}",
            "acc=2&clientid=s1&topic=sensor1%2Ftemp%C3%A9rature%2F%E6%B8%A9%E5%BA%A6&username=sensor1");
    private static final Call SENSOR2_WRITES_UNICODE = new Call("/acl",
            "{\"acc\":2,\"clientid\":\"s2\",\"topic\":\"sensor1/température/温度\",\"username\":\"sensor2\"}",
            "acc=2&clientid=s2&topic=sensor1%2Ftemp%C3%A9rature%2F%E6%B8%A9%E5%BA%A6&username=sensor2");
    private static final Call ESCAPED_WRITES_OWN = new Call("/acl",
            "{\"acc\":2,\"clientid\":\"rd1\",\"topic\":\"r\\u0026d\\u003clab\\u003e/temp\","
                    + "\"username\":\"r\\u0026d\\u003clab\\u003e\"}",
            "acc=2&clientid=rd1&topic=r%26d%3Clab%3E%2Ftemp&username=r%26d%3Clab%3E");
    private static final Call ESCAPED_WRITES_UNESCAPED_TWIN = new Call("/acl",
            "{\"acc\":2,\"clientid\":\"rd1\",\"topic\":\"r\\u0026d/temp\",\"username\":\"r\\u0026d\\u003clab\\u003e\"}",
            "acc=2&clientid=rd1&topic=r%26d%2Ftemp&username=r%26d%3Clab%3E");

    private static final Call DISABLED_WRITES_OWN = new Call("/acl",
            "{\"acc\":2,\"clientid\":\"m1\",\"topic\":\"mallory/temp\",\"username\":\"mallory\"}",
            "acc=2&clientid=m1&topic=mallory%2Ftemp&username=mallory");
    private static final Call SUPERUSER_DISABLED = new Call("/superuser", "{\"username\":\"mallory\"}",
            "username=mallory");

    private static final Call WILDCARD_RULE_SUBSCRIBES_CONCRETE = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"pv\",\"topic\":\"plant/line1/temp\",\"username\":\"plantview\"}",
            "acc=4&clientid=pv&topic=plant%2Fline1%2Ftemp&username=plantview");
    private static final Call WILDCARD_RULE_SUBSCRIBES_SAME_WILDCARD = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"pv\",\"topic\":\"plant/+/temp\",\"username\":\"plantview\"}",
            "acc=4&clientid=pv&topic=plant%2F%2B%2Ftemp&username=plantview");
    private static final Call WILDCARD_RULE_SUBSCRIBES_WIDER = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"pv\",\"topic\":\"plant/#\",\"username\":\"plantview\"}",
            "acc=4&clientid=pv&topic=plant%2F%23&username=plantview");
    private static final Call WILDCARD_RULE_READS_CONCRETE = new Call("/acl",
            "{\"acc\":1,\"clientid\":\"pv\",\"topic\":\"plant/line1/temp\",\"username\":\"plantview\"}",
            "acc=1&clientid=pv&topic=plant%2Fline1%2Ftemp&username=plantview");
    private static final Call CONCRETE_RULE_SUBSCRIBES_WILDCARD = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"lw\",\"topic\":\"plant/+/temp\",\"username\":\"linewatch\"}",
            "acc=4&clientid=lw&topic=plant%2F%2B%2Ftemp&username=linewatch");
    private static final Call CONCRETE_RULE_SUBSCRIBES_CONCRETE = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"lw\",\"topic\":\"plant/line1/temp\",\"username\":\"linewatch\"}",
            "acc=4&clientid=lw&topic=plant%2Fline1%2Ftemp&username=linewatch");

    private static final Call SHARED_SUBSCRIBE_COVERED = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"pv\",\"topic\":\"$share/g/plant/+/temp\",\"username\":\"plantview\"}",
            "acc=4&clientid=pv&topic=%24share%2Fg%2Fplant%2F%2B%2Ftemp&username=plantview");
    private static final Call SHARED_SUBSCRIBE_CONCRETE_COVERED = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"pv\",\"topic\":\"$share/g/plant/line2/temp\",\"username\":\"plantview\"}",
            "acc=4&clientid=pv&topic=%24share%2Fg%2Fplant%2Fline2%2Ftemp&username=plantview");
    private static final Call SHARED_SUBSCRIBE_WIDER = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"pv\",\"topic\":\"$share/g/plant/#\",\"username\":\"plantview\"}",
            "acc=4&clientid=pv&topic=%24share%2Fg%2Fplant%2F%23&username=plantview");
    private static final Call SHARED_SUBSCRIBE_OTHER_TREE = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"pv\",\"topic\":\"$share/plant/office/temp\",\"username\":\"plantview\"}",
            "acc=4&clientid=pv&topic=%24share%2Fplant%2Foffice%2Ftemp&username=plantview");

    private static final Call HASH_RULE_READS_PLAIN = new Call("/acl",
            "{\"acc\":1,\"clientid\":\"mon\",\"topic\":\"plant/line1/temp\",\"username\":\"monitor\"}",
            "acc=1&clientid=mon&topic=plant%2Fline1%2Ftemp&username=monitor");
    private static final Call HASH_RULE_SUBSCRIBES_HASH = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"mon\",\"topic\":\"#\",\"username\":\"monitor\"}",
            "acc=4&clientid=mon&topic=%23&username=monitor");
    private static final Call HASH_RULE_READS_SYS = new Call("/acl",
            "{\"acc\":1,\"clientid\":\"mon\",\"topic\":\"$SYS/broker/load/bytes/received\",\"username\":\"monitor\"}",
            "acc=1&clientid=mon&topic=%24SYS%2Fbroker%2Fload%2Fbytes%2Freceived&username=monitor");
    private static final Call HASH_RULE_SUBSCRIBES_SYS = new Call("/acl",
            "{\"acc\":4,\"clientid\":\"mon\",\"topic\":\"$SYS/#\",\"username\":\"monitor\"}",
            "acc=4&clientid=mon&topic=%24SYS%2F%23&username=monitor");

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;

    private static WardenStack warden;
    private static final Map<AnswerMode, GoAuthServer> SERVERS = new EnumMap<>(AnswerMode.class);

    @BeforeAll
    static void startOneServerPerResponseMode() {
        warden = WardenStack.open(dir);
        warden.account("sensor1", "sensor1-secret", "sensor");
        warden.account("sensor2", "sensor2-secret", "sensor");
        warden.account("boss", "boss-secret-pw", "admin");
        warden.account("plantview", "plantview-secret", "viewer");
        warden.accountRule("plantview", "plant/+/temp", Permission.READ);
        warden.account("linewatch", "linewatch-secret", "viewer");
        warden.accountRule("linewatch", "plant/line1/temp", Permission.READ);
        warden.account("monitor", "monitor-secret", "viewer");
        warden.accountRule("monitor", "#", Permission.READ);
        warden.account("mallory", "mallory-secret", "sensor");
        warden.accounts.setEnabled("mallory", false, WardenStack.ACTOR);
        warden.account("r&d<lab>", "p&ss<w>rd-1234", "sensor");
        for (AnswerMode mode : AnswerMode.values()) {
            SERVERS.put(mode, warden.serve(HttpSettings.loopback(mode.config)));
        }
    }

    @AfterAll
    static void stop() {
        warden.close();
    }

    static Stream<Transport> transports() {
        return Stream.of(AnswerMode.values()).flatMap(mode -> Stream.of(new Transport(mode, false, "POST"),
                new Transport(mode, false, "GET"), new Transport(mode, false, "PUT"),
                new Transport(mode, true, "POST")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void logsInWithTheRightPasswordOnly(Transport t) throws Exception {
        assertAllowed(t, LOGIN_SENSOR1);
        assertDenied(t, LOGIN_SENSOR1_WRONG);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void answersAnUnknownUserExactlyAsAWrongPassword(Transport t) throws Exception {
        HttpResponse<String> unknown = send(t, LOGIN_UNKNOWN);
        HttpResponse<String> wrong = send(t, LOGIN_SENSOR1_WRONG);

        t.mode().assertDenied(unknown.statusCode(), unknown.body(), "unknown user");
        assertThat(unknown.statusCode()).isEqualTo(wrong.statusCode());
        assertThat(unknown.body()).isEqualTo(wrong.body());
        for (String header : List.of("content-type", "content-length", "connection")) {
            assertThat(unknown.headers().allValues(header)).as(header).isEqualTo(wrong.headers().allValues(header));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void deniesADisabledAccountEverything(Transport t) throws Exception {
        assertDenied(t, LOGIN_DISABLED);
        assertDenied(t, DISABLED_WRITES_OWN);
        assertDenied(t, SUPERUSER_DISABLED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void answersSuperuserForTheAdminRoleOnly(Transport t) throws Exception {
        assertAllowed(t, SUPERUSER_BOSS);
        assertDenied(t, SUPERUSER_SENSOR1);
        assertDenied(t, SUPERUSER_UNKNOWN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void allowsASuperuserEveryAccessThroughAclAlone(Transport t) throws Exception {
        String[] topics = {"sensor1/temp", "$SYS/broker/uptime", "plant/line1/temp"};
        String[] formTopics = {"sensor1%2Ftemp", "%24SYS%2Fbroker%2Fuptime", "plant%2Fline1%2Ftemp"};
        for (int i = 0; i < topics.length; i++) {
            for (int acc = 1; acc <= 3; acc++) {
                assertAllowed(t, new Call("/acl",
                        "{\"acc\":" + acc + ",\"clientid\":\"b1\",\"topic\":\"" + topics[i]
                                + "\",\"username\":\"boss\"}",
                        "acc=" + acc + "&clientid=b1&topic=" + formTopics[i] + "&username=boss"));
            }
        }
        assertAllowed(t, new Call("/acl", "{\"acc\":4,\"clientid\":\"b1\",\"topic\":\"#\",\"username\":\"boss\"}",
                "acc=4&clientid=b1&topic=%23&username=boss"));
        assertAllowed(t, new Call("/acl", "{\"acc\":4,\"clientid\":\"b1\",\"topic\":\"$SYS/#\",\"username\":\"boss\"}",
                "acc=4&clientid=b1&topic=%24SYS%2F%23&username=boss"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void letsASensorUseItsOwnNamespaceButNotAnothers(Transport t) throws Exception {
        assertAllowed(t, SENSOR1_WRITES_OWN);
        assertAllowed(t, SENSOR1_READWRITES_OWN);
        assertAllowed(t, SENSOR1_SUBSCRIBES_OWN);
        assertDenied(t, SENSOR1_WRITES_SENSOR2);
        assertDenied(t, SENSOR1_READS_SENSOR2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void coversAConcreteSubscriptionWithAWildcardRule(Transport t) throws Exception {
        assertAllowed(t, WILDCARD_RULE_SUBSCRIBES_CONCRETE);
        assertAllowed(t, WILDCARD_RULE_SUBSCRIBES_SAME_WILDCARD);
        assertAllowed(t, WILDCARD_RULE_READS_CONCRETE);
        assertDenied(t, WILDCARD_RULE_SUBSCRIBES_WIDER);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void doesNotCoverAWildcardSubscriptionWithAConcreteRule(Transport t) throws Exception {
        assertAllowed(t, CONCRETE_RULE_SUBSCRIBES_CONCRETE);
        assertDenied(t, CONCRETE_RULE_SUBSCRIBES_WILDCARD);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void decidesASharedSubscriptionOnItsFilter(Transport t) throws Exception {
        assertAllowed(t, SHARED_SUBSCRIBE_COVERED);
        assertAllowed(t, SHARED_SUBSCRIBE_CONCRETE_COVERED);
        assertDenied(t, SHARED_SUBSCRIBE_WIDER);
        assertDenied(t, SHARED_SUBSCRIBE_OTHER_TREE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void keepsAHashRuleAwayFromSysTopics(Transport t) throws Exception {
        assertAllowed(t, HASH_RULE_READS_PLAIN);
        assertAllowed(t, HASH_RULE_SUBSCRIBES_HASH);
        assertDenied(t, HASH_RULE_READS_SYS);
        assertDenied(t, HASH_RULE_SUBSCRIBES_SYS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void readsGoEscapesAndUnicodeAsTheCharactersTheyStandFor(Transport t) throws Exception {
        assertAllowed(t, LOGIN_ESCAPED);
        assertDenied(t, LOGIN_ESCAPED_WRONG);
        assertAllowed(t, ESCAPED_WRITES_OWN);
        assertDenied(t, ESCAPED_WRITES_UNESCAPED_TWIN);
        assertAllowed(t, SENSOR1_WRITES_UNICODE);
        assertDenied(t, SENSOR2_WRITES_UNICODE);
    }

    private static void assertAllowed(Transport t, Call call) throws IOException, InterruptedException {
        HttpResponse<String> r = send(t, call);
        t.mode().assertAllowed(r.statusCode(), r.body(), describe(t, call));
        assertContentType(t, r);
    }

    private static void assertDenied(Transport t, Call call) throws IOException, InterruptedException {
        HttpResponse<String> r = send(t, call);
        t.mode().assertDenied(r.statusCode(), r.body(), describe(t, call));
        assertContentType(t, r);
    }

    private static void assertContentType(Transport t, HttpResponse<String> r) {
        if (t.mode() == AnswerMode.JSON) {
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        } else if (t.mode() == AnswerMode.STATUS) {
            assertThat(r.headers().firstValue("content-length")).hasValue("0");
        }
    }

    private static String describe(Transport t, Call call) {
        return call.path() + " " + (t.form() ? call.form() : call.json());
    }

    private static HttpResponse<String> send(Transport t, Call call) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + SERVERS.get(t.mode()).port() + call.path());
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", t.form() ? "application/x-www-form-urlencoded" : "application/json")
                .method(t.method(), BodyPublishers.ofString(t.form() ? call.form() : call.json()))
                .build();
        return HTTP.send(request, BodyHandlers.ofString());
    }
}
