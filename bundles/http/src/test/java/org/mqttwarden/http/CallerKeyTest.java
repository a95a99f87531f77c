package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.FileTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The caller key file: created private, never rewritten, refused when others may read it. */
class CallerKeyTest {

    private static final String KEY = "k3y-0f-at-least-thirty-two-characters_0123";

    @TempDir
    Path dir;

    @Test
    void createsAMissingFileWithARandomKeyReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("etc/warden-http.key");

        CallerKey.Loaded loaded = CallerKey.load(file);

        assertThat(loaded.origin()).isEqualTo(CallerKey.Origin.CREATED);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String content = Files.readString(file, StandardCharsets.US_ASCII);
        assertThat(content).matches("[A-Za-z0-9_-]{43}\n");
        assertThat(loaded.key().matches(content.strip())).isTrue();
        assertThat(loaded.key().toString()).doesNotContain(content.strip());

        Path other = dir.resolve("other.key");
        CallerKey.load(other);
        assertThat(Files.readString(other)).as("each created key is fresh").isNotEqualTo(content);
    }

    @Test
    void neverRewritesAFileThatIsThere() throws Exception {
        Path file = dir.resolve("warden-http.key");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, KEY + "\n");
        FileTime written = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(file, written);

        CallerKey.Loaded loaded = CallerKey.load(file);

        assertThat(loaded.origin()).isEqualTo(CallerKey.Origin.READ);
        assertThat(Files.readString(file)).isEqualTo(KEY + "\n");
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(written);
        assertThat(loaded.key().matches(KEY)).isTrue();
    }

    @Test
    void matchesOnlyTheExactKey() throws Exception {
        CallerKey key = CallerKey.load(write("0600", KEY + "\r\nanything after the first line is ignored\n")).key();

        assertThat(key.matches(KEY)).isTrue();
        assertThat(key.matches(KEY + " ")).isFalse();
        assertThat(key.matches(KEY.substring(1))).isFalse();
        assertThat(key.matches(KEY.toUpperCase())).isFalse();
        assertThat(key.matches("")).isFalse();
        assertThat(key.matches(null)).isFalse();
        assertThat(key.matches("x".repeat(CallerKey.MAX_LENGTH + 1))).isFalse();
        // a character beyond ISO-8859-1 whose low byte is the key's is not the key
        assertThat(key.matches(KEY.substring(0, KEY.length() - 1) + (char) (0x100 + '3'))).isFalse();
    }

    @Test
    void refusesAFileItsGroupOrOthersMayRead() throws Exception {
        for (String mode : new String[] {"rw-r-----", "rw----r--", "rw-rw-rw-", "rw-----w-"}) {
            Path file = write(mode, KEY + "\n");

            assertThatThrownBy(() -> CallerKey.load(file)).as(mode).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining(mode)
                    .hasMessageContaining("chmod 600").hasMessageNotContaining(KEY);
            assertThat(Files.readString(file)).as("left as it was").isEqualTo(KEY + "\n");
        }
    }

    @Test
    void refusesAFileWithoutAUsableKey() throws Exception {
        assertThatThrownBy(() -> CallerKey.load(write("rw-------", ""))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("32 to 256");
        assertThatThrownBy(() -> CallerKey.load(write("rw-------", "too-short\n")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("it has 9");
        assertThatThrownBy(() -> CallerKey.load(write("rw-------", "a key with spaces in it, long enough\n")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("character 2")
                .hasMessageNotContaining("spaces in it");
        assertThatThrownBy(() -> CallerKey.load(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a regular file");
    }

    private Path write(String mode, String content) throws Exception {
        Path file = Files.createTempFile(dir, "key", ".txt");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode.equals("0600") ? "rw-------" : mode));
        return file;
    }
}
