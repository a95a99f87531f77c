package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;

import org.junit.jupiter.api.Test;
import org.mindrot.jbcrypt.BCrypt;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher(10, new SecureRandom());

    @Test
    void verifiesTheRightPasswordAndNoOther() {
        String hash = hasher.hash("correct horse battery");
        assertThat(hasher.verify("correct horse battery", hash)).isTrue();
        assertThat(hasher.verify("correct horse batterY", hash)).isFalse();
        assertThat(hasher.verify("", hash)).isFalse();
        assertThat(hash).startsWith("bcrypt-sha256$2a$10$").doesNotContain("horse");
    }

    @Test
    void everyCharacterOfA128CharacterPasswordCounts() {
        String base = "x".repeat(127);
        String hash = hasher.hash(base + "A");
        assertThat(hasher.verify(base + "A", hash)).isTrue();
        assertThat(hasher.verify(base + "B", hash)).isFalse();
        // bcrypt alone would accept any password sharing the first 72 bytes:
        String plain = BCrypt.hashpw(base + "A", BCrypt.gensalt(10));
        assertThat(BCrypt.checkpw(base + "B", plain)).as("plain bcrypt truncates at 72 bytes").isTrue();
    }

    @Test
    void multiByteCharactersPast72BytesCount() {
        String base = "\u00e4".repeat(40); // 80 bytes of UTF-8
        String hash = hasher.hash(base + "1");
        assertThat(hasher.verify(base + "1", hash)).isTrue();
        assertThat(hasher.verify(base + "2", hash)).isFalse();
    }

    @Test
    void importedPlainBcryptHashesVerifyUpTo72BytesOnly() {
        String shortPw = "imported-password";
        String plain = BCrypt.hashpw(shortPw, BCrypt.gensalt(10));
        assertThat(hasher.verify(shortPw, plain)).isTrue();
        assertThat(hasher.verify(shortPw, "$2b$" + plain.substring(4))).isTrue();
        assertThat(hasher.verify("other", plain)).isFalse();
        assertThat(hasher.needsRehash(plain)).isTrue();

        String longPw = "y".repeat(80);
        String longPlain = BCrypt.hashpw(longPw, BCrypt.gensalt(10));
        assertThat(hasher.verify(longPw, longPlain)).as("could be checked on 72 bytes alone: refused").isFalse();
    }

    @Test
    void asksForARehashWhenTheCostIsOtherThanTheConfiguredOne() {
        String at10 = hasher.hash("p");
        PasswordHasher at11 = new PasswordHasher(11, new SecureRandom());
        assertThat(hasher.needsRehash(at10)).isFalse();
        assertThat(at11.needsRehash(at10)).isTrue();
        assertThat(at11.needsRehash(at11.hash("p"))).isFalse();
        assertThat(hasher.needsRehash(at11.hash("p"))).as("above the configured cost, too").isTrue();
    }

    @Test
    void aFailedCheckAgainstACheaperHashIsPaddedToTheWorkOfTheConfiguredCost() {
        PasswordHasher at12 = new PasswordHasher(12, new SecureRandom());
        // bcrypt's work doubles per cost step: a cost-10 check plus 3 more at cost 10 is the work of one at 12
        assertThat(at12.padFailedCheck(hasher.hash("p"))).isEqualTo(3);
        assertThat(at12.padFailedCheck(BCrypt.hashpw("p", BCrypt.gensalt(10)))).as("plain bcrypt").isEqualTo(3);
        assertThat(at12.padFailedCheck(BCrypt.hashpw("p", BCrypt.gensalt(4)))).as("an import at cost 4")
                .isEqualTo(255);
        assertThat(hasher.padFailedCheck(hasher.hash("p"))).as("at the configured cost").isZero();
        assertThat(hasher.padFailedCheck(at12.hash("p"))).as("above it: cannot be made cheaper").isZero();
        assertThat(at12.padFailedCheck(DeviceSecrets.hash(DeviceSecrets.generate(new SecureRandom()),
                new SecureRandom()))).as("the fast hash of a generated secret").isZero();
        assertThat(at12.padFailedCheck("garbage")).isZero();
    }

    @Test
    void malformedStoredHashesNeverVerify() {
        assertThat(hasher.verify("p", "")).isFalse();
        assertThat(hasher.verify("p", "bcrypt-sha256$garbage")).isFalse();
        assertThat(hasher.verify("p", "$2a$10$tooshort")).isFalse();
        assertThat(hasher.verify("p", "p")).isFalse();
    }

    @Test
    void refusesACostOutsideTenToSixteen() {
        assertThatThrownBy(() -> new PasswordHasher(9, new SecureRandom())).hasMessageContaining("between 10 and 16");
        assertThatThrownBy(() -> new PasswordHasher(17, new SecureRandom())).hasMessageContaining("between 10 and 16");
    }
}
