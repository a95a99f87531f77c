package org.mqttwarden.crypto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.envelope.EnvelopeVersion;
import org.mqttwarden.testsupport.Mosquitto;

/**
 * SecureMqttClient through a real Mosquitto (the Debian binary, started here on loopback): what a secure subscriber
 * accepts, what an eavesdropper on {@code #} sees, and what each attack a compromised broker or client can mount
 * (tamper, replay, move to another topic, forge with another key, garbage) turns into.
 */
class SecureMqttClientTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY_ID = "psk-test";
    private static final EnvelopeKey KEY = EnvelopeKey.of(random(32));
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path shared;
    private static Mosquitto broker;

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<ReceivedMessage> received = new CopyOnWriteArrayList<>();

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
    void aSecureSubscriberGetsThePlaintextAndAnEavesdropperOnHashOnlyCiphertext() throws Exception {
        PlainClient spy = plain("spy").subscribe("#");
        SecureMqttClient sub = subscriber("sub", "plant/#");
        SecureMqttClient pub = publisher("pub", "boiler-1", dir.resolve("state"), Clock.systemUTC(), KEY_ID, KEY);
        byte[] secret = "boiler 1: 73.4 degrees, valve code 5521".getBytes(StandardCharsets.UTF_8);

        pub.publish("plant/boiler/1", secret, 1);

        await().atMost(WAIT).until(() -> received.size() == 1 && spy.seen.size() == 1);
        ReceivedMessage m = received.get(0);
        assertThat(m.state()).isEqualTo(MessageState.OK);
        assertThat(m.topic()).isEqualTo("plant/boiler/1");
        assertThat(m.senderId()).isEqualTo("boiler-1");
        assertThat(m.plaintext()).isEqualTo(secret);
        byte[] wire = spy.seen.get(0).payload();
        assertThat(new String(wire, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("MQWE");
        assertThat(indexOf(wire, secret)).isEqualTo(-1);
        assertThat(indexOf(wire, "73.4".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(sub.rejectedMessages()).isZero();
    }

    @Test
    void tamperedReplayedMovedForgedAndGarbagePayloadsNeverReachTheHandlerAsData() throws Exception {
        PlainClient attacker = plain("attacker").subscribe("plant/#");
        SecureMqttClient sub = subscriber("sub", "plant/#");
        SecureMqttClient pub = publisher("pub", "door-1", dir.resolve("state"), Clock.systemUTC(), KEY_ID, KEY);
        pub.publish("plant/door/1", "open".getBytes(StandardCharsets.UTF_8), 1);
        await().atMost(WAIT).until(() -> received.size() == 1 && attacker.seen.size() == 1);
        byte[] envelope = attacker.seen.get(0).payload();

        byte[] flipped = envelope.clone();
        flipped[flipped.length - 20] ^= 0x01;
        attacker.publishRaw("plant/door/1", flipped);
        awaitStates(MessageState.OK, MessageState.TAMPERED);

        attacker.publishRaw("plant/door/1", envelope);
        awaitStates(MessageState.OK, MessageState.TAMPERED, MessageState.REPLAYED);

        attacker.publishRaw("plant/door/2", envelope);
        awaitStates(MessageState.OK, MessageState.TAMPERED, MessageState.REPLAYED, MessageState.TAMPERED);

        SecureMqttClient forger = publisher("forger", "door-1", dir.resolve("forger"), Clock.systemUTC(),
                KEY_ID, EnvelopeKey.of(random(32)));
        forger.publish("plant/door/1", "closed".getBytes(StandardCharsets.UTF_8), 1);
        awaitStates(MessageState.OK, MessageState.TAMPERED, MessageState.REPLAYED, MessageState.TAMPERED,
                MessageState.TAMPERED);

        SecureMqttClient stranger = publisher("stranger", "door-9", dir.resolve("stranger"), Clock.systemUTC(),
                "psk-other", EnvelopeKey.of(random(32)));
        stranger.publish("plant/door/1", "closed".getBytes(StandardCharsets.UTF_8), 1);
        attacker.publishRaw("plant/door/1", "open".getBytes(StandardCharsets.UTF_8));
        awaitStates(MessageState.OK, MessageState.TAMPERED, MessageState.REPLAYED, MessageState.TAMPERED,
                MessageState.TAMPERED, MessageState.UNKNOWN_KEY, MessageState.MALFORMED);

        for (ReceivedMessage m : received.subList(1, received.size())) {
            assertThat(m.plaintext()).as(m.toString()).isNull();
            // only the replay passed its tag check: its sender is authentic, the others' claims are not
            assertThat(m.senderId()).as(m.toString())
                    .isEqualTo(m.state() == MessageState.REPLAYED ? "door-1" : null);
        }
        assertThat(sub.rejectedMessages()).isEqualTo(6);
        assertThat(sub.duplicatesDropped()).isZero();
    }

    @Test
    void aV1EnvelopeIsOpenedToo() throws Exception {
        subscriber("sub", "plant/#");
        SecureMqttClient pub = SecureMqttClient.connect(SecureMqttOptions.builder().url(broker.url())
                .clientId("pub-v1").key(KEY_ID, KEY).senderId("legacy-1").stateDir(dir.resolve("state"))
                .version(EnvelopeVersion.V1).build());
        open.add(pub);
        pub.publish("plant/legacy", "cbc".getBytes(StandardCharsets.UTF_8), 0);
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received.get(0).state()).isEqualTo(MessageState.OK);
        assertThat(received.get(0).plaintext()).asString(StandardCharsets.UTF_8).isEqualTo("cbc");
    }

    @Test
    void aRestartedPublisherWithItsStateIsNotTakenForAReplayerButOneThatLostItIs() throws Exception {
        // one fixed instant for all three publishers: only the state file tells their sequence numbers apart
        Clock frozen = Clock.fixed(Instant.now().plusSeconds(1), ZoneOffset.UTC);
        subscriber("sub", "plant/#");
        Path state = dir.resolve("state");
        byte[] one = "one".getBytes(StandardCharsets.UTF_8);

        try (SecureMqttClient first = publisher("pub-a", "pump-1", state, frozen, KEY_ID, KEY)) {
            first.publish("plant/pump", one, 1);
        }
        await().atMost(WAIT).until(() -> received.size() == 1);
        try (SecureMqttClient restarted = publisher("pub-b", "pump-1", state, frozen, KEY_ID, KEY)) {
            restarted.publish("plant/pump", "two".getBytes(StandardCharsets.UTF_8), 1);
        }
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received.get(1).state()).isEqualTo(MessageState.OK);
        assertThat(received.get(1).plaintext()).asString(StandardCharsets.UTF_8).isEqualTo("two");

        try (SecureMqttClient amnesiac = publisher("pub-c", "pump-1", dir.resolve("lost"), frozen, KEY_ID, KEY)) {
            amnesiac.publish("plant/pump", "three".getBytes(StandardCharsets.UTF_8), 1);
        }
        awaitStates(MessageState.OK, MessageState.OK, MessageState.REPLAYED);
    }

    @Test
    void aReconnectKeepsTheReplayGuardTheCounterAndTheSubscriptions() throws Exception {
        PlainClient attacker = plain("attacker").subscribe("plant/#");
        SecureMqttClient sub = subscriber("sub-reconnect", "plant/#");
        SecureMqttClient pub = publisher("pub-reconnect", "fan-1", dir.resolve("state"), Clock.systemUTC(),
                KEY_ID, KEY);
        var guard = sub.guard();
        var counter = pub.counter();
        var codec = pub.codec();
        pub.publish("plant/fan", "before".getBytes(StandardCharsets.UTF_8), 1);
        await().atMost(WAIT).until(() -> received.size() == 1 && attacker.seen.size() == 1);

        // a client connecting with the same client id takes the session over: the broker drops the old connection
        plain("sub-reconnect").close();
        plain("pub-reconnect").close();
        await().atMost(WAIT).until(() -> sub.reconnects() == 1 && sub.isConnected()
                && pub.reconnects() == 1 && pub.isConnected());

        assertThat(sub.guard()).isSameAs(guard);
        assertThat(pub.counter()).isSameAs(counter);
        assertThat(pub.codec()).isSameAs(codec);
        attacker.publishRaw("plant/fan", attacker.seen.get(0).payload());
        pub.publish("plant/fan", "after".getBytes(StandardCharsets.UTF_8), 1);
        awaitStates(MessageState.OK, MessageState.REPLAYED, MessageState.OK);
        assertThat(received.get(2).plaintext()).asString(StandardCharsets.UTF_8).isEqualTo("after");
    }

    @Test
    void mosquittoRedeliversUnderTheSamePacketIdWhileARepublishedCopyGetsANewOne() throws Exception {
        // the fact a packet-id rule for redeliveries would rest on (see SecureMqttClient's class comment)
        PlainClient first = PlainClient.resumingSession(broker.url(), "probe");
        first.subscribe("plant/#");
        PlainClient pub = plain("probe-pub");
        for (int i = 0; i < 3; i++) {
            pub.publishRaw("plant/probe", new byte[] {(byte) i});
        }
        await().atMost(WAIT).until(() -> first.seen.size() == 3);
        first.dropWithoutAck();
        first.close();

        PlainClient again = PlainClient.resumingSession(broker.url(), "probe");
        open.add(again);
        await().atMost(WAIT).until(() -> again.seen.size() == 3);
        pub.publishRaw("plant/probe", first.seen.get(0).payload());
        await().atMost(WAIT).until(() -> again.seen.size() == 4);

        assertThat(again.seen.subList(0, 3)).extracting(PlainClient.Seen::packetId)
                .containsExactlyElementsOf(first.seen.stream().map(PlainClient.Seen::packetId).toList())
                .doesNotContain(0);
        assertThat(first.seen).extracting(PlainClient.Seen::packetId).doesNotContain(again.seen.get(3).packetId());
    }

    @Test
    void aRealQos1RedeliveryOfAnAcceptedMessageIsDroppedQuietlyAsADuplicateButACopyIsReplayed() throws Exception {
        LossyProxy link = new LossyProxy(broker.port());
        open.add(link);
        PlainClient attacker = plain("attacker").subscribe("plant/#");
        SecureMqttClient sub = SecureMqttClient.connect(SecureMqttOptions.builder().url(link.url())
                .clientId("sub-lossy").key(KEY_ID, KEY).senderId("sub-lossy").build());
        open.add(sub);
        sub.subscribe("plant/#", 1, received::add);
        SecureMqttClient pub = publisher("pub-lossy", "valve-4", dir.resolve("state"), Clock.systemUTC(), KEY_ID, KEY);

        // the subscriber accepts the message, but its acknowledgement never reaches the broker; then the link
        // breaks, the subscriber reconnects into its session, and the broker redelivers under the same packet id
        link.swallowUpstream();
        pub.publish("plant/valve", "close".getBytes(StandardCharsets.UTF_8), 1);
        await().atMost(WAIT).until(() -> received.size() == 1 && attacker.seen.size() == 1);
        link.cutAll();
        await().atMost(WAIT).until(() -> sub.duplicatesDropped() == 1 && sub.reconnects() == 1);

        attacker.publishRaw("plant/valve", attacker.seen.get(0).payload());
        pub.publish("plant/valve", "open".getBytes(StandardCharsets.UTF_8), 1);
        awaitStates(MessageState.OK, MessageState.REPLAYED, MessageState.OK);
        assertThat(received.get(1).senderId()).isEqualTo("valve-4");
        assertThat(received.get(2).plaintext()).asString(StandardCharsets.UTF_8).isEqualTo("open");
        assertThat(sub.duplicatesDropped()).isEqualTo(1);
    }

    @Test
    void anAttackersCopyIsReplayedEvenWhenTheBrokerRedeliversIt() throws Exception {
        PlainClient attacker = plain("attacker").subscribe("plant/#");
        SecureMqttClient sub = subscriber("sub-dup", "plant/#");
        SecureMqttClient pub = publisher("pub-dup", "valve-1", dir.resolve("state"), Clock.systemUTC(), KEY_ID, KEY);
        pub.publish("plant/valve", "close".getBytes(StandardCharsets.UTF_8), 1);
        await().atMost(WAIT).until(() -> received.size() == 1 && attacker.seen.size() == 1);

        // the attacker republishes the accepted envelope while a client holding the subscriber's session takes it
        // and never acknowledges it, so the broker redelivers the copy (DUP, the copy's packet id) when the
        // subscriber reconnects: a packet id the original never had, so it is REPLAYED, with its sender, never data
        PlainClient thief = PlainClient.resumingSession(broker.url(), "sub-dup");
        open.add(thief);
        attacker.publishRaw("plant/valve", attacker.seen.get(0).payload());
        await().atMost(WAIT).until(() -> thief.seen.size() == 1);
        thief.dropWithoutAck();
        await().atMost(WAIT).until(() -> received.size() == 2 && sub.isConnected());

        pub.publish("plant/valve", "open".getBytes(StandardCharsets.UTF_8), 1);
        awaitStates(MessageState.OK, MessageState.REPLAYED, MessageState.OK);
        assertThat(received.get(1).plaintext()).isNull();
        assertThat(received.get(1).senderId()).isEqualTo("valve-1");
        assertThat(received.get(2).plaintext()).asString(StandardCharsets.UTF_8).isEqualTo("open");
        assertThat(sub.duplicatesDropped()).isZero();
    }

    @Test
    void aDupFlaggedCopyOfAnAcceptedMessageIsDroppedQuietlyAndCounted() throws Exception {
        PlainClient spy = plain("spy").subscribe("plant/#");
        SecureMqttClient sub = subscriber("sub", "plant/#");
        SecureMqttClient pub = publisher("pub", "valve-2", dir.resolve("state"), Clock.systemUTC(), KEY_ID, KEY);
        pub.publish("plant/valve", "close".getBytes(StandardCharsets.UTF_8), 1);
        await().atMost(WAIT).until(() -> received.size() == 1 && spy.seen.size() == 1);
        byte[] envelope = spy.seen.get(0).payload();

        // as Paho would hand over a redelivery if it passed the DUP flag on
        MqttMessage redelivery = new MqttMessage(envelope);
        redelivery.setDuplicate(true);
        sub.deliver("plant/valve", redelivery);
        sub.deliver("plant/valve", redelivery);
        assertThat(sub.duplicatesDropped()).isEqualTo(2);
        assertThat(received).hasSize(1);

        // the flag is the broker's word, not authenticated: it never makes a message OK, or a moved one anything
        // but TAMPERED
        sub.deliver("plant/other", redelivery);
        byte[] altered = envelope.clone();
        altered[altered.length - 1] ^= 1;
        MqttMessage flipped = new MqttMessage(altered);
        flipped.setDuplicate(true);
        sub.deliver("plant/valve", flipped);
        assertThat(received).extracting(ReceivedMessage::state)
                .containsExactly(MessageState.OK, MessageState.TAMPERED, MessageState.TAMPERED);
        assertThat(sub.duplicatesDropped()).isEqualTo(2);
    }

    @Test
    void twoClientsCannotNumberOneSenderFromOneStateFolderAtOnce() throws Exception {
        subscriber("sub", "plant/#");
        Path state = dir.resolve("state");
        SecureMqttClient first = publisher("pub-1", "meter-1", state, Clock.systemUTC(), KEY_ID, KEY);
        assertThatThrownBy(() -> publisher("pub-2", "meter-1", state, Clock.systemUTC(), KEY_ID, KEY))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("Another client is publishing as sender"
                        + " meter-1");
        publisher("pub-3", "meter-2", state, Clock.systemUTC(), KEY_ID, KEY).publish("plant/m", new byte[1], 1);
        first.publish("plant/m", new byte[1], 1);
        first.close();
        publisher("pub-4", "meter-1", state, Clock.systemUTC(), KEY_ID, KEY).publish("plant/m", new byte[1], 1);
        awaitStates(MessageState.OK, MessageState.OK, MessageState.OK);
    }

    @Test
    void aClientWithoutStateFolderSubscribesButRefusesToPublish() throws Exception {
        SecureMqttClient sub = subscriber("sub", "plant/#");
        assertThatThrownBy(() -> sub.publish("plant/x", new byte[1], 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no state folder");
    }

    @Test
    void anUnreachableBrokerIsABrokerConnectExceptionNamingIt() throws Exception {
        String url = "tcp://127.0.0.1:" + freePort();
        SecureMqttOptions o = SecureMqttOptions.builder().url(url).clientId("c").key(KEY_ID, KEY)
                .senderId("s").credentials("user", "hunter2-secret".toCharArray()).connectTimeoutSeconds(2).build();
        assertThatThrownBy(() -> SecureMqttClient.connect(o)).isInstanceOf(BrokerConnectException.class)
                .hasMessageContaining(url).hasMessageNotContaining("hunter2");
        assertThat(o.toString()).doesNotContain("hunter2");
    }

    private void awaitStates(MessageState... states) {
        await().atMost(WAIT).until(() -> received.size() >= states.length);
        assertThat(received).extracting(ReceivedMessage::state).containsExactly(states);
    }

    private SecureMqttClient subscriber(String clientId, String filter) throws Exception {
        SecureMqttClient c = SecureMqttClient.connect(SecureMqttOptions.builder().url(broker.url())
                .clientId(clientId).key(KEY_ID, KEY).senderId(clientId).build());
        open.add(c);
        c.subscribe(filter, 1, received::add);
        return c;
    }

    private SecureMqttClient publisher(String clientId, String sender, Path state, Clock clock, String keyId,
            EnvelopeKey key) throws Exception {
        SecureMqttClient c = SecureMqttClient.connect(SecureMqttOptions.builder().url(broker.url())
                .clientId(clientId).key(keyId, key).senderId(sender).stateDir(state).clock(clock).build());
        open.add(c);
        return c;
    }

    private PlainClient plain(String clientId) throws Exception {
        PlainClient c = new PlainClient(broker.url(), clientId);
        open.add(c);
        return c;
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
