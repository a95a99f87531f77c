package org.mqttwarden.crypto.keys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals envelope keys for their row in {@code warden.db} under the key file {@code etc/warden-crypto-keys.key}
 * (AES-256-GCM, a random 96-bit IV per key), bound to the row's key id and topic prefix: they are authenticated with
 * the key, so a sealed key copied to another id or prefix, or altered, does not open, and a copy of the database
 * alone reveals no key. Stored form: {@code v1:} and Base64 of IV ‖ ciphertext ‖ tag. Thread-safe.
 */
final class KeyBox {

    private static final String PREFIX = "v1:";
    private static final byte[] CONTEXT = "MQTT Warden gateway key v1".getBytes(StandardCharsets.US_ASCII);
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random;

    /** @param key 32 bytes; copied */
    KeyBox(byte[] key, SecureRandom random) {
        if (key.length != 32) {
            throw new IllegalArgumentException("The key store's sealing key must have 32 bytes, has " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
        this.random = random;
    }

    /** @return {@code secret} sealed for the row of {@code keyId} and {@code prefix} */
    String seal(String keyId, String prefix, byte[] secret) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(binding(keyId, prefix));
            byte[] sealed = c.doFinal(secret);
            byte[] out = Arrays.copyOf(iv, IV_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * @return the secret sealed for this key id and prefix; empty when {@code stored} is not that (another row's,
     *     altered, or sealed under another key). The caller erases the secret.
     */
    Optional<byte[]> open(String keyId, String prefix, String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return Optional.empty();
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (in.length <= IV_BYTES + TAG_BITS / 8) {
            return Optional.empty();
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            c.updateAAD(binding(keyId, prefix));
            return Optional.of(c.doFinal(in, IV_BYTES, in.length - IV_BYTES));
        } catch (AEADBadTagException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Context ‖ uint16 length ‖ key id ‖ uint32 length ‖ prefix (UTF-8): unambiguous. */
    private static byte[] binding(String keyId, String prefix) {
        byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
        byte[] pre = prefix.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(CONTEXT.length + 2 + id.length + 4 + pre.length).put(CONTEXT)
                .putShort((short) id.length).put(id).putInt(pre.length).put(pre).array();
    }
}
