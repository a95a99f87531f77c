package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.OptionalLong;

import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6238 Appendix B's test vectors, then what the login step relies on: drift, single use, the URI. */
class TotpTest {

    private static final byte[] SHA1 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHA256 = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHA512 = ("1234567890".repeat(6) + "1234").getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @CsvSource({
        "59, 94287082, 46119246, 90693936",
        "1111111109, 07081804, 68084774, 25091201",
        "1111111111, 14050471, 67062674, 99943326",
        "1234567890, 89005924, 91819424, 93441116",
        "2000000000, 69279037, 90698825, 38618901",
        "20000000000, 65353130, 77737706, 47863826",
    })
    void givesTheValuesOfRfc6238AppendixB(long seconds, String sha1, String sha256, String sha512) {
        long step = Totp.step(Instant.ofEpochSecond(seconds));
        assertThat(Totp.code(SHA1, step, 8, "HmacSHA1")).isEqualTo(sha1);
        assertThat(Totp.code(SHA256, step, 8, "HmacSHA256")).isEqualTo(sha256);
        assertThat(Totp.code(SHA512, step, 8, "HmacSHA512")).isEqualTo(sha512);
    }

    @Test
    void acceptsOneStepOfDriftEitherWayAndNoMore() {
        Instant now = Instant.ofEpochSecond(1_234_567_890L);
        for (int drift = -1; drift <= 1; drift++) {
            String code = Totp.code(SHA1, now.plusSeconds(30L * drift));
            assertThat(Totp.accept(SHA1, code, now, Long.MIN_VALUE)).as("drift %d", drift)
                    .hasValue(Totp.step(now) + drift);
        }
        assertThat(Totp.accept(SHA1, Totp.code(SHA1, now.minusSeconds(60)), now, Long.MIN_VALUE)).isEmpty();
        assertThat(Totp.accept(SHA1, Totp.code(SHA1, now.plusSeconds(60)), now, Long.MIN_VALUE)).isEmpty();
    }

    @Test
    void aCodeOnceAcceptedIsNeverAcceptedAgainNorOneOfAnEarlierStep() {
        Instant now = Instant.ofEpochSecond(1_700_000_000L);
        String code = Totp.code(SHA1, now);
        OptionalLong step = Totp.accept(SHA1, code, now, Long.MIN_VALUE);
        assertThat(step).isPresent();
        assertThat(Totp.accept(SHA1, code, now, step.getAsLong())).as("replayed in the same step").isEmpty();
        assertThat(Totp.accept(SHA1, code, now.plusSeconds(30), step.getAsLong())).as("replayed a step later")
                .isEmpty();
        String previous = Totp.code(SHA1, now.minusSeconds(30));
        assertThat(Totp.accept(SHA1, previous, now, step.getAsLong())).as("an older code after a newer one")
                .isEmpty();
        String next = Totp.code(SHA1, now.plusSeconds(30));
        assertThat(Totp.accept(SHA1, next, now.plusSeconds(30), step.getAsLong())).hasValue(step.getAsLong() + 1);
    }

    @Test
    void refusesWhatIsNotTheCode() {
        Instant now = Instant.ofEpochSecond(1_700_000_000L);
        String code = Totp.code(SHA1, now);
        assertThat(Totp.accept(SHA1, null, now, Long.MIN_VALUE)).isEmpty();
        assertThat(Totp.accept(SHA1, "", now, Long.MIN_VALUE)).isEmpty();
        assertThat(Totp.accept(SHA1, code + "0", now, Long.MIN_VALUE)).isEmpty();
        assertThat(Totp.accept(SHA1, code.substring(1), now, Long.MIN_VALUE)).isEmpty();
        assertThat(Totp.accept("another secret of 20b".getBytes(StandardCharsets.US_ASCII), code, now,
                Long.MIN_VALUE)).isEmpty();
    }

    @Test
    void enrolsWithA160BitSecretInAnOtpauthUriAppsRead() {
        byte[] secret = Totp.newSecret(new SecureRandom());
        assertThat(secret).hasSize(20);
        String uri = Totp.uri("MQTT Warden", "alice@plant 1", secret);
        assertThat(uri).startsWith("otpauth://totp/MQTT%20Warden:alice%40plant%201?secret=")
                .endsWith("&issuer=MQTT%20Warden&algorithm=SHA1&digits=6&period=30").doesNotContain("=&");
        String base32 = uri.substring(uri.indexOf("secret=") + 7, uri.indexOf('&'));
        assertThat(base32).matches("[A-Z2-7]{32}");
        assertThat(new Base32().decode(base32)).isEqualTo(secret);
    }
}
