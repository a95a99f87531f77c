package org.mqttwarden.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.zip.CRC32;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Generated device secrets, and the fast hash they are stored under.
 *
 * <p>A slow hash (bcrypt) exists to make guessing a <em>memorised</em> secret from a stolen hash
 * expensive (NIST SP 800-63B 5.1.1.2). A secret Warden generates holds 192 random bits: no hash
 * speed makes guessing it feasible, so it is stored under one HMAC-SHA256 with a random salt and
 * checked in about a microsecond. A reconnect storm of devices after a restart then costs no bcrypt.
 *
 * <p>Form of a generated secret: {@code wd1_} + 32 base64url characters (24 random bytes) + 6
 * base64url characters of the CRC-32 of those bytes, 42 characters in all. The checksum lets Warden
 * tell a generated secret from a typed password before looking at any account, so the cost of a
 * check depends only on the form of the password submitted, never on whether the account exists.
 * A well-formed secret whose random part is visibly not random (fewer than {@value #MIN_DISTINCT}
 * distinct bytes, e.g. hand-made) is not taken as generated.
 *
 * <p>Stored form: {@code hmac-sha256$<salt, base64>$<HMAC-SHA256(salt, domain || secret), base64>}.
 */
final class DeviceSecrets {

    static final String SECRET_PREFIX = "wd1_";
    static final String HASH_PREFIX = "hmac-sha256$";
    static final int RANDOM_BYTES = 24;
    static final int LENGTH = SECRET_PREFIX.length() + 32 + 6;
    /**
     * Among 24 random bytes, fewer than 16 distinct values occur with probability 2.8e-8
     * ({@link #generate} then draws again).
     */
    static final int MIN_DISTINCT = 16;
    private static final int SALT_BYTES = 16;
    private static final byte[] DOMAIN = "mqtt-warden/device-secret/v1".getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_DEC = Base64.getUrlDecoder();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DEC = Base64.getDecoder();

    private DeviceSecrets() {
    }

    /** @return a new secret of the generated form, 192 random bits */
    static String generate(SecureRandom random) {
        byte[] b = new byte[RANDOM_BYTES];
        do {
            random.nextBytes(b);
        } while (distinct(b) < MIN_DISTINCT);
        return SECRET_PREFIX + B64URL.encodeToString(b) + B64URL.encodeToString(crc(b));
    }

    /** @return whether the password has the form of a generated secret (prefix, length, checksum) */
    static boolean isGenerated(String password) {
        if (password == null || password.length() != LENGTH || !password.startsWith(SECRET_PREFIX)) {
            return false;
        }
        int body = SECRET_PREFIX.length();
        for (int i = body; i < LENGTH; i++) {
            char c = password.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        try {
            byte[] random = B64URL_DEC.decode(password.substring(body, body + 32));
            // compared as text: the decoder ignores the unused low bits of the last character
            return random.length == RANDOM_BYTES
                    && password.substring(body + 32).equals(B64URL.encodeToString(crc(random)))
                    && distinct(random) >= MIN_DISTINCT;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** @return whether a stored hash is of the fast form */
    static boolean isHash(String stored) {
        return stored != null && stored.startsWith(HASH_PREFIX);
    }

    /** @return the stored form of a generated secret under a new random salt */
    static String hash(String secret, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return HASH_PREFIX + B64.encodeToString(salt) + "$" + B64.encodeToString(mac(salt, secret));
    }

    /** @return whether the secret matches the stored fast hash; false for a malformed one */
    static boolean verify(String secret, String stored) {
        if (!isHash(stored)) {
            return false;
        }
        String rest = stored.substring(HASH_PREFIX.length());
        int dollar = rest.indexOf('$');
        if (dollar < 0) {
            return false;
        }
        try {
            byte[] salt = B64_DEC.decode(rest.substring(0, dollar));
            byte[] expected = B64_DEC.decode(rest.substring(dollar + 1));
            return salt.length == SALT_BYTES && MessageDigest.isEqual(expected, mac(salt, secret));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] mac(byte[] salt, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            mac.update(DOMAIN);
            return mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] crc(byte[] b) {
        CRC32 crc = new CRC32();
        crc.update(b);
        long v = crc.getValue();
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static int distinct(byte[] b) {
        boolean[] seen = new boolean[256];
        int n = 0;
        for (byte x : b) {
            if (!seen[x & 0xff]) {
                seen[x & 0xff] = true;
                n++;
            }
        }
        return n;
    }
}
