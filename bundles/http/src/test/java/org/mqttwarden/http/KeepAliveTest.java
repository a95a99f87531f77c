package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.http.RawHttp.Response;

/** go-auth keeps its connections alive and asks from many goroutines at once; every answer must stay right. */
class KeepAliveTest {

    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final int SENSORS = 4;

    @TempDir
    static Path dir;

    private static WardenStack warden;
    private static GoAuthServer server;

    @BeforeAll
    static void start() {
        warden = WardenStack.open(dir);
        for (int i = 1; i <= SENSORS; i++) {
            warden.account("sensor" + i, "sensor" + i + "-secret", "sensor");
        }
        warden.account("boss", "boss-secret-pw", "admin");
        server = warden.serve(HttpSettings.loopback("status"));
    }

    @AfterAll
    static void stop() {
        warden.close();
    }

    @Test
    void answersAThousandSequentialRequestsOnOneConnection() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            for (int i = 0; i < 1000; i++) {
                String json = "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"%s/t" + i + "\",\"username\":\"sensor1\"}";
                Response r;
                int expected;
                switch (i % 5) {
                    case 0 -> {
                        r = connection.send("POST", "/acl", JSON, json.formatted("sensor1"));
                        expected = 200;
                    }
                    case 1 -> {
                        r = connection.send("POST", "/acl", JSON, json.formatted("sensor2"));
                        expected = 403;
                    }
                    case 2 -> {
                        r = connection.send("POST", "/acl", FORM,
                                "acc=4&clientid=s2&topic=sensor2%2F" + i + "%2F%23&username=sensor2");
                        expected = 200;
                    }
                    case 3 -> {
                        r = connection.send("POST", "/superuser", JSON, i % 2 == 0 ? "{\"username\":\"boss\"}"
                                : "{\"username\":\"sensor3\"}");
                        expected = i % 2 == 0 ? 200 : 403;
                    }
                    default -> {
                        r = connection.send("POST", "/user", JSON,
                                "{\"clientid\":\"s4\",\"password\":\"sensor4-secret\",\"username\":\"sensor4\"}");
                        expected = 200;
                    }
                }
                assertThat(r.status()).as("answer %d", i).isEqualTo(expected);
                assertThat(r.header("Connection")).as("answer %d", i).isNotEqualToIgnoringCase("close");
            }
        }
    }

    @Test
    void answersSixteenThreadsOfMixedAclRequestsCorrectly() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        URI acl = URI.create("http://127.0.0.1:" + server.port() + "/acl");
        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Integer>> clients = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                clients.add(() -> {
                    go.await();
                    String user = "sensor" + (thread % SENSORS + 1);
                    String other = "sensor" + ((thread + 1) % SENSORS + 1);
                    int answered = 0;
                    for (int i = 0; i < 200; i++) {
                        boolean own = i % 3 != 0;
                        int acc = i % 4 + 1;
                        String topic = (own ? user : other) + (acc == 4 ? "/" + thread + "/+" : "/" + thread + "/" + i);
                        HttpRequest request = HttpRequest.newBuilder(acl).timeout(Duration.ofSeconds(20))
                                .header("Content-Type", JSON)
                                .POST(BodyPublishers.ofString("{\"acc\":" + acc + ",\"clientid\":\"c" + thread
                                        + "\",\"topic\":\"" + topic + "\",\"username\":\"" + user + "\"}"))
                                .build();
                        HttpResponse<String> r = http.send(request, BodyHandlers.ofString());
                        if (r.statusCode() != (own ? 200 : 403) || !r.body().isEmpty()) {
                            wrong.add(user + " acc " + acc + " " + topic + " -> " + r.statusCode() + " " + r.body());
                        }
                        answered++;
                    }
                    return answered;
                });
            }
            List<Future<Integer>> results = new ArrayList<>();
            for (Callable<Integer> client : clients) {
                results.add(threads.submit(client));
            }
            go.countDown();
            int answered = 0;
            for (Future<Integer> result : results) {
                answered += result.get(60, TimeUnit.SECONDS);
            }

            assertThat(answered).isEqualTo(16 * 200);
            assertThat(wrong).isEmpty();
        } finally {
            threads.shutdownNow();
        }
    }
}
