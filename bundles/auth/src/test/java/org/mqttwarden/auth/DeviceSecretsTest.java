package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DeviceSecretsTest {

    private final SecureRandom random = new SecureRandom();

    @Test
    void generatedSecretsHaveTheDocumentedFormAndAreRecognised() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String s = DeviceSecrets.generate(random);
            assertThat(s).hasSize(42).startsWith("wd1_").matches("wd1_[A-Za-z0-9_-]{38}");
            assertThat(DeviceSecrets.isGenerated(s)).as(s).isTrue();
            seen.add(s);
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void aTypoOrAnEditedCharacterIsNotTakenForAGeneratedSecret() {
        String s = DeviceSecrets.generate(random);
        for (int i = 4; i < s.length(); i++) {
            char c = s.charAt(i);
            String edited = s.substring(0, i) + (c == 'A' ? 'B' : 'A') + s.substring(i + 1);
            assertThat(DeviceSecrets.isGenerated(edited)).as(edited).isFalse();
        }
        assertThat(DeviceSecrets.isGenerated(s + "x")).isFalse();
        assertThat(DeviceSecrets.isGenerated(s.substring(1))).isFalse();
        assertThat(DeviceSecrets.isGenerated("wd2_" + s.substring(4))).isFalse();
        assertThat(DeviceSecrets.isGenerated(null)).isFalse();
        assertThat(DeviceSecrets.isGenerated("correct horse battery staple")).isFalse();
    }

    @Test
    void aHandMadeSecretWithAValidChecksumButNoRandomnessIsNotGenerated() {
        // 24 zero bytes = 32 'A's; CRC-32 of 24 zero bytes appended in the documented form
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(new byte[24]);
        long v = crc.getValue();
        byte[] c = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        String forged = "wd1_" + "A".repeat(32)
                + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(c);
        assertThat(forged).hasSize(42);
        assertThat(DeviceSecrets.isGenerated(forged)).isFalse();
    }

    @Test
    void theFastHashVerifiesOnlyItsOwnSecretAndIsSalted() {
        String secret = DeviceSecrets.generate(random);
        String h1 = DeviceSecrets.hash(secret, random);
        String h2 = DeviceSecrets.hash(secret, random);
        assertThat(h1).startsWith("hmac-sha256$").isNotEqualTo(h2).doesNotContain(secret.substring(4));
        assertThat(DeviceSecrets.verify(secret, h1)).isTrue();
        assertThat(DeviceSecrets.verify(secret, h2)).isTrue();
        assertThat(DeviceSecrets.verify(DeviceSecrets.generate(random), h1)).isFalse();
        assertThat(DeviceSecrets.verify(secret, "hmac-sha256$garbage")).isFalse();
        assertThat(DeviceSecrets.verify(secret, "hmac-sha256$!!$!!")).isFalse();
        assertThat(DeviceSecrets.verify(secret, "hmac-sha256$AAAA$" + h1.substring(h1.lastIndexOf('$') + 1)))
                .isFalse();
    }

    @Test
    void thePasswordHasherStoresGeneratedSecretsFastAndTypedPasswordsUnderBcrypt() {
        PasswordHasher hasher = new PasswordHasher(10, random);
        String secret = DeviceSecrets.generate(random);
        String fast = hasher.hash(secret);
        String slow = hasher.hash("correct horse battery staple");
        assertThat(fast).startsWith("hmac-sha256$");
        assertThat(slow).startsWith("bcrypt-sha256$2a$10$");
        assertThat(hasher.verify(secret, fast)).isTrue();
        assertThat(hasher.verify("correct horse battery staple", slow)).isTrue();
        assertThat(hasher.verify("correct horse battery staple", fast)).isFalse();
        assertThat(hasher.needsRehash(fast)).as("a fast hash is never upgraded to bcrypt").isFalse();
        assertThat(new PasswordHasher(12, random).needsRehash(fast)).isFalse();
    }
}
