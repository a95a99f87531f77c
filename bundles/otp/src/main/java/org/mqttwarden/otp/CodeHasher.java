package org.mqttwarden.otp;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.mqttwarden.api.otp.OtpPurpose;

/**
 * Makes codes and the only form in which they are kept: an HMAC-SHA256 of purpose, account and code under a key
 * that is not in the database, so neither a copy of {@code warden.db} nor its log gives a code away, and a
 * stolen hash cannot be tried offline without the key. Thread-safe.
 */
final class CodeHasher {

    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;
    private final SecureRandom random;

    /** @param key at least 32 bytes */
    CodeHasher(byte[] key, SecureRandom random) {
        if (key.length < 32) {
            throw new IllegalArgumentException("The code key must have at least 32 bytes, has " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), HMAC);
        this.random = random;
    }

    /** @return a new code of {@code length} decimal digits, each digit uniformly random */
    String newCode(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) ('0' + random.nextInt(10)));
        }
        return b.toString();
    }

    /** @return the keyed hash kept for {@code code} (hex) */
    String hash(OtpPurpose purpose, String username, String code) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            // lengths first: no two (purpose, username, code) triples give the same input
            String input = purpose.id() + ":" + username.length() + ":" + username + ":" + code;
            return HexFormat.of().formatHex(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** @return whether {@code code} is the one {@code stored} was made from, compared in constant time */
    boolean matches(String stored, OtpPurpose purpose, String username, String code) {
        return MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII),
                hash(purpose, username, code).getBytes(StandardCharsets.US_ASCII));
    }
}
