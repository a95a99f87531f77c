package org.mqttwarden.otp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.OptionalLong;

import org.apache.commons.codec.binary.Base32;

/**
 * Time-based one-time passwords (RFC 6238) as authenticator apps make them: HMAC-SHA1, 6 digits, 30-second
 * steps from the Unix epoch. A code is accepted from the current step or one step either side (clock drift),
 * and only from a step later than the last one accepted for the account (RFC 6238 5.2: a code is used once).
 * Stateless and thread-safe; the caller keeps the last accepted step of each account.
 */
final class Totp {

    /** Seconds per step. */
    static final int PERIOD = 30;
    /** Digits per code. */
    static final int DIGITS = 6;
    /** Steps accepted either side of the current one. */
    static final int DRIFT = 1;
    /** Bytes of a new secret: 160 bits (RFC 4226 R6). */
    static final int SECRET_BYTES = 20;

    private Totp() {
    }

    /** @return the time step {@code at} falls in */
    static long step(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), PERIOD);
    }

    /** @return the code of {@code step} under {@code key}, with {@code digits} digits and {@code algorithm} */
    static String code(byte[] key, long step, int digits, String algorithm) {
        return Hotp.code(key, step, digits, algorithm);
    }

    /** @return the 6-digit HMAC-SHA1 code of the step {@code at} falls in */
    static String code(byte[] key, Instant at) {
        return code(key, step(at), DIGITS, Hotp.SHA1);
    }

    /**
     * Checks a code against the current step and one either side, every candidate compared in constant time.
     *
     * @param lastAccepted the last step accepted for this account, or {@code Long.MIN_VALUE} when none was
     * @return the step the code belongs to, when it is valid and later than {@code lastAccepted}; the caller
     *     stores it as the account's last accepted step before it answers; empty otherwise
     */
    static OptionalLong accept(byte[] key, String code, Instant now, long lastAccepted) {
        byte[] given = code == null ? new byte[0] : code.getBytes(StandardCharsets.US_ASCII);
        long current = step(now);
        long found = Long.MIN_VALUE;
        for (long s = current - DRIFT; s <= current + DRIFT; s++) {
            byte[] expected = code(key, s, DIGITS, Hotp.SHA1).getBytes(StandardCharsets.US_ASCII);
            // every candidate is computed and compared: the time taken does not tell which step matched
            if (MessageDigest.isEqual(expected, given) && s > lastAccepted) {
                found = s;
            }
        }
        return found == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(found);
    }

    /** @return a new secret of {@link #SECRET_BYTES} random bytes */
    static byte[] newSecret(SecureRandom random) {
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        return secret;
    }

    /**
     * @param issuer shown by the app, e.g. {@code MQTT Warden}
     * @param account the account's name, shown by the app
     * @return the {@code otpauth://totp/...} URI an authenticator app enrols from (Key Uri Format): a secret,
     *     to be shown once and never logged
     */
    static String uri(String issuer, String account, byte[] secret) {
        String base32 = new Base32().encodeToString(secret).replace("=", "");
        String label = encode(issuer) + ":" + encode(account);
        return "otpauth://totp/" + label + "?secret=" + base32 + "&issuer=" + encode(issuer) + "&algorithm=SHA1&digits="
                + DIGITS + "&period=" + PERIOD;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
