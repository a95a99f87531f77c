package org.mqttwarden.crypto.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.crypto.envelope.EnvelopeCodec;
import org.mqttwarden.crypto.envelope.KeyLookup;
import org.mqttwarden.crypto.envelope.Opened;
import org.mqttwarden.store.EtcKeyFiles;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestClock;

/**
 * The gateway key store on a real warden.db (SQLite, warden-store) with its sealing key in a temporary etc/ (the
 * shipped EtcKeyFiles), time moved by a TestClock: what lies on disk, selection by prefix, rotation and its grace
 * period as EnvelopeCodec.open sees them, rows tampered with in the database.
 */
class GatewayKeyStoreTest {

    private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private final TestClock clock = new TestClock();
    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final List<GatewayKeyStore> stores = new ArrayList<>();

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private GatewayKeyStore store() {
        return store(Map.of());
    }

    private GatewayKeyStore store(Map<String, ?> config) {
        GatewayKeyStore s = new GatewayKeyStore(db, new EtcKeyFiles(dir), Configs.of(CryptoConfig.class, config),
                clock);
        stores.add(s);
        return s;
    }

    private byte[] seal(GatewayKeyStore keys, String topic, String message) {
        EncryptionKey k = keys.encryptionKey(topic).orElseThrow();
        return codec.seal(k.key(), k.keyId(), "gateway", 1, clock.millis(), topic,
                message.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageState open(KeyLookup keys, String topic, byte[] envelope) {
        return new EnvelopeCodec().open(keys, topic, envelope).state();
    }

    /** @return the plaintext keys, read from the rows with the sealing key file, as an attacker with both would */
    private List<byte[]> plaintextKeys() {
        KeyBox box = new KeyBox(new EtcKeyFiles(dir).key(GatewayKeyStore.SEALING_KEY, 32), new SecureRandom());
        return Jdbi.create(db.dataSource()).withHandle(h -> h.createQuery(
                "SELECT key_id, prefix, sealed FROM warden_crypto_key").map((rs, ctx) -> box.open(rs.getString(1),
                        rs.getString(2), rs.getString(3)).orElseThrow()).list());
    }

    private byte[] databaseBytes() throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("warden.db")).toList()) {
                all.write(Files.readAllBytes(f));
            }
        }
        return all.toByteArray();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void theDatabaseFilesHoldNoKeyInAnyEncodingOnlySealedOnes() throws IOException {
        GatewayKeyStore keys = store();
        keys.create("plant/a");
        keys.create("plant/b");
        keys.rotate("plant/a");
        List<byte[]> secrets = plaintextKeys();
        assertThat(secrets).hasSize(3).allSatisfy(s -> assertThat(s).hasSize(32));
        List<String> sealed = Jdbi.create(db.dataSource()).withHandle(h -> h.createQuery(
                "SELECT sealed FROM warden_crypto_key").mapTo(String.class).list());

        byte[] disk = databaseBytes();
        // the search finds what is there: the sealed forms and the key ids
        assertThat(sealed).allSatisfy(s -> assertThat(contains(disk, s.getBytes(StandardCharsets.US_ASCII)))
                .isTrue());
        for (byte[] secret : secrets) {
            HexFormat hex = HexFormat.of();
            assertThat(contains(disk, secret)).as("raw key").isFalse();
            assertThat(contains(disk, hex.formatHex(secret).getBytes(StandardCharsets.US_ASCII))).isFalse();
            assertThat(contains(disk, hex.withUpperCase().formatHex(secret).getBytes(StandardCharsets.US_ASCII)))
                    .isFalse();
            assertThat(contains(disk, Base64.getEncoder().encodeToString(secret).substring(0, 40)
                    .getBytes(StandardCharsets.US_ASCII))).isFalse();
        }
        // the key that seals them is outside the database, readable by its owner only
        Path keyFile = dir.resolve("warden-crypto-keys.key");
        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aSealedKeyMovedToAnotherKeyIdOrPrefixDoesNotOpen() {
        GatewayKeyStore keys = store();
        String a = keys.create("plant/a");
        String b = keys.create("plant/b");
        byte[] toA = seal(keys, "plant/a/temp", "21.5");
        byte[] toB = seal(keys, "plant/b/temp", "22.0");
        Jdbi jdbi = Jdbi.create(db.dataSource());
        // the row of a under another id; b's sealed key copied to a decrypt-only row of another id; b's prefix changed
        jdbi.useHandle(h -> {
            h.execute("UPDATE warden_crypto_key SET key_id = 'feedfacefeedface' WHERE key_id = ?", a);
            h.execute("INSERT INTO warden_crypto_key (key_id, prefix, sealed, created_at, superseded_at) SELECT"
                    + " '0123456789abcdef', prefix, sealed, created_at, created_at FROM warden_crypto_key"
                    + " WHERE key_id = ?", b);
            h.execute("UPDATE warden_crypto_key SET prefix = 'plant' WHERE key_id = ?", b);
        });

        GatewayKeyStore restarted = store();
        assertThat(restarted.find("feedfacefeedface")).isEmpty();
        assertThat(restarted.find("0123456789abcdef")).isEmpty();
        assertThat(restarted.find(a)).isEmpty();
        assertThat(restarted.find(b)).isEmpty();
        assertThat(open(restarted, "plant/a/temp", toA)).isEqualTo(MessageState.UNKNOWN_KEY);
        assertThat(open(restarted, "plant/b/temp", toB)).isEqualTo(MessageState.UNKNOWN_KEY);
        assertThat(restarted.encryptionKey("plant/a/temp")).isEmpty();
        assertThat(restarted.encryptionKey("plant/x")).isEmpty();
        assertThatThrownBy(() -> restarted.export("feedfacefeedface", PASSPHRASE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not open");
        // the untouched store still had them: it was the database that changed
        assertThat(open(keys, "plant/a/temp", toA)).isEqualTo(MessageState.OK);
    }

    @Test
    void theLongestPrefixCoveringWholeTopicLevelsSelectsTheKey() {
        GatewayKeyStore keys = store();
        String plant = keys.create("plant");
        String line1 = keys.create("plant/line1");
        String line1Temp = keys.create("plant/line1/temp");
        assertThat(keys.encryptionKey("plant/line1/temp").orElseThrow().keyId()).isEqualTo(line1Temp);
        assertThat(keys.encryptionKey("plant/line1/temp/x").orElseThrow().keyId()).isEqualTo(line1Temp);
        assertThat(keys.encryptionKey("plant/line1/tempo").orElseThrow().keyId()).isEqualTo(line1);
        assertThat(keys.encryptionKey("plant/line1").orElseThrow().keyId()).isEqualTo(line1);
        assertThat(keys.encryptionKey("plant/line10/x").orElseThrow().keyId()).isEqualTo(plant);
        assertThat(keys.encryptionKey("plant").orElseThrow().keyId()).isEqualTo(plant);
        assertThat(keys.encryptionKey("plantation/x")).isEmpty();
        assertThat(keys.encryptionKey("office/door")).isEmpty();

        String everything = keys.create("");
        assertThat(keys.encryptionKey("office/door").orElseThrow().keyId()).isEqualTo(everything);
        assertThat(keys.encryptionKey("plant/line2").orElseThrow().keyId()).isEqualTo(plant);
        String slash = keys.create("office/");
        assertThat(keys.encryptionKey("office/door").orElseThrow().keyId()).isEqualTo(slash);
        // ids: 8 random bytes in hex, unique
        assertThat(List.of(plant, line1, line1Temp, everything, slash)).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id).matches("[0-9a-f]{16}"));
        // a restarted gateway selects the same
        assertThat(store().encryptionKey("plant/line1/temp").orElseThrow().keyId()).isEqualTo(line1Temp);
    }

    @Test
    void rotationEncryptsWithTheNewKeyAndTheOldOpensUntilItsGracePeriodEnds() {
        GatewayKeyStore keys = store();
        String old = keys.create("plant");
        byte[] before = seal(keys, "plant/temp", "before");
        clock.advance(Duration.ofHours(1));
        Instant rotated = clock.instant();
        String fresh = keys.rotate("plant");
        assertThat(fresh).isNotEqualTo(old);
        assertThat(keys.encryptionKey("plant/temp").orElseThrow().keyId()).isEqualTo(fresh);
        byte[] after = seal(keys, "plant/temp", "after");

        assertThat(open(keys, "plant/temp", before)).isEqualTo(MessageState.OK);
        assertThat(open(keys, "plant/temp", after)).isEqualTo(MessageState.OK);
        assertThat(keys.list()).extracting(KeyInfo::keyId, KeyInfo::state, KeyInfo::retires).containsExactly(
                org.assertj.core.groups.Tuple.tuple(old, KeyState.DECRYPT_ONLY,
                        Optional.of(rotated.plus(Duration.ofDays(7)))),
                org.assertj.core.groups.Tuple.tuple(fresh, KeyState.ENCRYPTING, Optional.empty()));

        clock.set(rotated.plus(Duration.ofDays(7)).minusMillis(1));
        assertThat(open(keys, "plant/temp", before)).isEqualTo(MessageState.OK);
        assertThat(open(store(), "plant/temp", before)).as("after a restart").isEqualTo(MessageState.OK);
        clock.set(rotated.plus(Duration.ofDays(7)));
        assertThat(open(keys, "plant/temp", before)).isEqualTo(MessageState.UNKNOWN_KEY);
        assertThat(open(store(), "plant/temp", before)).isEqualTo(MessageState.UNKNOWN_KEY);
        assertThat(open(keys, "plant/temp", after)).isEqualTo(MessageState.OK);
        assertThat(keys.list().get(0).state()).isEqualTo(KeyState.RETIRED);
        assertThatThrownBy(() -> keys.export(old, PASSPHRASE)).hasMessageContaining("retired");

        // a second rotation: the first successor becomes decrypt-only, the retired key stays retired
        String third = keys.rotate("plant");
        assertThat(keys.list()).extracting(KeyInfo::keyId, KeyInfo::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple(old, KeyState.RETIRED),
                org.assertj.core.groups.Tuple.tuple(fresh, KeyState.DECRYPT_ONLY),
                org.assertj.core.groups.Tuple.tuple(third, KeyState.ENCRYPTING));
    }

    @Test
    void aRetiredKeysMaterialIsErasedAtTheNextReadingAndNoLongerGraceBringsItBack() {
        GatewayKeyStore keys = store();
        String old = keys.create("plant");
        byte[] before = seal(keys, "plant/temp", "before");
        String fresh = keys.rotate("plant");
        Jdbi jdbi = Jdbi.create(db.dataSource());
        keys.reload();
        String sealedInGrace = jdbi.withHandle(h -> h.createQuery("SELECT sealed FROM warden_crypto_key"
                + " WHERE key_id = :id").bind("id", old).mapTo(String.class).one());
        assertThat(sealedInGrace).as("within its grace period").startsWith("v1:");

        clock.advance(Duration.ofDays(7));
        keys.reload();
        List<String> rows = jdbi.withHandle(h -> h.createQuery("SELECT key_id, sealed FROM warden_crypto_key")
                .map((rs, ctx) -> rs.getString(1) + "=" + rs.getString(2)).list());
        assertThat(rows).contains(old + "=erased").anySatisfy(r -> assertThat(r).startsWith(fresh + "=v1:"));
        keys.modified(Configs.of(CryptoConfig.class, Map.of("key.grace.days", 30)));
        keys.reload();
        assertThat(keys.find(old)).isEmpty();
        assertThat(open(store(Map.of("key.grace.days", 30)), "plant/temp", before))
                .isEqualTo(MessageState.UNKNOWN_KEY);
        // both made at the same instant: listed in key id order
        assertThat(keys.list()).extracting(KeyInfo::keyId, KeyInfo::state).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(old, KeyState.RETIRED),
                org.assertj.core.groups.Tuple.tuple(fresh, KeyState.ENCRYPTING));
        assertThatThrownBy(() -> keys.export(old, PASSPHRASE)).hasMessageContaining("retired");
    }

    @Test
    void theGracePeriodIsConfigurableAndAppliedLive() {
        GatewayKeyStore keys = store(Map.of("key.grace.days", 1));
        keys.create("plant");
        byte[] before = seal(keys, "plant/temp", "before");
        keys.rotate("plant");
        clock.advance(Duration.ofDays(1));
        assertThat(open(keys, "plant/temp", before)).isEqualTo(MessageState.UNKNOWN_KEY);
        keys.modified(Configs.of(CryptoConfig.class, Map.of("key.grace.days", 2)));
        assertThat(open(keys, "plant/temp", before)).as("an operator extends the grace").isEqualTo(MessageState.OK);
        keys.modified(Configs.of(CryptoConfig.class, Map.of("key.grace.days", 0)));
        assertThat(open(keys, "plant/temp", before)).isEqualTo(MessageState.UNKNOWN_KEY);
        assertThatThrownBy(() -> keys.modified(Configs.of(CryptoConfig.class, Map.of("key.grace.days", -1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store(Map.of("key.grace.days", 3651))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void createAndRotateRefuseWhatTheyCannotDo() {
        GatewayKeyStore keys = store();
        keys.create("plant");
        assertThatThrownBy(() -> keys.create("plant")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has a key already");
        assertThatThrownBy(() -> keys.rotate("office")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no key to rotate");
        for (String bad : new String[] {"plant/+", "plant/#", "a\u0000b", "a\nb", "x".repeat(1025), "\ud800"}) {
            assertThatThrownBy(() -> keys.create(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> keys.create(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(keys.list()).hasSize(1);
        assertThat(keys.find(null)).isEmpty();
        assertThat(keys.find("no such id")).isEmpty();
        assertThat(keys.encryptionKey(null)).isEmpty();
    }

    @Test
    void anExportOpensOnADeviceWithItsPassphraseOnlyAndItsKeyOpensTheGatewaysMessages() {
        GatewayKeyStore keys = store();
        String id = keys.create("plant/a");
        byte[] envelope = seal(keys, "plant/a/temp", "21.5");
        byte[] export = keys.export(id, PASSPHRASE);

        ProvisionedKey device = KeyExport.unwrap(export, PASSPHRASE.clone());
        assertThat(device.keyId()).isEqualTo(id);
        assertThat(device.prefix()).isEqualTo("plant/a");
        assertThat(device.toString()).doesNotContain(HexFormat.of().formatHex(device.secret()));
        Opened opened = codec.open(k -> k.equals(device.keyId()) ? Optional.of(device.envelopeKey())
                : Optional.empty(), "plant/a/temp", envelope);
        assertThat(opened.state()).isEqualTo(MessageState.OK);
        assertThat(new String(opened.plaintext(), StandardCharsets.UTF_8)).isEqualTo("21.5");

        assertThatThrownBy(() -> KeyExport.unwrap(export, "correct horse battery stapler".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wrong passphrase");
        assertThatThrownBy(() -> keys.export("0000000000000000", PASSPHRASE))
                .hasMessageContaining("no key 0000000000000000");
        assertThatThrownBy(() -> keys.export(id, "short".toCharArray())).hasMessageContaining("at least 12");
    }
}
