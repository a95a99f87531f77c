package org.mqttwarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys outside the database: created owner-only, read back the same, refused when others may have read them. */
class EtcKeyFilesTest {

    @TempDir
    Path etc;

    @Test
    void aNewKeyIsRandomOwnerOnlyAndTheSameOnEveryLaterCall() throws Exception {
        EtcKeyFiles keys = new EtcKeyFiles(etc);
        byte[] key = keys.key("otp-codes", 32);
        assertThat(key).hasSize(32);
        Path file = etc.resolve("warden-otp-codes.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file).strip()).isEqualTo(HexFormat.of().formatHex(key));
        assertThat(new EtcKeyFiles(etc).key("otp-codes", 32)).as("after a restart").isEqualTo(key);
        assertThat(keys.key("otp-totp", 32)).as("another name, another key").isNotEqualTo(key);
    }

    @Test
    void aKeyFileOthersMayReadIsRefusedAndLeftAsItIs() throws Exception {
        EtcKeyFiles keys = new EtcKeyFiles(etc);
        keys.key("otp-codes", 32);
        Path file = etc.resolve("warden-otp-codes.key");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatIllegalStateException().isThrownBy(() -> keys.key("otp-codes", 32))
                .withMessageContaining("rw-r--r--").withMessageContaining("chmod 600")
                .withMessageNotContaining(Files.readString(file).strip());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
    }

    @Test
    void aFileThatHoldsNoKeyOfThatLengthIsRefused() throws Exception {
        EtcKeyFiles keys = new EtcKeyFiles(etc);
        keys.key("otp-codes", 32);
        assertThatIllegalStateException().isThrownBy(() -> keys.key("otp-codes", 16))
                .withMessageContaining("32 hex digits");
        Path file = etc.resolve("warden-broken.key");
        Files.writeString(file, "not a key\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThatIllegalStateException().isThrownBy(() -> keys.key("broken", 32)).withMessageContaining("backup");
    }

    @Test
    void namesAndLengthsOutOfRangeAreRefusedBeforeAnyFileIsTouched() throws Exception {
        EtcKeyFiles keys = new EtcKeyFiles(etc);
        for (String bad : new String[] {null, "", "Otp", "../x", "a/b", "-a", "a".repeat(33)}) {
            assertThatIllegalArgumentException().as("%s", bad).isThrownBy(() -> keys.key(bad, 32));
        }
        assertThatIllegalArgumentException().isThrownBy(() -> keys.key("otp", 15)).withMessageContaining("16 to 64");
        assertThatIllegalArgumentException().isThrownBy(() -> keys.key("otp", 65));
        try (var files = Files.list(etc)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aMissingFolderIsCreatedOwnerOnly() throws Exception {
        Path nested = etc.resolve("new-etc");
        new EtcKeyFiles(nested).key("otp", 32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
    }
}
