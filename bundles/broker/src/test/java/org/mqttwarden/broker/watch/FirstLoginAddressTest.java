package org.mqttwarden.broker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.testsupport.Mosquitto;

/**
 * The measurement the issue asks for: for how many first {@code /user} calls of a connection the resolver knows the
 * address, on a real broker whose auth plugin ({@link StandInGoAuth}) asks at go-auth's point, the watcher following
 * the real log. Clients connect from distinct loopback addresses (127.0.0.10 ...), so a wrong answer shows. The
 * figures are printed and written to {@code target/watch-first-login.txt}; what is asserted is what must hold
 * whatever the machine's speed: never a wrong address, and every address known when devices connect one at a time.
 */
class FirstLoginAddressTest {

    private static final String PASSWORD = "right-password";
    private static final int DEVICES = 40;

    @TempDir
    Path dir;

    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private StandInGoAuth auth;
    private Mosquitto broker;
    private LogWatch watch;

    private void start() throws Exception {
        auth = StandInGoAuth.start(dir, login -> {
            // what Warden's /user does first: ask the resolver for the client's address
            String a = watch.connections().addressOf(login.clientId());
            answers.putIfAbsent(login.clientId(), a == null ? "unknown" : a);
            return PASSWORD.equals(login.password());
        });
        Path log = dir.resolve("log").resolve("mosquitto.log");
        Files.createDirectories(log.getParent());
        broker = auth.configure(Mosquitto.in(dir.resolve("broker")), log).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log)
                && Files.readString(log).contains("closed its connection"));
        watch = new LogWatch(log, Clock.systemUTC(), new LogSensors.Thresholds(0, 0, 10), e -> { }, ZoneId.systemDefault())
                .start();
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.follower().passes.sum() > 0);
    }

    @AfterEach
    void stop() throws Exception {
        if (watch != null) {
            watch.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (auth != null) {
            auth.close();
        }
    }

    private MqttClient connect(int device) throws Exception {
        MqttClient c = new MqttClient(broker.url(), "dev-" + device, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName("device");
        o.setPassword(PASSWORD.getBytes(StandardCharsets.UTF_8));
        o.setConnectionTimeout(20);
        o.setSocketFactory(StandInGoAuth.from(InetAddress.getByName(address(device))));
        c.connect(o);
        return c;
    }

    private static String address(int device) {
        return "127.0.0." + (10 + device);
    }

    /** @return {correct, unknown, wrong} over the devices */
    private int[] tally() {
        int[] t = new int[3];
        for (int d = 0; d < DEVICES; d++) {
            String a = answers.get("dev-" + d);
            t[address(d).equals(a) ? 0 : "unknown".equals(a) ? 1 : 2]++;
        }
        return t;
    }

    private static void report(String scenario, int[] t) throws Exception {
        String line = String.format("%s: first /user of %d connections: address known and right %d (%d %%),"
                + " unknown %d, wrong %d%n", scenario, DEVICES, t[0], 100 * t[0] / DEVICES, t[1], t[2]);
        System.out.print(line);
        Path out = Path.of("target", "watch-first-login.txt");
        Files.writeString(out, line, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void devicesConnectingOneAtATime() throws Exception {
        start();
        for (int d = 0; d < DEVICES; d++) {
            MqttClient c = connect(d);
            c.disconnect();
            c.close();
        }
        assertThat(answers).hasSize(DEVICES);
        int[] t = tally();
        report("one at a time", t);
        assertThat(t[2]).as("wrong addresses").isZero();
        assertThat(t[0]).as("known addresses").isEqualTo(DEVICES);
    }

    @Test
    void devicesConnectingAllAtOnceAfterAGatewayRestart() throws Exception {
        start();
        ExecutorService pool = Executors.newFixedThreadPool(DEVICES);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<MqttClient>> clients = new ArrayList<>();
        try {
            for (int d = 0; d < DEVICES; d++) {
                int device = d;
                clients.add(pool.submit(() -> {
                    go.await();
                    return connect(device);
                }));
            }
            go.countDown();
            for (Future<MqttClient> f : clients) {
                MqttClient c = f.get();
                c.disconnect();
                c.close();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(answers).hasSize(DEVICES);
        int[] t = tally();
        report("all at once", t);
        assertThat(t[2]).as("wrong addresses").isZero();
    }
}
