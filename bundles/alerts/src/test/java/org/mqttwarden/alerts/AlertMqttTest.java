package org.mqttwarden.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.audit.AuditQuery;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.lockout.LockoutEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.SqliteDatabaseFiles;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.Mosquitto;

/**
 * Alerts published to a real Mosquitto (the Debian binary, started here on loopback with a password file for
 * the service account) and received by a Paho v5 subscriber; then the broker is stopped and alerts still reach
 * the audit sink without anything blocking.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertMqttTest {

    private static final String PASSWORD = "alert-publisher-test-secret";

    @TempDir
    static Path dir;

    private static Mosquitto broker;
    private static int port;
    private static Path credentials;

    @BeforeAll
    static void startBroker() throws Exception {
        credentials = dir.resolve("warden-alerts.credentials");
        ServiceAccount.write(credentials, "warden-alerts", PASSWORD);
        assertThat(Files.getPosixFilePermissions(credentials)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        broker = Mosquitto.in(dir.resolve("broker")).user("warden-alerts", PASSWORD).start();
        port = broker.port();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static LockoutEvent locked(String user) {
        return new LockoutEvent(Instant.now(), LockoutEvent.Kind.ACCOUNT_LOCKED, user, "attacker", null, null,
                Boolean.TRUE, 5, 5, 1, Instant.now().plusSeconds(900), null, LockoutEvent.CAUSE_FAILURES,
                LockoutEvent.SCOPE_UNTRUSTED);
    }

    @Test
    @Order(1)
    void theAuditChainsHeadIsPublishedAsAnAnchorOutsideTheGateway() throws Exception {
        List<Received> received = new CopyOnWriteArrayList<>();
        MqttClient sub = new MqttClient("tcp://127.0.0.1:" + port, "archiver", new MemoryPersistence());
        sub.setCallback(new Collector(received));
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName("warden-alerts");
        o.setPassword(PASSWORD.getBytes(StandardCharsets.UTF_8));
        sub.connect(o);
        sub.subscribe("warden/alerts/audit-anchor", 1);
        SqliteDatabaseFiles files = new SqliteDatabaseFiles();
        org.mqttwarden.audit.AuditLog audit = new org.mqttwarden.audit.AuditLog(Configs.of(
                org.mqttwarden.audit.AuditLog.Config.class, Map.of("path", dir.resolve("audit.db").toString(),
                        "key.path", dir.resolve("warden-audit.key").toString())), files);
        AlertDetector detector = new AlertDetector(null, null, Configs.of(AlertDetector.Config.class, Map.of(
                "alert.mqtt.enabled", true, "alert.mqtt.url", "tcp://127.0.0.1:" + port,
                "alert.mqtt.credentials.file", credentials.toString(), "alert.mqtt.client.id", "warden-alerts-anchor")),
                java.time.Clock.systemUTC());
        try {
            audit.accept(new SecurityEvent(Instant.now(), EventType.AUTH, Outcome.DENY, "auth.bad-password", "plc-9",
                    null, "c9", null, null, null, null, Map.of())).toCompletableFuture().get(10, TimeUnit.SECONDS);
            AuditQuery.ChainHead head = audit.chainHead().orElseThrow();
            detector.bindAudit(audit);
            detector.anchor();
            await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());
            Received r = received.get(0);
            assertThat(r.topic).isEqualTo("warden/alerts/audit-anchor");
            assertThat(r.payload).contains("\"id\":\"" + head.id() + "\"").contains("\"hash\":\"" + head.hash() + "\"");
            assertThat(head.hash()).matches("[0-9a-f]{64}");
        } finally {
            detector.close();
            audit.close();
            files.close();
            sub.disconnect();
            sub.close();
        }
    }

    @Test
    @Order(2)
    void anAlertReachesASubscriberWithUserPropertiesAndQos1AndAStoppedBrokerBlocksNothing() throws Exception {
        List<Received> received = new CopyOnWriteArrayList<>();
        MqttClient sub = new MqttClient("tcp://127.0.0.1:" + port, "dashboard", new MemoryPersistence());
        sub.setCallback(new Collector(received));
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName("warden-alerts");
        o.setPassword(PASSWORD.getBytes(StandardCharsets.UTF_8));
        sub.connect(o);
        sub.subscribe("warden/alerts/#", 1);

        AlertHttpReplayTest.Recorder audit = new AlertHttpReplayTest.Recorder();
        AlertDetector detector = new AlertDetector(null, null, Configs.of(AlertDetector.Config.class, Map.of(
                "alert.mqtt.enabled", true, "alert.mqtt.url", "tcp://127.0.0.1:" + port,
                "alert.mqtt.credentials.file", credentials.toString(), "alert.mqtt.client.id", "warden-alerts-test")),
                java.time.Clock.systemUTC());
        detector.setEvents(AuthStack.eventsTo(audit));
        try {
            detector.onLockoutEvent(locked("plc-1"));
            await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());
            Received r = received.get(0);
            assertThat(r.topic).isEqualTo("warden/alerts/brute-force");
            assertThat(r.qos).isEqualTo(1);
            assertThat(r.userProperties).containsEntry("type", "alert.brute-force")
                    .containsEntry("severity", "warning");
            assertThat(r.contentType).isEqualTo("application/json");
            assertThat(r.payload).startsWith("{").contains("\"type\":\"alert.brute-force\"")
                    .contains("\"severity\":\"warning\"").contains("\"username\":\"plc-1\"")
                    .contains("\"cause\":\"account-locked\"").endsWith("}");
            assertThat(detector.counters()).containsEntry("mqtt_published", 1L);
            sub.disconnect();
            sub.close();

            // the broker goes away: alerts are still audited, and nothing waits for it
            broker.close();
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                detector.onLockoutEvent(locked("plc-" + (i + 2)));
                CompletionStage<Void> s = detector.accept(new SecurityEvent(Instant.now(), EventType.AUTH,
                        Outcome.DENY, "auth.bad-password", "plc-x", null, "c", null, null, null, null, Map.of()));
                assertThat(s.toCompletableFuture()).isDone();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            AlertAccess.judged(detector);
            assertThat(audit.events.stream().filter(e -> e.type() == EventType.ALERT)
                    .filter(e -> "account-locked".equals(e.detail().get("cause")))).hasSize(21);
            await().atMost(Duration.ofSeconds(20)).until(() -> detector.counters().get("mqtt_failed") >= 1);
        } finally {
            detector.close();
        }
    }

    private record Received(String topic, int qos, String payload, Map<String, String> userProperties,
            String contentType) {
    }

    private static final class Collector implements MqttCallback {
        private final List<Received> received;

        Collector(List<Received> received) {
            this.received = received;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            MqttProperties p = message.getProperties();
            Map<String, String> up = new java.util.HashMap<>();
            for (UserProperty u : p.getUserProperties()) {
                up.put(u.getKey(), u.getValue());
            }
            received.add(new Received(topic, message.getQos(), new String(message.getPayload(),
                    StandardCharsets.UTF_8), up, p.getContentType()));
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
