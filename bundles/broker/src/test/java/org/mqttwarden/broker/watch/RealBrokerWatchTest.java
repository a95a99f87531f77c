package org.mqttwarden.broker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;

/**
 * The watcher on a real broker's log while real clients come and go: the resolver learns and forgets addresses
 * (IPv4 and IPv6), and a flood of connections or of protocol errors from one address becomes one event through
 * warden-auth's real event publisher.
 */
class RealBrokerWatchTest {

    @TempDir
    Path dir;

    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private final EventSink sink = new EventSink() {
        @Override
        public CompletionStage<Void> accept(SecurityEvent event) {
            events.add(event);
            return CompletableFuture.completedFuture(null);
        }
    };
    private final EventPublisher publisher = AuthStack.eventsTo(sink).getService();
    private BrokerUnderTest broker;
    private LogWatch watch;

    private void start(int floodConnections, int protocolErrors) throws Exception {
        broker = BrokerUnderTest.start(dir);
        // test-support's start probes the port with one connection: its lines are history, not this test's
        broker.awaitLog("Client <unknown> closed its connection.");
        watch = new LogWatch(broker.log, Clock.systemUTC(),
                new LogSensors.Thresholds(floodConnections, protocolErrors, 60), publisher::offer,
                ZoneId.systemDefault()).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.follower().passes.sum() > 0);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (watch != null) {
            watch.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void learnsAndForgetsTheAddressesOfRealClients() throws Exception {
        start(0, 0);
        Connections resolver = watch.connections();
        List<MqttClient> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(broker.connect("dev-" + i, BrokerUnderTest.PASSWORD, false));
        }
        if (broker.port6 > 0) {
            clients.add(broker.connect("dev-6", BrokerUnderTest.PASSWORD, true));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (int i = 0; i < 5; i++) {
                assertThat(resolver.addressOf("dev-" + i)).isEqualTo("127.0.0.1");
            }
            if (broker.port6 > 0) {
                assertThat(resolver.addressOf("dev-6")).isEqualTo("::1");
            }
        });
        assertThat(resolver.addressOf("never-connected")).isNull();
        clients.get(0).disconnect();
        clients.get(0).close();
        await().atMost(Duration.ofSeconds(10)).until(() -> resolver.addressOf("dev-0") == null);
        assertThat(resolver.addressOf("dev-1")).isEqualTo("127.0.0.1");
        for (MqttClient c : clients.subList(1, clients.size())) {
            c.disconnect();
            c.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> resolver.connectedClients().isEmpty());
    }

    @Test
    void twentyConnectionsFromOneAddressRaiseOneFloodEvent() throws Exception {
        start(20, 0);
        for (int i = 0; i < 19; i++) {
            try (Socket s = broker.socket()) {
                s.getOutputStream().flush();
            }
        }
        broker.awaitLog("closed its connection");
        // 19 accepted connections are no flood
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.follower().lines.sum() >= 19);
        assertThat(events).isEmpty();
        for (int i = 0; i < 11; i++) {
            try (Socket s = broker.socket()) {
                s.getOutputStream().flush();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        SecurityEvent e = events.get(0);
        assertThat(e.type()).isEqualTo(EventType.ALERT);
        assertThat(e.reason()).isEqualTo(LogSensors.CONNECTION_FLOOD);
        assertThat(e.address()).isEqualTo("127.0.0.1");
        assertThat(e.detail()).containsEntry("count", "20").containsEntry("window_seconds", "60");
        // once per window: the ten more connections after the twentieth raise nothing more
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.logText().lines()
                .filter(l -> l.contains("New connection")).count() >= 30);
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.follower().lines.sum() >= 60);
        assertThat(events).hasSize(1);
    }

    @Test
    void repeatedProtocolErrorsFromOneAddressRaiseAnEvent() throws Exception {
        start(0, 5);
        for (int i = 0; i < 5; i++) {
            try (Socket s = broker.socket()) {
                s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                while (s.getInputStream().read() >= 0) {
                    // until the broker drops it
                }
            } catch (java.net.SocketException reset) {
                // dropped
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        assertThat(events.get(0).reason()).isEqualTo(LogSensors.PROTOCOL_ERRORS);
        assertThat(events.get(0).address()).isEqualTo("127.0.0.1");
        assertThat(events.get(0).detail()).containsEntry("count", "5");
    }
}
