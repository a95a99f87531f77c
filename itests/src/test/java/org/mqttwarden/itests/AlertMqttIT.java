package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The booted gateway publishes an alert over MQTT 5 with the feature's wrapped Paho client, inside Karaf: a
 * real Mosquitto (Debian package, started here on loopback, password file) receives it from the service
 * account and hands it to a dashboard subscriber with QoS 1 and the user properties type and severity.
 * Publishing is switched on live through Configuration Admin, as an integrator would.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AlertMqttIT extends WardenTestSupport {

    private static final String JSON = "application/json";
    private static final Pattern GENERATED = Pattern.compile("Generated password \\(shown once\\): (\\S+)");
    private static final String PUBLISHER_PASSWORD = "alert publisher password of the itest";
    private static final String DASHBOARD_PASSWORD = "dashboard password of the itest";

    private record Received(String topic, int qos, Map<String, String> properties, String payload) {
    }

    @Test
    public void aLockIsPublishedToTheBrokerWithTypeAndSeverity() throws Exception {
        ProbeMosquitto broker = ProbeMosquitto.start(Map.of("warden-alerts", PUBLISHER_PASSWORD, "dashboard",
                DASHBOARD_PASSWORD));
        int port = broker.port();
        MqttClient dashboard = null;
        try {
            Path credentials = broker.dir().resolve("warden-alerts.credentials");
            Files.createFile(credentials,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(credentials, "username=warden-alerts\npassword=" + PUBLISHER_PASSWORD + "\n");
            List<Received> received = new CopyOnWriteArrayList<>();
            dashboard = new MqttClient("tcp://127.0.0.1:" + port, "itest-dashboard", new MemoryPersistence());
            dashboard.setCallback(new Collector(received));
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName("dashboard");
            o.setPassword(DASHBOARD_PASSWORD.getBytes(StandardCharsets.UTF_8));
            dashboard.connect(o);
            dashboard.subscribe("warden/alerts/#", 1);

            shellAs("config:edit org.mqttwarden.alerts; config:property-set alert.mqtt.url tcp://127.0.0.1:" + port
                    + "; config:property-set alert.mqtt.credentials.file " + credentials
                    + "; config:property-set alert.mqtt.enabled true; config:update", "admin", "manager", "viewer");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> get("/health").status() == 200);
            Matcher m = GENERATED.matcher(shell("warden:user-add --role sensor --generate itest-mqtt-alert"));
            assertTrue(m.find());
            // guesses from the device's own client id, which it logged in from: counted at once (guesses from
            // sources the account never logged in from share the login budget and are refused beyond it)
            assertEquals(200, post("/user", JSON, userBody("itest-mqtt-alert", m.group(1))).status());
            for (int i = 0; i < 5; i++) {
                assertEquals(403, post("/user", JSON, userBody("itest-mqtt-alert", "wrong guess " + i)).status());
            }

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> received.stream().anyMatch(r -> r.payload().contains("itest-mqtt-alert")));
            Received alert = received.stream().filter(r -> r.payload().contains("itest-mqtt-alert")).findFirst()
                    .orElseThrow();
            assertEquals("warden/alerts/brute-force", alert.topic());
            assertEquals(1, alert.qos());
            assertEquals("alert.brute-force", alert.properties().get("type"));
            assertEquals("warning", alert.properties().get("severity"));
            assertTrue(alert.payload(), alert.payload().contains("\"type\":\"alert.brute-force\""));
            assertTrue(alert.payload(), !alert.payload().contains("wrong guess"));
            String metrics = get("/metrics").body();
            assertTrue(metrics, metrics.lines().anyMatch(l -> l.startsWith("warden_alerts_mqtt_published_total ")
                    && !l.endsWith(" 0")));
            // provisioned inside Karaf: the account the broker would ask Warden about, with the publisher's role
            String account = shell("warden:user-show warden-alerts");
            assertTrue(account, account.contains("warden-alerts"));
        } finally {
            shellAs("config:property-set -p org.mqttwarden.alerts alert.mqtt.enabled false", "admin", "manager",
                    "viewer");
            if (dashboard != null && dashboard.isConnected()) {
                dashboard.disconnect();
            }
            broker.close();
        }
    }

    private static final class Collector implements MqttCallback {
        private final List<Received> into;

        Collector(List<Received> into) {
            this.into = into;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            MqttProperties props = message.getProperties();
            Map<String, String> user = props == null || props.getUserProperties() == null ? Map.of()
                    : props.getUserProperties().stream().collect(Collectors.toMap(UserProperty::getKey,
                            UserProperty::getValue, (a, b) -> a));
            into.add(new Received(topic, message.getQos(), user,
                    new String(message.getPayload(), StandardCharsets.UTF_8)));
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
