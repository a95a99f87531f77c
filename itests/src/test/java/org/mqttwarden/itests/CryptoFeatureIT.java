package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.mqttwarden.crypto.client.SecureMqttClient;
import org.mqttwarden.crypto.client.SecureMqttOptions;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.envelope.KeyLookup;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * warden-crypto (issue 14) in the booted gateway: the bundle resolves with the Bouncy Castle of Karaf's
 * ssh feature and the wrapped Paho, its key store keeps keys under an owner-only key file, warden:key-create and
 * key-list work from the shell and never print key material, and the feature goes and comes back live while the
 * go-auth decisions keep being answered; the message verifier, switched on through Configuration Admin, audits
 * tampered messages on a real Mosquitto and a burst of them raises an alert.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CryptoFeatureIT extends WardenTestSupport {

    private static final String JSON = "application/json";
    private static final Pattern GENERATED = Pattern.compile("Generated password \\(shown once\\): (\\S+)");
    private static final String VERIFIER_PASSWORD = "the verifier's password of the itest";
    private static final String DEVICE_PASSWORD = "boiler-7's password of the itest";
    private static final String INTRUDER_PASSWORD = "an intruder's broker account";
    private static final Pattern CREATED = Pattern.compile("Created key ([0-9a-f]{16}) for the topic prefix");

    @Inject
    protected FeaturesService features;

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(bundleContext.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }

    @Test
    public void keysAreMadeAndListedFromTheShellUnderAnOwnerOnlyKeyFile() throws Exception {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> bundle("warden-crypto") != null && bundle("warden-crypto").getState() == Bundle.ACTIVE
                        && shell("warden:key-list").length() > 0);
        Matcher created = CREATED.matcher(shell("warden:key-create --prefix plant/line1"));
        assertTrue("key-create names the new key", created.find());
        String id = created.group(1);
        String list = shell("warden:key-list --no-format");
        assertTrue(list, list.contains(id) && list.contains("plant/line1"));
        String audit = shell("warden:audit-search --type ADMIN_CHANGE");
        assertTrue("key-create is in the audit log: " + audit, audit.contains("key.create"));

        Path keyFile = Path.of(System.getProperty("karaf.etc"), "warden-crypto-keys.key");
        assertTrue("the key that seals the keys is outside the database: " + keyFile, Files.isRegularFile(keyFile));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    }

    @Test
    public void theFeatureGoesAndComesBackLiveWhileDecisionsAreAnswered() throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/health").status() == 200);
        Matcher m = GENERATED.matcher(shell("warden:user-add --role sensor --generate itest-crypto-hot"));
        assertTrue(m.find());
        String password = m.group(1);
        assertEquals(200, post("/user", JSON, userBody("itest-crypto-hot", password)).status());
        // keep the rest of "warden" as features of their own, so that warden-crypto alone can go
        features.installFeatures(Set.of("warden-http", "warden-audit", "warden-lockout", "warden-alerts",
                "warden-otp", "warden-crypto"), EnumSet.noneOf(FeaturesService.Option.class));
        features.uninstallFeature("warden");

        List<String> wrong = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            while (running.get()) {
                try {
                    int status = post("/user", JSON, userBody("itest-crypto-hot", password)).status();
                    if (status != 200) {
                        wrong.add("/user " + status);
                    }
                } catch (Exception e) {
                    wrong.add(e.toString());
                }
            }
        }, "itest-crypto-load");
        load.start();
        try {
            features.uninstallFeature("warden-crypto");
            await().atMost(Duration.ofSeconds(30)).until(() -> bundle("warden-crypto") == null);
            assertFalse("its commands go with it", shell("help warden").contains("key-list"));
            features.installFeature("warden-crypto");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> shell("warden:key-list --no-format").length() >= 0
                            && bundle("warden-crypto").getState() == Bundle.ACTIVE);
        } finally {
            running.set(false);
            load.join(10_000);
        }
        assertTrue("every login was answered 200 while warden-crypto went and came back: " + wrong, wrong.isEmpty());
    }

    @Test
    public void theVerifierAuditsATamperedMessageAndABurstRaisesAnAlert() throws Exception {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> bundle("warden-crypto").getState() == Bundle.ACTIVE && get("/health").status() == 200
                        && shell("warden:key-list").length() > 0);
        Matcher created = CREATED.matcher(shell("warden:key-create --prefix plant/verified"));
        assertTrue("key-create names the new key", created.find());
        String keyId = created.group(1);
        // the device's copy of the key: what warden:key-export hands a device, here straight from the key store
        ServiceReference<KeyLookup> ref = bundleContext.getServiceReference(KeyLookup.class);
        EnvelopeKey deviceKey = bundleContext.getService(ref).find(keyId).orElseThrow();

        try (ProbeMosquitto broker = ProbeMosquitto.start(Map.of("warden-verifier", VERIFIER_PASSWORD,
                "boiler-7", DEVICE_PASSWORD, "intruder", INTRUDER_PASSWORD))) {
            Path credentials = broker.dir().resolve("warden-verifier.credentials");
            Files.createFile(credentials,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(credentials, "username=warden-verifier\npassword=" + VERIFIER_PASSWORD + "\n");
            shellAs("config:edit org.mqttwarden.crypto; config:property-set verify.prefixes plant/verified;"
                    + " config:property-set verify.url " + broker.url() + "; config:property-set"
                    + " verify.credentials.file " + credentials + "; config:update", "admin", "manager", "viewer");
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> get("/metrics").body().lines()
                                .anyMatch(l -> l.equals("warden_crypto_verifier_connected 1")));
                List<byte[]> seen = new CopyOnWriteArrayList<>();
                MqttClient intruder = new MqttClient(broker.url(), "intruder", new MemoryPersistence());
                MqttConnectionOptions o = new MqttConnectionOptions();
                o.setUserName("intruder");
                o.setPassword(INTRUDER_PASSWORD.getBytes(StandardCharsets.UTF_8));
                intruder.connect(o);
                intruder.subscribe(new MqttSubscription[] {new MqttSubscription("plant/verified/#", 1)},
                        new IMqttMessageListener[] {(t, m) -> seen.add(m.getPayload())});
                try (SecureMqttClient device = SecureMqttClient.connect(SecureMqttOptions.builder()
                        .url(broker.url()).clientId("boiler-7").credentials("boiler-7", DEVICE_PASSWORD.toCharArray())
                        .key(keyId, deviceKey).senderId("boiler-7").stateDir(broker.dir().resolve("state"))
                        .build())) {
                    device.publish("plant/verified/boiler", "81.0".getBytes(StandardCharsets.UTF_8), 1);
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 1);
                byte[] tampered = seen.get(0).clone();
                tampered[tampered.length - 3] ^= 0x40;
                for (int i = 0; i < 5; i++) {
                    MqttMessage m = new MqttMessage(tampered);
                    m.setQos(1);
                    intruder.publish("plant/verified/boiler", m);
                }
                intruder.disconnect();
                intruder.close();

                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                        shell("warden:audit-search --type MESSAGE --no-format").contains("message.tampered"));
                String audit = shell("warden:audit-search --type MESSAGE --no-format");
                assertTrue(audit, audit.contains("plant/verified/boiler"));
                assertFalse("no payload in the audit log: " + audit, audit.contains("81.0"));
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                        shell("warden:audit-search --type ALERT --no-format").contains("alert.message-burst"));
                String metrics = get("/metrics").body();
                assertTrue(metrics, metrics.lines().anyMatch(l -> l.equals("warden_crypto_messages_ok_total 1")));
                assertTrue(metrics, metrics.lines().anyMatch(l -> l.equals("warden_crypto_messages_tampered_total 5")));
                String account = shell("warden:user-show warden-verifier");
                assertTrue("provisioned inside Karaf: " + account, account.contains("warden-verifier"));
            } finally {
                shellAs("config:property-delete -p org.mqttwarden.crypto verify.prefixes", "admin", "manager",
                        "viewer");
            }
        }
    }
}
