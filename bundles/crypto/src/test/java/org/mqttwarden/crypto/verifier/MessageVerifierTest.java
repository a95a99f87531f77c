package org.mqttwarden.crypto.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.Reasons;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.crypto.client.ReceivedMessage;
import org.mqttwarden.crypto.envelope.EnvelopeCodec;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.envelope.EnvelopeVersion;
import org.mqttwarden.crypto.session.Session;
import org.mqttwarden.crypto.client.SecureMqttClient;
import org.mqttwarden.crypto.client.SecureMqttOptions;
import org.mqttwarden.crypto.keys.CryptoConfig;
import org.mqttwarden.crypto.keys.GatewayKeyStore;
import org.mqttwarden.crypto.keys.KeyExport;
import org.mqttwarden.crypto.keys.ProvisionedKey;
import org.mqttwarden.store.EtcKeyFiles;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.store.files.ServiceAccount;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.Mosquitto;
import org.mqttwarden.testsupport.TestClock;

/**
 * The gateway verifier through a real Mosquitto (password file, loopback), the real key store on SQLite and
 * warden-auth's real account service and event publisher: a device seals under a key exported from the gateway,
 * an attacker with a broker account alters, replays, moves and forges messages; every one of those is a MESSAGE
 * event with the right reason, the good message is counted and never an event.
 */
class MessageVerifierTest {

    private static final String VERIFIER_PASSWORD = "the verifier's long test password";
    private static final String DEVICE_PASSWORD = "the boiler's long test password";
    private static final String ATTACKER_PASSWORD = "an attacker's broker account";
    private static final char[] PASSPHRASE = "a passphrase for one device".toCharArray();

    @TempDir
    static Path shared;
    private static Mosquitto broker;

    @TempDir
    Path dir;
    private SqliteDatabase db;
    private AuthStack auth;
    private GatewayKeyStore keys;
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private MessageVerifier verifier;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = Mosquitto.in(shared.resolve("broker")).user("warden-verifier", VERIFIER_PASSWORD)
                .user("boiler-1", DEVICE_PASSWORD).user("attacker", ATTACKER_PASSWORD).start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        auth = AuthStack.on(new JdbiAccountStore(db));
        auth.sink(e -> {
            events.add(e);
            return CompletableFuture.completedFuture(null);
        });
        keys = new GatewayKeyStore(db, new EtcKeyFiles(dir), Configs.of(CryptoConfig.class, Map.of()),
                Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (verifier != null) {
            verifier.close();
        }
        db.close();
    }

    private MessageVerifier verifier(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(Map.of("verify.url", broker.url(),
                "verify.credentials.file", dir.resolve("warden-verifier.credentials").toString()));
        c.putAll(config);
        verifier = new MessageVerifier(MessageVerifier.Settings.of(Configs.of(CryptoConfig.class, c)), keys,
                auth.events(), auth.accounts(), Clock.systemUTC());
        return verifier;
    }

    private List<SecurityEvent> messageEvents() {
        return events.stream().filter(e -> e.type() == EventType.MESSAGE).toList();
    }

    private SecureMqttClient device(String keyId) throws Exception {
        ProvisionedKey k = KeyExport.unwrap(keys.export(keyId, PASSPHRASE.clone()), PASSPHRASE.clone());
        SecureMqttClient c = SecureMqttClient.connect(SecureMqttOptions.builder().url(broker.url())
                .clientId("boiler-1").credentials("boiler-1", DEVICE_PASSWORD.toCharArray())
                .key(k.keyId(), k.envelopeKey()).senderId("boiler-1").stateDir(dir.resolve("device-state"))
                .build());
        open.add(c);
        return c;
    }

