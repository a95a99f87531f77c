package org.mqttwarden.crypto.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.crypto.client.PreSharedKey;
import org.mqttwarden.crypto.client.WardenMqtt;
import org.mqttwarden.crypto.envelope.EnvelopeCodec;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.envelope.EnvelopeVersion;

/**
 * {@code warden-mqtt import-key}: a key the gateway exported (warden:key-export) becomes a device's key file that
 * opens what the gateway's key seals; a wrong passphrase, a file that is no export and an existing key file are
 * refused with their exit codes and nothing written.
 */
class KeyImportCliTest {

    private static final String PASSPHRASE = "a passphrase for one device";
    private static final byte[] SECRET = HexFormat.of().parseHex(
            "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
    private static final String KEY_ID = "8899aabbccddeeff";
    private static byte[] export;

    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void wrapOnce() {
        export = KeyExport.wrap(KEY_ID, "plant/secure", SECRET, PASSPHRASE.toCharArray(), new SecureRandom());
    }

    private int run(String stdin, String... args) {
        return WardenMqtt.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void anExportBecomesAnOwnerOnlyKeyFileThatOpensWhatTheGatewaysKeySeals() throws Exception {
        Path in = Files.write(dir.resolve("boiler.export"), export);
        Path key = dir.resolve("device.key");

        assertThat(run(PASSPHRASE + "\n", "import-key", "--in", in.toString(), "--out", key.toString()))
                .as(err.toString()).isEqualTo(WardenMqtt.EXIT_OK);

        assertThat(err.toString()).contains(KEY_ID).contains("plant/secure").doesNotContain(PASSPHRASE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        PreSharedKey psk = PreSharedKey.read(key);
        assertThat(psk.keyId()).isEqualTo(KEY_ID);
        EnvelopeCodec codec = new EnvelopeCodec(EnvelopeVersion.V2);
        byte[] sealed = codec.seal(EnvelopeKey.of(SECRET), KEY_ID, "gateway", 1, 0, "plant/secure/x",
                "72.5".getBytes(StandardCharsets.UTF_8));
        assertThat(codec.open(id -> java.util.Optional.of(psk.key()), "plant/secure/x", sealed).plaintext())
                .isEqualTo("72.5".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aWrongPassphraseIsAKeyErrorAndWritesNothing() throws Exception {
        Path in = Files.write(dir.resolve("boiler.export"), export);
        Path key = dir.resolve("device.key");

        assertThat(run("not the passphrase\n", "import-key", "--in", in.toString(), "--out", key.toString()))
                .isEqualTo(WardenMqtt.EXIT_KEY);
        assertThat(key).doesNotExist();
        assertThat(err.toString()).contains(in.toString()).doesNotContain("not the passphrase");
    }

    @Test
    void aFileThatIsNoExportAndAMissingOneAreKeyErrors() throws Exception {
        Path psk = dir.resolve("a.key");
        PreSharedKey.generate(psk, "psk-1", new SecureRandom());
        assertThat(run(PASSPHRASE + "\n", "import-key", "--in", psk.toString(), "--out",
                dir.resolve("b.key").toString())).isEqualTo(WardenMqtt.EXIT_KEY);
        assertThat(run(PASSPHRASE + "\n", "import-key", "--in", dir.resolve("missing").toString(), "--out",
                dir.resolve("c.key").toString())).isEqualTo(WardenMqtt.EXIT_KEY);
        assertThat(dir.resolve("b.key")).doesNotExist();
        assertThat(dir.resolve("c.key")).doesNotExist();
    }

    @Test
    void anExistingKeyFileIsNeverOverwrittenAndAnEmptyPassphraseIsAUsageError() throws Exception {
        Path in = Files.write(dir.resolve("boiler.export"), export);
        Path key = dir.resolve("device.key");
        Files.writeString(key, "an older key\n");

        assertThat(run(PASSPHRASE + "\n", "import-key", "--in", in.toString(), "--out", key.toString()))
                .isEqualTo(WardenMqtt.EXIT_FAILED);
        assertThat(Files.readString(key)).isEqualTo("an older key\n");
        assertThat(run("", "import-key", "--in", in.toString(), "--out", dir.resolve("n.key").toString()))
                .isEqualTo(WardenMqtt.EXIT_USAGE);
        assertThat(run(PASSPHRASE, "import-key", "--out", dir.resolve("n.key").toString()))
                .isEqualTo(WardenMqtt.EXIT_USAGE);
    }
}
