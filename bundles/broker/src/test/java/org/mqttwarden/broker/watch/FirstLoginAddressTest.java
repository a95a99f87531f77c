package org.mqttwarden.broker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
 * whatever the machine's speed: never a wrong address, and most addresses known when devices connect one at a time.
 * Firmware-like clients (raw MQTT, CONNECT at once) are the hard case for timing; Paho's Java client takes about
 * 300 ms per connect here, which keeps its connections pending longer and makes overlapping ones ambiguous.
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
            String a = watch.addressOf(login.clientId());
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

    /**
     * A device as firmware connects: CONNECT right after the TCP connection opens, CONNACK, DISCONNECT. Paho's Java
     * client took about 300 ms per connect on this machine against 1 to 3 ms for this (measured while writing this
     * test), time during which its connection is pending and makes others' first {@code /user} ambiguous.
     */
    private void connectRaw(int device) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(address(device)), 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), broker.port()), 10_000);
            s.setSoTimeout(20_000);
            s.setTcpNoDelay(true);
            s.getOutputStream().write(BrokerUnderTest.connectPacket("dev-" + device, "device", PASSWORD, 60));
            byte[] connack = s.getInputStream().readNBytes(4);
            assertThat(connack).as("CONNACK accepted").containsExactly(0x20, 2, 0, 0);
            s.getOutputStream().write(new byte[] {(byte) 0xE0, 0});
        }
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
    void pahoDevicesConnectingOneAtATime() throws Exception {
        start();
        for (int d = 0; d < DEVICES; d++) {
            MqttClient c = connect(d);
            c.disconnect();
            c.close();
        }
        assertThat(answers).hasSize(DEVICES);
        int[] t = tally();
        report("Paho, one at a time", t);
        assertThat(t[2]).as("wrong addresses").isZero();
        // how many is the machine's timing (the figure is reported); that most are known is the design's claim
        assertThat(t[0]).as("known addresses").isGreaterThanOrEqualTo(DEVICES / 2);
    }

    @Test
    void pahoDevicesConnectingAllAtOnceAfterAGatewayRestart() throws Exception {
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
        report("Paho, all at once", t);
        assertThat(t[2]).as("wrong addresses").isZero();
    }

    /**
     * The realistic case between the two: devices coming online at random moments within 4 s (a seeded uniform
     * spread, as after a power cut where they boot at different speeds), each on its own schedule.
     */
    @Test
    void pahoDevicesConnectingAtRandomMomentsWithinFourSeconds() throws Exception {
        start();
        java.util.Random random = new java.util.Random(15);
        ScheduledExecutorService pool = Executors.newScheduledThreadPool(8);
        List<ScheduledFuture<MqttClient>> clients = new ArrayList<>();
        try {
            for (int d = 0; d < DEVICES; d++) {
                int device = d;
                clients.add(pool.schedule(() -> connect(device), random.nextInt(4000), TimeUnit.MILLISECONDS));
            }
            for (ScheduledFuture<MqttClient> f : clients) {
                MqttClient c = f.get();
                c.disconnect();
                c.close();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(answers).hasSize(DEVICES);
        int[] t = tally();
        report("Paho, random within 4 s", t);
        assertThat(t[2]).as("wrong addresses").isZero();
    }

    @Test
    void firmwareLikeDevicesConnectingOneAtATime() throws Exception {
        start();
        for (int d = 0; d < DEVICES; d++) {
            connectRaw(d);
        }
        assertThat(answers).hasSize(DEVICES);
        int[] t = tally();
        report("firmware-like, one at a time", t);
        assertThat(t[2]).as("wrong addresses").isZero();
        // how many is the machine's timing (the figure is reported); that most are known is the design's claim
        assertThat(t[0]).as("known addresses").isGreaterThanOrEqualTo(DEVICES / 2);
    }

    @Test
    void firmwareLikeDevicesConnectingAtRandomMomentsWithinFourSeconds() throws Exception {
        start();
        java.util.Random random = new java.util.Random(15);
        ScheduledExecutorService pool = Executors.newScheduledThreadPool(8);
        List<ScheduledFuture<?>> done = new ArrayList<>();
        try {
            for (int d = 0; d < DEVICES; d++) {
                int device = d;
                done.add(pool.schedule(() -> {
                    connectRaw(device);
                    return null;
                }, random.nextInt(4000), TimeUnit.MILLISECONDS));
            }
            for (ScheduledFuture<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int[] t = tally();
        report("firmware-like, random within 4 s", t);
        assertThat(t[2]).as("wrong addresses").isZero();
    }

    @Test
    void firmwareLikeDevicesConnectingAllAtOnce() throws Exception {
        start();
        ExecutorService pool = Executors.newFixedThreadPool(DEVICES);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int d = 0; d < DEVICES; d++) {
                int device = d;
                done.add(pool.submit(() -> {
                    go.await();
                    connectRaw(device);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int[] t = tally();
        report("firmware-like, all at once", t);
        assertThat(t[2]).as("wrong addresses").isZero();
    }
}
