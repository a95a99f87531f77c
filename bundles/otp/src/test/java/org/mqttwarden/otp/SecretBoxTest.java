package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** TOTP secrets at rest: they decrypt for their account under their key, and not otherwise. */
class SecretBoxTest {

    private final SecureRandom random = new SecureRandom();
    private final byte[] key = new byte[32];
    private final SecretBox box;

    SecretBoxTest() {
        random.nextBytes(key);
        box = new SecretBox(key, random);
    }

    @Test
    void opensWhatItSealedForTheSameAccountAndNeverStoresTheSecretInClear() {
        byte[] secret = Totp.newSecret(random);
        String sealed = box.seal("alice", secret);
        assertThat(sealed).startsWith("v1:");
        assertThat(HexFormat.of().formatHex(Base64.getDecoder().decode(sealed.substring(3))))
                .doesNotContain(HexFormat.of().formatHex(secret));
        assertThat(box.open("alice", sealed)).isEqualTo(secret);
        assertThat(box.seal("alice", secret)).as("a new IV each time").isNotEqualTo(sealed);
    }

    @Test
    void aSecretMovedToAnotherAccountAlteredOrUnderAnotherKeyDoesNotOpen() {
        String sealed = box.seal("alice", Totp.newSecret(random));
        assertThatIllegalArgumentException().isThrownBy(() -> box.open("mallory", sealed))
                .withMessageContaining("does not decrypt");
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        raw[raw.length - 1] ^= 1;
        String altered = "v1:" + Base64.getEncoder().encodeToString(raw);
        assertThatIllegalArgumentException().isThrownBy(() -> box.open("alice", altered));
        byte[] other = key.clone();
        other[0] ^= 1;
        assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox(other, random).open("alice", sealed));
    }

    @Test
    void whatIsNotASealedSecretIsRefusedClearly() {
        for (String bad : new String[] {null, "", "v1:", "v1:%%%", "v2:AAAA", "v1:" + "A".repeat(16)}) {
            assertThatIllegalArgumentException().as("%s", bad).isThrownBy(() -> box.open("alice", bad));
        }
        assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox(new byte[16], random))
                .withMessageContaining("32 bytes");
    }
}
