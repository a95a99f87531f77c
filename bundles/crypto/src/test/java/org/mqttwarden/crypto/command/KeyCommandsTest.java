package org.mqttwarden.crypto.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.crypto.keys.GatewayKeyStore;
import org.mqttwarden.crypto.keys.KeyExport;
import org.mqttwarden.crypto.keys.CryptoConfig;
import org.mqttwarden.crypto.keys.ProvisionedKey;
import org.mqttwarden.store.EtcKeyFiles;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestClock;

/**
 * The warden:key-* commands' work on a real warden.db and key file: what they print (never key material), the
 * export file's mode and its refusal to overwrite, and passphrases read from standard input.
 */
class KeyCommandsTest {

    private static final String PASSPHRASE = "a passphrase for one device";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private final TestClock clock = new TestClock();
    private GatewayKeyStore keys;
    /** Everything the commands printed or refused with. */
    private final List<String> printed = new ArrayList<>();
    /** The plaintext keys made, as devices get them. */
    private final List<byte[]> secrets = new ArrayList<>();

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        keys = new GatewayKeyStore(db, new EtcKeyFiles(dir), Configs.of(CryptoConfig.class, Map.of()), clock);
    }

    @AfterEach
    void stop() {
        db.close();
    }

    private String run(Command c) throws CommandException {
        try {
            String out = c.run();
            printed.add(out);
            return out;
        } catch (CommandException e) {
            printed.add(e.getMessage());
            throw e;
        }
    }

    interface Command {
        String run() throws CommandException;
    }

    private String list() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        KeyCommands.table(keys.list()).print(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        String out = bytes.toString(StandardCharsets.UTF_8);
        printed.add(out);
        return out.replaceAll(" +\t", "\t"); // the table pads columns even unformatted
    }

    private ProvisionedKey exportAndRead(String id, Path file) throws Exception {
        run(() -> KeyCommands.export(keys, id, PASSPHRASE.toCharArray(), file));
        ProvisionedKey k = KeyExport.unwrap(Files.readAllBytes(file), PASSPHRASE.toCharArray());
        secrets.add(k.secret());
        return k;
    }

    @Test
    void createRotateListAndExportShowIdsPrefixesAndStatesButNeverKeyMaterial() throws Exception {
        String created = run(() -> KeyCommands.create(keys, "plant/a"));
        String a1 = keys.list().get(0).keyId();
        assertThat(created).startsWith("Created key " + a1 + " for the topic prefix 'plant/a'");
        run(() -> KeyCommands.create(keys, ""));
        String everything = keys.encryptionKey("office").orElseThrow().keyId();
        exportAndRead(a1, dir.resolve("a1.key"));
        clock.advance(Duration.ofHours(2));
        String rotated = run(() -> KeyCommands.rotate(keys, "plant/a"));
        String a2 = keys.encryptionKey("plant/a/x").orElseThrow().keyId();
        assertThat(rotated).startsWith("Key " + a2 + " now encrypts for the topic prefix 'plant/a'");
        exportAndRead(a2, dir.resolve("a2.key"));
        exportAndRead(everything, dir.resolve("all.key"));

        assertThat(list()).contains(
                a1 + "\t'plant/a'\t2026-11-02T08:00:00Z\tdecrypt-only until 2026-11-09T10:00:00Z",
                a2 + "\t'plant/a'\t2026-11-02T10:00:00Z\tencrypting",
                everything + "\t''\t2026-11-02T08:00:00Z\tencrypting");
        clock.advance(Duration.ofDays(7));
        assertThat(list()).contains(a1 + "\t'plant/a'\t2026-11-02T08:00:00Z\tretired since 2026-11-09T10:00:00Z");
        assertThatThrownBy(() -> run(() -> KeyCommands.export(keys, a1, PASSPHRASE.toCharArray(),
                dir.resolve("late.key")))).isInstanceOf(CommandException.class).hasMessageContaining("retired");
        assertThat(dir.resolve("late.key")).doesNotExist();

        assertThat(secrets).hasSize(3);
        assertThat(printed).hasSizeGreaterThan(6).allSatisfy(out -> {
            for (byte[] s : secrets) {
                assertThat(out).doesNotContainIgnoringCase(HexFormat.of().formatHex(s))
                        .doesNotContain(Base64.getEncoder().encodeToString(s).substring(0, 40))
                        .doesNotContain(new String(s, StandardCharsets.ISO_8859_1));
            }
            assertThat(out).doesNotContain(PASSPHRASE);
        });
    }

    @Test
    void theExportFileIsOwnerOnlyAndAnExistingFileOrLinkIsNeverOverwritten() throws Exception {
        keys.create("plant");
        String id = keys.list().get(0).keyId();
        Path file = dir.resolve("device.key");
        exportAndRead(id, file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        byte[] first = Files.readAllBytes(file);
        assertThatThrownBy(() -> run(() -> KeyCommands.export(keys, id, PASSPHRASE.toCharArray(), file)))
                .isInstanceOf(CommandException.class).hasMessageContaining("never overwrites");
        assertThat(Files.readAllBytes(file)).isEqualTo(first);

        // a link planted where the export goes (to a file the gateway user may write) is not followed
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Path link = Files.createSymbolicLink(dir.resolve("planted.key"), victim);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.key"), dir.resolve("created-elsewhere"));
        assertThatThrownBy(() -> run(() -> KeyCommands.export(keys, id, PASSPHRASE.toCharArray(), link)))
                .isInstanceOf(CommandException.class);
        assertThatThrownBy(() -> run(() -> KeyCommands.export(keys, id, PASSPHRASE.toCharArray(), dangling)))
                .isInstanceOf(CommandException.class);
        assertThat(Files.readString(victim)).isEqualTo("keep me");
        assertThat(dir.resolve("created-elsewhere")).doesNotExist();

        assertThatThrownBy(() -> run(() -> KeyCommands.export(keys, "0000000000000000", PASSPHRASE.toCharArray(),
                dir.resolve("none.key")))).isInstanceOf(CommandException.class).hasMessageContaining("no key");
        assertThat(dir.resolve("none.key")).doesNotExist();
    }

    @Test
    void userErrorsAreOneSentenceCommandExceptions() {
        assertThatThrownBy(() -> KeyCommands.rotate(keys, "plant")).isInstanceOf(CommandException.class)
                .hasMessageContaining("warden:key-create");
        assertThatThrownBy(() -> KeyCommands.create(keys, "plant/#")).isInstanceOf(CommandException.class)
                .hasMessageContaining("wildcard");
        assertThat(KeyCommands.none()).contains("warden:key-create");
        // what an operator typed comes back escaped: no terminal control sequence reaches the console
        assertThatThrownBy(() -> KeyCommands.rotate(keys, "plant\u001b[2J")).isInstanceOf(CommandException.class)
                .hasMessageNotContaining("\u001b");
        assertThatThrownBy(() -> KeyCommands.export(keys, "id\u001b[2J", "a long passphrase".toCharArray(),
                dir.resolve("x.key"))).isInstanceOf(CommandException.class).hasMessageNotContaining("\u001b");
    }

    @Test
    void anExportNamesItsKeyByIdOrByThePrefixItEncryptsForNow() throws Exception {
        String first = KeyCommands.create(keys, "plant/a").substring("Created key ".length(),
                "Created key ".length() + 16);
        assertThat(KeyCommands.idOrPrefix(keys, null, "plant/a")).isEqualTo(first);
        KeyCommands.rotate(keys, "plant/a");
        String now = KeyCommands.idOrPrefix(keys, null, "plant/a");
        assertThat(now).as("after a rotation, the new key").isNotEqualTo(first).matches("[0-9a-f]{16}");
        assertThat(KeyCommands.idOrPrefix(keys, first, null)).isEqualTo(first);
        assertThatThrownBy(() -> KeyCommands.idOrPrefix(keys, first, "plant/a")).isInstanceOf(CommandException.class)
                .hasMessageContaining("one of the two");
        assertThatThrownBy(() -> KeyCommands.idOrPrefix(keys, null, null)).isInstanceOf(CommandException.class);
        assertThatThrownBy(() -> KeyCommands.idOrPrefix(keys, null, "plant")).isInstanceOf(CommandException.class)
                .hasMessageContaining("No key encrypts for the topic prefix 'plant'");
    }

    @Test
    void passphrasesAreReadFromTheFirstLineOfStandardInputOrTypedTwiceTheSame() throws Exception {
        assertThat(KeyCommands.passphraseFrom(new ByteArrayInputStream((PASSPHRASE + "\nnext line\n")
                .getBytes(StandardCharsets.UTF_8)))).isEqualTo(PASSPHRASE.toCharArray());
        assertThat(KeyCommands.passphraseFrom(new ByteArrayInputStream("Ünïcode und so weiter".getBytes(
                StandardCharsets.UTF_8)))).isEqualTo("Ünïcode und so weiter".toCharArray());
        assertThatThrownBy(() -> KeyCommands.passphraseFrom(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(CommandException.class).hasMessageContaining("No passphrase");
        assertThatThrownBy(() -> KeyCommands.passphraseFrom(new ByteArrayInputStream("too short\n".getBytes(
                StandardCharsets.UTF_8)))).isInstanceOf(CommandException.class).hasMessageContaining("at least 12")
                .hasMessageNotContaining("too short");
        assertThat(KeyCommands.passphraseTyped(PASSPHRASE, PASSPHRASE)).isEqualTo(PASSPHRASE.toCharArray());
        assertThatThrownBy(() -> KeyCommands.passphraseTyped(PASSPHRASE, PASSPHRASE + "x"))
                .isInstanceOf(CommandException.class).hasMessageContaining("differ")
                .hasMessageNotContaining(PASSPHRASE);
        assertThatThrownBy(() -> KeyCommands.passphraseTyped(null, null)).isInstanceOf(CommandException.class);
    }
}