    /** A plain MQTT client of the attacker's, which sees and republishes raw payloads. */
    private MqttClient attacker(List<byte[]> seen) throws Exception {
        MqttClient c = new MqttClient(broker.url(), "attacker", new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName("attacker");
        o.setPassword(ATTACKER_PASSWORD.getBytes(StandardCharsets.UTF_8));
        c.connect(o);
        // (Paho 1.2.5's subscribe(String, int, listener) calls itself forever: the array form)
        c.subscribe(new MqttSubscription[] {new MqttSubscription("plant/secure/#", 1)},
                new IMqttMessageListener[] {(topic, m) -> seen.add(m.getPayload())});
        open.add(() -> {
            c.disconnect();
            c.close();
        });
        return c;
    }

    private static void publish(MqttClient c, String topic, byte[] payload) throws Exception {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        c.publish(topic, m);
    }

    @Test
    void everyRejectedMessageIsAnEventWithItsStateAndTheGoodOneOnlyACount() throws Exception {
        String keyId = keys.create("plant/secure");
        ServiceAccount.write(dir.resolve("warden-verifier.credentials"), "warden-verifier", VERIFIER_PASSWORD,
                "test");
        MessageVerifier v = verifier(Map.of("verify.prefixes", new String[] {"plant/secure"}));
        await().atMost(Duration.ofSeconds(20)).until(v::connected);
        List<byte[]> seen = new CopyOnWriteArrayList<>();
        MqttClient attacker = attacker(seen);

        device(keyId).publish("plant/secure/boiler", "72.5".getBytes(StandardCharsets.UTF_8), 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> v.counters().get("messages_ok") == 1 && seen.size() == 1);
        assertThat(messageEvents()).as("a good message is no event").isEmpty();

        byte[] original = seen.get(0);
        byte[] flipped = original.clone();
        flipped[flipped.length - 1] ^= 1;
        publish(attacker, "plant/secure/boiler", flipped);
        publish(attacker, "plant/secure/boiler", original);
        publish(attacker, "plant/secure/valve", original);
        publish(attacker, "plant/secure/boiler", "open the valve".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> messageEvents().size() == 4);

        assertThat(messageEvents()).extracting(SecurityEvent::reason).containsExactly(Reasons.MESSAGE_TAMPERED,
                Reasons.MESSAGE_REPLAYED, Reasons.MESSAGE_TAMPERED, Reasons.MESSAGE_MALFORMED);
        assertThat(messageEvents()).extracting(SecurityEvent::topic).containsExactly("plant/secure/boiler",
                "plant/secure/boiler", "plant/secure/valve", "plant/secure/boiler");
        assertThat(messageEvents()).allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.DENY);
            assertThat(e.detail()).containsKey("state").doesNotContainValue("72.5");
        });
        assertThat(v.counters()).containsEntry("messages_ok", 1L).containsEntry("messages_tampered", 2L)
                .containsEntry("messages_replayed", 1L).containsEntry("messages_malformed", 1L);
        assertThat(messageEvents().get(1).detail()).as("a replayed message is authentic: its sender is named")
                .containsEntry("sender", "boiler-1");

        // an envelope under a session key of the handshake is between a device and its responder: counted only
        byte[] sessionKey = new byte[32];
        new java.security.SecureRandom().nextBytes(sessionKey);
        publish(attacker, "plant/secure/boiler", new EnvelopeCodec(EnvelopeVersion.V2).seal(
                EnvelopeKey.of(sessionKey), Session.KEY_ID_PREFIX + "00112233445566778899aabbccddeeff", "boiler-1",
                1, System.currentTimeMillis(), "plant/secure/boiler", "72.6".getBytes(StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(10)).until(() -> v.counters().get("messages_session") == 1);
        assertThat(messageEvents()).hasSize(4);
        assertThat(v.counters()).containsEntry("messages_unknown_key", 0L);
        assertThat(v.gauges()).containsEntry("verifier_connected", 1L);
    }

    @Test
    void aFloodOfRejectedMessagesIsRecordedUpToTheBoundAndCountedBeyond() {
        TestClock clock = new TestClock();
        verifier = new MessageVerifier(MessageVerifier.Settings.of(Configs.of(CryptoConfig.class, Map.of())), keys,
                auth.events(), auth.accounts(), clock);
        ReceivedMessage garbage = new ReceivedMessage("plant/secure/x", MessageState.MALFORMED, null, null);

        for (int i = 0; i < MessageVerifier.MAX_EVENTS_PER_SECOND + 50; i++) {
            verifier.judged(garbage);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> messageEvents().size()
                == MessageVerifier.MAX_EVENTS_PER_SECOND);
        assertThat(verifier.counters()).containsEntry("events_dropped", 50L)
                .containsEntry("messages_malformed", (long) MessageVerifier.MAX_EVENTS_PER_SECOND + 50);
        clock.advance(Duration.ofSeconds(1));
        verifier.judged(garbage);
        await("the next second records again").atMost(Duration.ofSeconds(10))
                .until(() -> messageEvents().size() == MessageVerifier.MAX_EVENTS_PER_SECOND + 1);
    }

    @Test
    void aMessageUnderAKeyTheGatewayDoesNotHaveIsUnknownKey() throws Exception {
        String keyId = keys.create("plant/secure");
        ServiceAccount.write(dir.resolve("warden-verifier.credentials"), "warden-verifier", VERIFIER_PASSWORD,
                "test");
        SecureMqttClient device = device(keyId);
        keys.rotate("plant/secure");
        // a gateway that never had the device's key: another database, the same broker
        SqliteDatabase other = new SqliteDatabase(dir.resolve("other.db"), 5000, 2);
        open.add(other::close);
        GatewayKeyStore otherKeys = new GatewayKeyStore(other, new EtcKeyFiles(dir.resolve("other-etc")),
                Configs.of(CryptoConfig.class, Map.of()), Clock.systemUTC());
        verifier = new MessageVerifier(MessageVerifier.Settings.of(Configs.of(CryptoConfig.class, Map.of(
                "verify.prefixes", new String[] {"plant/secure/"}, "verify.url", broker.url(),
                "verify.credentials.file", dir.resolve("warden-verifier.credentials").toString()))), otherKeys,
                auth.events(), auth.accounts(), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(20)).until(verifier::connected);

        device.publish("plant/secure/boiler", "72.5".getBytes(StandardCharsets.UTF_8), 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> messageEvents().size() == 1);
        assertThat(messageEvents().get(0).reason()).isEqualTo(Reasons.MESSAGE_UNKNOWN_KEY);
    }

    @Test
    void itProvisionsItsOwnReadOnlyAccountFromTheCredentialsFile() throws Exception {
        ServiceAccount.write(dir.resolve("warden-verifier.credentials"), "warden-verifier", VERIFIER_PASSWORD,
                "test");
        MessageVerifier v = verifier(Map.of("verify.prefixes", new String[] {"plant/secure", "site/b"}));
        await().atMost(Duration.ofSeconds(20)).until(v::connected);

        assertThat(auth.accounts().findAccount("warden-verifier").orElseThrow().roles())
                .containsExactly(MessageVerifier.ROLE);
        assertThat(auth.accounts().listRules()).filteredOn(r -> r.subjectType() == SubjectType.ROLE
                && r.subject().equals(MessageVerifier.ROLE)).extracting(AclRule::topicFilter, AclRule::permission)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("plant/secure/#", Permission.READ),
                        org.assertj.core.groups.Tuple.tuple("site/b/#", Permission.READ));
    }

    @Test
    void aDeviceAccountNamedAsTheVerifiersIsNeverTakenOver() throws Exception {
        auth.accounts().createAccount("boiler-1", DEVICE_PASSWORD, java.util.Set.of("sensor"), null, "admin");
        MessageVerifier v = verifier(Map.of("verify.prefixes", new String[] {"plant/secure"},
                "verify.username", "boiler-1"));

        await().atMost(Duration.ofSeconds(10)).until(() -> v.counters().get("verifier_connect_failed") >= 1);
        assertThat(v.connected()).isFalse();
        assertThat(auth.accounts().findAccount("boiler-1").orElseThrow().roles()).containsExactly("sensor");
        assertThat(dir.resolve("warden-verifier.credentials")).doesNotExist();
    }

    @Test
    void withoutPrefixesItConnectsNowhereAndCreatesNothing() throws Exception {
        MessageVerifier v = verifier(Map.of());

        assertThat(v.connected()).isFalse();
        assertThat(v.counters()).containsEntry("verifier_connect_failed", 0L);
        assertThat(auth.accounts().findAccount("warden-verifier")).isEmpty();
        assertThat(auth.accounts().listRoles()).noneMatch(r -> r.name().equals(MessageVerifier.ROLE));
    }

    @Test
    void aPrefixThatIsNotOneIsRefusedByName() {
        for (String bad : new String[] {"plant/#", "plant/+/x", "", "/", "$SYS"}) {
            Map<String, Object> c = Map.of("verify.prefixes", new String[] {"site/a", bad});
            if (bad.isEmpty()) {
                assertThat(TopicPrefixes.parse(new String[] {bad})).as("a blank entry is skipped").isEmpty();
                continue;
            }
            assertThatThrownBy(() -> MessageVerifier.Settings.of(Configs.of(CryptoConfig.class, c)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("verify.prefixes")
                    .hasMessageContaining("'" + bad + "'");
        }
        assertThat(TopicPrefixes.parse(new String[] {" plant/a/ ", "plant/a"})).containsExactly("plant/a");
        assertThat(TopicPrefixes.parse(new String[] {"plant/a, site/b ,"})).as("as a .cfg line gives them")
                .containsExactly("plant/a", "site/b");
    }
}
