package org.mqttwarden.crypto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mqttwarden.crypto.client.SecureMqttClientTest.indexOf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.crypto.session.Handshake;
import org.mqttwarden.crypto.session.Identity;
import org.mqttwarden.crypto.session.Peers;
import org.mqttwarden.crypto.session.Session;
import org.mqttwarden.testsupport.Mosquitto;
import org.mqttwarden.testsupport.TestClock;

/**
 * The session handshake over MQTT 5 request/response through a real Mosquitto: a device (initiator) and a service
 * (responder) agree session keys, rekey mid-stream by count and by time without losing a message, erase old keys,
 * and refuse unpinned peers, men in the middle, replayed hellos and floods.
 */
class SessionHandshakeTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Identity DEVICE = Identity.generate("device-1", RANDOM);
    private static final Identity GATEWAY = Identity.generate("gateway", RANDOM);
    private static final Peers PINNED = pin(DEVICE, GATEWAY);
    private static final String REQUEST = "warden/handshake/request/gateway";

    @TempDir
    static Path shared;
    private static Mosquitto broker;

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<ReceivedMessage> received = new CopyOnWriteArrayList<>();
    private final List<Session> deviceSessions = new CopyOnWriteArrayList<>();
    private final List<Session> serviceSessions = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = Mosquitto.in(shared.resolve("broker")).anonymous().start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void aDeviceAndAServiceAgreeASessionAndAnEavesdropperOnHashSeesNoKeyMaterial() throws Exception {
        PlainClient spy = plain("spy").subscribe("#");
        SecureMqttClient service = service(Clock.systemUTC(), HandshakeLimits.DEFAULTS);
        SecureMqttClient device = device("dev-1", DEVICE, 10_000, Duration.ofHours(1), Clock.systemUTC());
        List<byte[]> secrets = List.of(bytes("pressure 4.2 bar"), bytes("valve code 5521"), bytes("door open"));

        for (byte[] s : secrets) {
            device.publish("plant/boiler/1", s, 1);
        }

        await().atMost(WAIT).until(() -> received.size() == 3 && spy.seen.size() == 5);
        assertThat(received).allSatisfy(m -> {
            assertThat(m.state()).isEqualTo(MessageState.OK);
            assertThat(m.senderId()).isEqualTo("device-1");
        });
        assertThat(received).extracting(ReceivedMessage::plaintext).containsExactlyElementsOf(secrets);
        assertThat(device.handshakesMade()).isEqualTo(1);
        assertThat(service.handshakesAnswered()).isEqualTo(1);

        Session mine = deviceSessions.get(0);
        Session theirs = serviceSessions.get(0);
        assertThat(theirs.receiveKey()).isEqualTo(mine.sendKey());
        List<byte[]> keys = List.of(mine.sendKey(), mine.receiveKey(), DEVICE.privateKey(), GATEWAY.privateKey());

        PlainClient.Seen hello = spy.seen.get(0);
        assertThat(hello.topic()).isEqualTo(REQUEST);
        assertThat(hello.properties().getResponseTopic()).isEqualTo("warden/handshake/reply/dev-1");
        assertThat(hello.properties().getCorrelationData()).hasSize(16);
        PlainClient.Seen reply = spy.seen.get(1);
        assertThat(reply.topic()).isEqualTo("warden/handshake/reply/dev-1");
        assertThat(reply.properties().getCorrelationData()).isEqualTo(hello.properties().getCorrelationData());
        for (PlainClient.Seen envelope : spy.seen.subList(2, 5)) {
            assertThat(envelope.topic()).isEqualTo("plant/boiler/1");
            assertThat(envelope.properties().getUserProperties())
                    .contains(new UserProperty(SecureMqttClient.KEY_ID_PROPERTY, mine.keyId()));
            // the key id in the envelope header (ENVELOPE.md section 10): "session:" and the session id in hex
            assertThat(indexOf(envelope.payload(), mine.keyId().getBytes(StandardCharsets.US_ASCII))).isEqualTo(7);
        }
        for (PlainClient.Seen s : spy.seen) {
            for (byte[] k : keys) {
                assertThat(indexOf(s.payload(), k)).as("key material on " + s.topic()).isEqualTo(-1);
            }
            for (byte[] secret : secrets) {
                assertThat(indexOf(s.payload(), secret)).isEqualTo(-1);
            }
        }
    }

    @Test
    void aSessionRekeysEveryTenMessagesOverAHundredAndNotOneIsLostOrRefused() throws Exception {
        SecureMqttClient service = service(Clock.systemUTC(), new HandshakeLimits(100, 100, 100, 100, 64));
        SecureMqttClient device = device("dev-2", DEVICE, 10, Duration.ofHours(1), Clock.systemUTC());

        for (int i = 0; i < 100; i++) {
            device.publish("plant/meter/" + (i % 3), bytes("m" + i), 1);
        }

        await().atMost(WAIT).until(() -> received.size() >= 100);
        assertThat(received).hasSize(100).allMatch(ReceivedMessage::isOk);
        assertThat(received).extracting(m -> new String(m.plaintext(), StandardCharsets.UTF_8))
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 100).mapToObj(i -> "m" + i).toList());
        assertThat(service.rejectedMessages()).isZero();
        assertThat(device.handshakesMade()).isEqualTo(10);
        assertThat(service.handshakesAnswered()).isEqualTo(10);
        // the device destroys a session the moment the next one is in use
        assertThat(deviceSessions).hasSize(10);
        assertThat(deviceSessions.subList(0, 9)).allMatch(Session::destroyed);
        assertThat(deviceSessions.get(9).destroyed()).isFalse();
        // the service keeps the current and the previous (for messages in flight) and has destroyed the others
        assertThat(serviceSessions).hasSize(10);
        assertThat(serviceSessions.subList(0, 8)).allMatch(Session::destroyed);
        assertThat(service.sessions().liveKeyIds())
                .containsExactlyInAnyOrder(serviceSessions.get(8).keyId(), serviceSessions.get(9).keyId());
    }

    @Test
    void aSessionRekeysByTimeAndThePreviousOneIsErasedAfterTheGrace() throws Exception {
        TestClock clock = new TestClock(Instant.now());
        SecureMqttClient service = service(clock, HandshakeLimits.DEFAULTS);
        clock.advance(Duration.ofSeconds(1)); // the service's replay guard takes nothing stamped at its start
        SecureMqttClient device = device("dev-3", DEVICE, 1000, Duration.ofMinutes(1), clock);

        device.publish("plant/a", bytes("one"), 1);
        device.publish("plant/a", bytes("two"), 1);
        await().atMost(WAIT).until(() -> received.size() == 2);
        clock.advance(Duration.ofSeconds(61));
        device.publish("plant/a", bytes("three"), 1);
        await().atMost(WAIT).until(() -> received.size() == 3);

        assertThat(device.handshakesMade()).isEqualTo(2);
        assertThat(deviceSessions.get(0).destroyed()).isTrue();
        assertThat(serviceSessions.get(0).destroyed()).as("kept for messages in flight").isFalse();

        clock.advance(Duration.ofSeconds(31));
        device.publish("plant/a", bytes("four"), 1);
        await().atMost(WAIT).until(() -> received.size() == 4);
        assertThat(received).allMatch(ReceivedMessage::isOk);
        assertThat(device.handshakesMade()).isEqualTo(2);
        assertThat(serviceSessions.get(0).destroyed()).as("erased after the grace").isTrue();
        assertThat(serviceSessions.get(1).destroyed()).isFalse();
    }

    @Test
    void aSessionThatIsDueIsErasedEvenWhenTheRekeyFails() throws Exception {
        SecureMqttClient service = service(Clock.systemUTC(), HandshakeLimits.DEFAULTS);
        SecureMqttClient device = SecureMqttClient.connect(deviceOptions("dev-7", DEVICE, 2, Duration.ofHours(1),
                Clock.systemUTC()).handshakeTimeout(Duration.ofSeconds(1)).build());
        open.add(device);
        device.sessionObserver = deviceSessions::add;
        device.publish("plant/a", bytes("one"), 1);
        device.publish("plant/a", bytes("two"), 1);
        await().atMost(WAIT).until(() -> received.size() == 2);
        service.close();

        assertThatThrownBy(() -> device.publish("plant/a", bytes("three"), 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("did not answer");
        assertThat(deviceSessions).hasSize(1);
        assertThat(deviceSessions.get(0).destroyed()).isTrue();
    }

    @Test
    void aHelloFromAnUnpinnedIdentityGetsNoAnswer() throws Exception {
        SecureMqttClient service = service(Clock.systemUTC(), HandshakeLimits.DEFAULTS);
        Identity stranger = Identity.generate("device-9", RANDOM);
        SecureMqttClient device = SecureMqttClient.connect(deviceOptions("dev-9", stranger, 10, Duration.ofHours(1),
                Clock.systemUTC()).identity(stranger, pin(stranger, GATEWAY)).handshakeTimeout(Duration.ofSeconds(2))
                .build());
        open.add(device);

        assertThatThrownBy(() -> device.publish("plant/a", bytes("x"), 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("did not answer the session handshake");
        await().atMost(WAIT).until(() -> service.handshakesRefused() == 1);
        assertThat(service.handshakesAnswered()).isZero();
        assertThat(received).isEmpty();
    }

    @Test
    void aReplyFromAManInTheMiddleIsRefused() throws Exception {
        // no real gateway: mallory answers on its request topic, once as "gateway" with her own key, once as herself
        Identity fakeGateway = Identity.generate("gateway", RANDOM);
        Identity mallory = Identity.generate("mallory", RANDOM);
        List<Identity> masks = new CopyOnWriteArrayList<>(List.of(fakeGateway, mallory));
        RawClient mitm = raw("mallory");
        mitm.onMessage = m -> {
            try {
                Identity mask = masks.remove(0);
                byte[] reply = Handshake.respond(mask, m.getPayload(), pin(DEVICE, mask), RANDOM, Clock.systemUTC())
                        .reply();
                mitm.publishAsync(m.getProperties().getResponseTopic(), reply, null,
                        m.getProperties().getCorrelationData());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        mitm.subscribe(REQUEST);
        SecureMqttClient device = device("dev-4", DEVICE, 10, Duration.ofHours(1), Clock.systemUTC());

        assertThatThrownBy(() -> device.publish("plant/a", bytes("x"), 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("The signature of gateway does not verify");
        assertThatThrownBy(() -> device.publish("plant/a", bytes("x"), 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("The reply is from mallory, not from gateway");
        assertThat(device.handshakesMade()).isZero();
        assertThat(deviceSessions).isEmpty();
    }

    @Test
    void aReplayedHelloGetsNoAnswerAndDisplacesNoSession() throws Exception {
        PlainClient spy = plain("spy").subscribe(REQUEST);
        SecureMqttClient service = service(Clock.systemUTC(), HandshakeLimits.DEFAULTS);
        SecureMqttClient device = device("dev-5", DEVICE, 10_000, Duration.ofHours(1), Clock.systemUTC());
        device.publish("plant/a", bytes("one"), 1);
        await().atMost(WAIT).until(() -> received.size() == 1 && spy.seen.size() == 1);
        RawClient replayer = raw("replayer");
        List<MqttMessage> answers = new CopyOnWriteArrayList<>();
        replayer.onMessage = answers::add;
        replayer.subscribe("warden/handshake/reply/#");

        byte[] hello = spy.seen.get(0).payload();
        replayer.publish(REQUEST, hello, "warden/handshake/reply/replayer", new byte[] {1, 2, 3});
        replayer.publish(REQUEST, hello, "warden/handshake/reply/dev-5", spy.seen.get(0).properties()
                .getCorrelationData());
        try {
            await().atMost(WAIT).until(() -> service.handshakesRefused() == 2);
        } catch (Throwable t) {
            throw new AssertionError("DIAG refused " + service.handshakesRefused() + " answered "
                    + service.handshakesAnswered() + " answers " + answers.size(), t);
        }

        device.publish("plant/a", bytes("two"), 1);
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received).allMatch(ReceivedMessage::isOk);
        assertThat(service.handshakesAnswered()).isEqualTo(1);
        assertThat(serviceSessions).hasSize(1);
        // the one reply there ever was is the device's own
        assertThat(answers).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void aFloodOfGarbageOnTheRequestTopicNeitherKillsTheResponderNorStopsARealHandshake() throws Exception {
        SecureMqttClient service = service(Clock.systemUTC(), HandshakeLimits.DEFAULTS);
        RawClient attacker = raw("flooder");
        Identity stranger = Identity.generate("device-9", RANDOM);
        Identity impostor = Identity.generate("device-1", RANDOM);
        byte[] real = Handshake.initiate(DEVICE, RANDOM, Clock.systemUTC()).hello();
        String replyTo = "warden/handshake/reply/flooder";
        int sent = 0;
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[RANDOM.nextInt(600)];
            RANDOM.nextBytes(junk);
            attacker.publish(REQUEST, junk, i % 2 == 0 ? replyTo : null, new byte[] {(byte) i});
            attacker.publish(REQUEST, Arrays.copyOf(real, RANDOM.nextInt(real.length)), replyTo, new byte[] {1});
            attacker.publish(REQUEST, Handshake.initiate(stranger, RANDOM, Clock.systemUTC()).hello(), replyTo,
                    new byte[] {2});
            sent += 3;
        }
        attacker.publish(REQUEST, new byte[1 << 20], replyTo, new byte[] {3});
        attacker.publish(REQUEST, real, "warden/other/topic", new byte[] {4});
        attacker.publish(REQUEST, real, "warden/handshake/reply/a/b", new byte[] {5});
        attacker.publish(REQUEST, real, replyTo, new byte[65]);
        sent += 4;
        // a few forgeries in the device's name cost a signature check each (and tokens of the device's bucket)
        for (int i = 0; i < 5; i++) {
            attacker.publish(REQUEST, Handshake.initiate(impostor, RANDOM, Clock.systemUTC()).hello(), replyTo,
                    new byte[] {6});
            sent++;
        }
        int expected = sent;
        await().atMost(WAIT).until(() -> service.handshakesRefused() == expected);

        SecureMqttClient device = device("dev-6", DEVICE, 10_000, Duration.ofHours(1), Clock.systemUTC());
        device.publish("plant/a", bytes("still here"), 1);
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received.get(0).isOk()).isTrue();
        assertThat(service.isConnected()).isTrue();
        assertThat(service.handshakesAnswered()).isEqualTo(1);
    }

    // ---- helpers

    private SecureMqttClient service(Clock clock, HandshakeLimits limits) throws Exception {
        SecureMqttClient c = SecureMqttClient.connect(SecureMqttOptions.builder().url(broker.url())
                .clientId("service").identity(GATEWAY, PINNED).respondToHandshakes().clock(clock)
                .rekeyAfter(10_000, Duration.ofHours(1)).sessionGrace(Duration.ofSeconds(30)).handshakeLimits(limits)
                .build());
        open.add(c);
        c.sessionObserver = serviceSessions::add;
        c.subscribe("plant/#", 1, received::add);
        return c;
    }

    private SecureMqttClient device(String clientId, Identity me, long messages, Duration age, Clock clock)
            throws Exception {
        SecureMqttClient c = SecureMqttClient.connect(deviceOptions(clientId, me, messages, age, clock).build());
        open.add(c);
        c.sessionObserver = deviceSessions::add;
        return c;
    }

    private SecureMqttOptions.Builder deviceOptions(String clientId, Identity me, long messages, Duration age,
            Clock clock) {
        return SecureMqttOptions.builder().url(broker.url()).clientId(clientId).identity(me, PINNED)
                .sessionWith("gateway").rekeyAfter(messages, age).clock(clock).stateDir(dir.resolve(clientId))
                .handshakeTimeout(Duration.ofSeconds(10));
    }

    private PlainClient plain(String clientId) throws Exception {
        PlainClient c = new PlainClient(broker.url(), clientId);
        open.add(c);
        return c;
    }

    private RawClient raw(String clientId) throws Exception {
        RawClient c = new RawClient(broker.url(), clientId);
        open.add(c);
        return c;
    }

    private static Peers pin(Identity... ids) {
        Map<String, byte[]> keys = new java.util.HashMap<>();
        for (Identity i : ids) {
            keys.put(i.id(), i.publicKey());
        }
        return id -> Optional.ofNullable(keys.get(id));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A plain Paho client that publishes with MQTT 5 request/response properties and hands over what it gets. */
    static final class RawClient implements AutoCloseable {
        final MqttAsyncClient client;
        volatile Consumer<MqttMessage> onMessage = m -> { };

        RawClient(String url, String clientId) throws MqttException {
            client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
            client.setCallback(new MqttCallback() {
                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    onMessage.accept(message);
                }

                @Override
                public void disconnected(MqttDisconnectResponse r) {
                }

                @Override
                public void mqttErrorOccurred(MqttException e) {
                }

                @Override
                public void deliveryComplete(IMqttToken t) {
                }

                @Override
                public void connectComplete(boolean reconnect, String uri) {
                }

                @Override
                public void authPacketArrived(int code, MqttProperties p) {
                }
            });
            client.connect().waitForCompletion(10_000);
        }

        void subscribe(String filter) throws MqttException {
            client.subscribe(filter, 1).waitForCompletion(10_000);
        }

        /**
         * Publishes and waits until the broker has it; again when Paho still counts the previous one as in flight
         * (it completes the token a moment before it frees the slot).
         */
        void publish(String topic, byte[] payload, String responseTopic, byte[] correlation) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> {
                try {
                    publishAsync(topic, payload, responseTopic, correlation).waitForCompletion(10_000);
                    return true;
                } catch (MqttException e) {
                    if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                        return false;
                    }
                    throw e;
                }
            });
        }

        IMqttToken publishAsync(String topic, byte[] payload, String responseTopic, byte[] correlation)
                throws MqttException {
            MqttMessage m = new MqttMessage(payload);
            m.setQos(1);
            MqttProperties p = new MqttProperties();
            if (responseTopic != null) {
                p.setResponseTopic(responseTopic);
            }
            if (correlation != null) {
                p.setCorrelationData(correlation);
            }
            m.setProperties(p);
            // asynchronously: the callback thread publishes too (mallory's answer), and must not wait on itself
            return client.publish(topic, m);
        }

        @Override
        public void close() throws MqttException {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(10_000);
            }
            client.close(true);
        }
    }
}
