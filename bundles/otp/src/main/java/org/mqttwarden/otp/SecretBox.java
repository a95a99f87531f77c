package org.mqttwarden.otp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts TOTP secrets for {@code warden.db} under a key kept outside it (AES-256-GCM, a random 96-bit IV per
 * secret), bound to their account: the account's name is authenticated with the secret, so a secret copied to
 * another account's row, or altered, does not decrypt. Stored form: {@code v1:} and Base64 of IV and ciphertext.
 * Thread-safe.
 */
final class SecretBox {

    private static final String PREFIX = "v1:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random;

    /** @param key 32 bytes */
    SecretBox(byte[] key, SecureRandom random) {
        if (key.length != 32) {
            throw new IllegalArgumentException("The secret key must have 32 bytes, has " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.random = random;
    }

    /** @return {@code secret} encrypted for {@code username}'s row */
    String seal(String username, byte[] secret) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(username.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(secret);
            byte[] out = Arrays.copyOf(iv, IV_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * @return the secret {@link #seal} sealed for {@code username}
     * @throws IllegalArgumentException when {@code stored} is not a sealed secret of {@code username} under this key
     *     (another account's, altered, or sealed under another key); the message never contains the secret
     */
    byte[] open(String username, String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            throw new IllegalArgumentException("Not a sealed TOTP secret");
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Not a sealed TOTP secret", e);
        }
        if (in.length <= IV_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("Not a sealed TOTP secret");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            c.updateAAD(username.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(in, IV_BYTES, in.length - IV_BYTES);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("The TOTP secret of " + username + " does not decrypt: altered, another"
                    + " account's, or sealed under another key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }
}
