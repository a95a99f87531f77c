package org.mqttwarden.otp;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-based one-time passwords (RFC 4226): the code of a moving factor (a counter, or for TOTP the time
 * step) under a shared secret. Stateless and thread-safe.
 */
final class Hotp {

    /** The HMAC of RFC 4226 and of every common authenticator app. */
    static final String SHA1 = "HmacSHA1";

    private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
        100_000_000};

    private Hotp() {
    }

    /**
     * @param key the shared secret (RFC 4226 R6 asks for 160 bits)
     * @param counter the moving factor
     * @param digits 6 to 8
     * @param algorithm {@link #SHA1}, {@code HmacSHA256} or {@code HmacSHA512} (RFC 6238)
     * @return the code, left-padded with zeros to {@code digits}
     * @throws IllegalArgumentException when {@code digits} is not 6 to 8 or the key is empty
     */
    static String code(byte[] key, long counter, int digits, String algorithm) {
        if (digits < 6 || digits > 8) {
            throw new IllegalArgumentException("A one-time code has 6 to 8 digits, not " + digits);
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("A one-time code needs a secret");
        }
        byte[] message = new byte[8];
        long c = counter;
        for (int i = 7; i >= 0; i--) {
            message[i] = (byte) c;
            c >>>= 8;
        }
        byte[] hash;
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            hash = mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalArgumentException("Cannot compute " + algorithm + ": " + e.getMessage(), e);
        }
        // dynamic truncation (RFC 4226 5.3): 31 bits from the offset the last nibble names
        int offset = hash[hash.length - 1] & 0x0f;
        int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
                | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
        String code = Integer.toString(binary % POWERS[digits]);
        return "0".repeat(digits - code.length()) + code;
    }
}
