package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** RFC 4226 Appendix D: the HOTP values of the test secret for counters 0 to 9. */
class HotpTest {

    private static final byte[] SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    void givesTheValuesOfRfc4226AppendixD() {
        String[] expected = {"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489"};
        for (int counter = 0; counter < expected.length; counter++) {
            assertThat(Hotp.code(SECRET, counter, 6, Hotp.SHA1)).as("counter %d", counter)
                    .isEqualTo(expected[counter]);
        }
    }

    @Test
    void refusesCodesShorterThanSixOrLongerThanEightDigitsAndAnEmptySecret() {
        assertThatIllegalArgumentException().isThrownBy(() -> Hotp.code(SECRET, 0, 5, Hotp.SHA1))
                .withMessageContaining("6 to 8 digits");
        assertThatIllegalArgumentException().isThrownBy(() -> Hotp.code(SECRET, 0, 9, Hotp.SHA1));
        assertThatIllegalArgumentException().isThrownBy(() -> Hotp.code(new byte[0], 0, 6, Hotp.SHA1))
                .withMessageContaining("secret");
    }
}
