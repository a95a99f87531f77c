package org.mqttwarden.crypto.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The key export a device is provisioned from: round trip, a wrong passphrase, every flipped bit, every truncation,
 * and files made to be cheap to guess or to stall the reader. PBKDF2 at 600 000 iterations takes a noticeable
 * fraction of a second, so the flipped-bit test derives the wrapping key once per (salt, iterations) it sees.
 */
class KeyExportTest {

    private static final char[] PASSPHRASE = "Ünïcode passphrase, one time".toCharArray();
    private static final byte[] SECRET = HexFormat.of().parseHex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final String KEY_ID = "0011223344556677";
    private static final String PREFIX = "plant/line1";

    private static byte[] export;

    @BeforeAll
    static void wrapOnce() {
        export = KeyExport.wrap(KEY_ID, PREFIX, SECRET, PASSPHRASE.clone(), new SecureRandom());
    }

    @Test
    void aWrappedKeyUnwrapsWithItsPassphraseToTheSameKeyIdAndPrefix() {
        ProvisionedKey k = KeyExport.unwrap(export, PASSPHRASE.clone());
        assertThat(k.keyId()).isEqualTo(KEY_ID);
        assertThat(k.prefix()).isEqualTo(PREFIX);
        assertThat(k.secret()).isEqualTo(SECRET);
        assertThat(k.toString()).doesNotContain(HexFormat.of().formatHex(SECRET)).contains(KEY_ID);
        k.erase();
        assertThat(k.secret()).containsOnly(0);
        // the documented layout: magic, version, KDF, 600 000 iterations, and no plaintext key anywhere
        ByteBuffer b = ByteBuffer.wrap(export);
        assertThat(new byte[] {b.get(), b.get(), b.get(), b.get(), b.get(), b.get()})
                .isEqualTo(new byte[] {'M', 'Q', 'W', 'K', 1, 1});
        assertThat(b.getInt()).isEqualTo(600_000);
        assertThat(export).hasSize(29 + KEY_ID.length() + PREFIX.length() + 12 + 32 + 16);
        assertThat(HexFormat.of().formatHex(export)).doesNotContain(HexFormat.of().formatHex(SECRET, 0, 8));
        // two exports of one key differ (fresh salt and nonce)
        assertThat(KeyExport.wrap(KEY_ID, PREFIX, SECRET, PASSPHRASE.clone(), new SecureRandom()))
                .isNotEqualTo(export);
    }

    @Test
    void aWrongPassphraseIsRefusedWithoutSayingMore() {
        for (String wrong : List.of("Ünïcode passphrase, one timE", "Unicode passphrase, one time", "")) {
            assertThatThrownBy(() -> KeyExport.unwrap(export, wrong.toCharArray()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("The key export does not open: wrong passphrase, or the file was altered");
        }
    }

    @Test
    void everyFlippedBitIsRefused() {
        Map<String, byte[]> derived = new HashMap<>();
        KeyExport.KekSource remembered = (salt, iterations) -> derived.computeIfAbsent(
                HexFormat.of().formatHex(salt) + "/" + iterations, x -> KeyExport.kek(PASSPHRASE, salt, iterations))
                .clone();
        assertThat(KeyExport.unwrap(export, remembered).secret()).isEqualTo(SECRET);
        int refused = 0;
        for (int bit = 0; bit < export.length * 8; bit++) {
            // salt and iteration bits each cost a fresh PBKDF2: one bit of every other byte of them shows it
            boolean kdfInput = bit >= 6 * 8 && bit < 26 * 8;
            if (kdfInput && (bit / 8 % 2 != 0 || bit % 8 != bit / 16 % 8)) {
                continue;
            }
            byte[] flipped = export.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            int at = bit;
            assertThatThrownBy(() -> KeyExport.unwrap(flipped, remembered)).as("bit %d", at)
                    .isInstanceOf(IllegalArgumentException.class);
            refused++;
        }
        assertThat(refused).isEqualTo((export.length - 20) * 8 + 10);
    }

    @Test
    void everyTruncationAndExtensionIsRefusedBeforeAnyKeyDerivation() {
        KeyExport.KekSource never = (salt, iterations) -> {
            throw new AssertionError("derived a key for a malformed file");
        };
        for (int n = 0; n < export.length; n++) {
            byte[] cut = Arrays.copyOf(export, n);
            assertThatThrownBy(() -> KeyExport.unwrap(cut, never)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Not an MQTT Warden key export (version 1)");
        }
        byte[] longer = Arrays.copyOf(export, export.length + 1);
        assertThatThrownBy(() -> KeyExport.unwrap(longer, never)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyExport.unwrap(null, never)).isInstanceOf(IllegalArgumentException.class);
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 2000; i++) {
            byte[] garbage = new byte[random.nextInt(200)];
            random.nextBytes(garbage);
            assertThatThrownBy(() -> KeyExport.unwrap(garbage, never)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void iterationCountsOutsideTheBoundsAreRefusedBeforeDerivingAnything() {
        KeyExport.KekSource never = (salt, iterations) -> {
            throw new AssertionError("derived a key for " + iterations + " iterations");
        };
        byte[] cheap = KeyExport.wrap(KEY_ID, PREFIX, SECRET, PASSPHRASE.clone(), 1000, new SecureRandom());
        assertThatThrownBy(() -> KeyExport.unwrap(cheap, never)).hasMessageContaining("1000 PBKDF2 iterations");
        byte[] stalling = export.clone();
        ByteBuffer.wrap(stalling).putInt(6, -1);
        assertThatThrownBy(() -> KeyExport.unwrap(stalling, never)).hasMessageContaining("4294967295 PBKDF2");
        ByteBuffer.wrap(stalling).putInt(6, KeyExport.MAX_ITERATIONS + 1);
        assertThatThrownBy(() -> KeyExport.unwrap(stalling, never)).hasMessageContaining("refused");
    }

    @Test
    void wrappingRefusesWeakPassphrasesAndBadArgumentsWithoutShowingThem() {
        assertThatThrownBy(() -> KeyExport.wrap(KEY_ID, PREFIX, SECRET, "elevenchars".toCharArray(),
                new SecureRandom())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 12")
                .hasMessageNotContaining("elevenchars");
        assertThatThrownBy(() -> KeyExport.wrap("", PREFIX, SECRET, PASSPHRASE, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyExport.wrap("x".repeat(65), PREFIX, SECRET, PASSPHRASE, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyExport.wrap(KEY_ID, PREFIX, new byte[16], PASSPHRASE, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
