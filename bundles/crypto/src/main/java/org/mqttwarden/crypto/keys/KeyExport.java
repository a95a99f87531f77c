package org.mqttwarden.crypto.keys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;
import org.mqttwarden.crypto.envelope.EnvelopeCodec;
import org.mqttwarden.crypto.envelope.EnvelopeKey;

/**
 * One envelope key wrapped for provisioning a device: AES-256-GCM under a key derived from a one-time passphrase
 * with PBKDF2-HMAC-SHA256, so the file may travel by any channel and the passphrase by another. The gateway writes
 * it ({@code warden:key-export}); a device reads it with {@link #unwrap} (plain Java and Bouncy Castle: no OSGi).
 *
 * <h2>Format, version 1</h2>
 * All integers unsigned big-endian; the file is these bytes, nothing else.
 *
 * <pre>
 * offset  size  field
 * 0       4     magic 4D 51 57 4B (ASCII "MQWK")
 * 4       1     version 01
 * 5       1     KDF 01 = PBKDF2-HMAC-SHA256 (RFC 8018 5.2)
 * 6       4     iterations, 600 000 ... 10 000 000
 * 10      16    salt (random)
 * 26      1     K: key id length, 1 ... 64
 * 27      K     key id, UTF-8
 * 27+K    2     P: topic prefix length, 0 ... 65 535
 * 29+K    P     topic prefix, UTF-8
 * H=29+K+P 12   GCM nonce (random)
 * H+12    32    ciphertext of the 32-byte envelope key
 * H+44    16    GCM tag
 * </pre>
 *
 * KEK = PBKDF2-HMAC-SHA256(password = UTF-8 bytes of the passphrase, salt, iterations, 32 bytes);
 * ciphertext ‖ tag = AES-256-GCM(KEK, nonce, key, AAD = bytes [0, H)), tag 128 bits. The whole header (key id,
 * prefix, iterations, salt) is authenticated, so no field can be changed without the tag failing. A reader refuses
 * any other length, fewer iterations than 600 000 (a file made to be cheap to guess) and more than 10 000 000 (a
 * file made to stall the reader). A wrong passphrase and an altered file are told apart by nobody: both fail the tag.
 *
 * <p>Thread-safe; holds no state.
 */
public final class KeyExport {

    /** The least iterations written and accepted (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
    public static final int MIN_ITERATIONS = 600_000;
    /** The most iterations accepted: more would let a file stall the device reading it. */
    public static final int MAX_ITERATIONS = 10_000_000;
    /** The shortest passphrase accepted when wrapping. */
    public static final int MIN_PASSPHRASE_CHARS = 12;

    private static final byte[] MAGIC = {0x4D, 0x51, 0x57, 0x4B};
    private static final byte VERSION = 1;
    private static final byte KDF_PBKDF2_SHA256 = 1;
    private static final int SALT_BYTES = 16;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BYTES = 16;
    private static final int FIXED = 4 + 1 + 1 + 4 + SALT_BYTES + 1 + 2;
    private static final int MAX_PREFIX_BYTES = 65_535;

    private KeyExport() {
    }

    /**
     * @param secret the 32-byte envelope key; not kept
     * @param passphrase at least {@value #MIN_PASSPHRASE_CHARS} characters; not kept
     * @return the export file's bytes
     * @throws IllegalArgumentException when an argument is out of range (the message never contains a secret)
     */
    public static byte[] wrap(String keyId, String prefix, byte[] secret, char[] passphrase, SecureRandom random) {
        return wrap(keyId, prefix, secret, passphrase, MIN_ITERATIONS, random);
    }

    static byte[] wrap(String keyId, String prefix, byte[] secret, char[] passphrase, int iterations,
            SecureRandom random) {
        byte[] id = keyId == null ? new byte[0] : keyId.getBytes(StandardCharsets.UTF_8);
        byte[] pre = prefix == null ? null : prefix.getBytes(StandardCharsets.UTF_8);
        if (id.length < 1 || id.length > EnvelopeCodec.MAX_KEY_ID_BYTES) {
            throw new IllegalArgumentException("A key id has 1 to " + EnvelopeCodec.MAX_KEY_ID_BYTES + " bytes");
        }
        if (pre == null || pre.length > MAX_PREFIX_BYTES) {
            throw new IllegalArgumentException("A topic prefix has 0 to " + MAX_PREFIX_BYTES + " bytes");
        }
        if (secret == null || secret.length != EnvelopeKey.LENGTH) {
            throw new IllegalArgumentException("An envelope key has " + EnvelopeKey.LENGTH + " bytes");
        }
        if (passphrase == null || passphrase.length < MIN_PASSPHRASE_CHARS) {
            throw new IllegalArgumentException("The passphrase must have at least " + MIN_PASSPHRASE_CHARS
                    + " characters");
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("Iterations out of range");
        }
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        int h = FIXED + id.length + pre.length;
        ByteBuffer out = ByteBuffer.allocate(h + NONCE_BYTES + EnvelopeKey.LENGTH + TAG_BYTES);
        out.put(MAGIC).put(VERSION).put(KDF_PBKDF2_SHA256).putInt(iterations).put(salt)
                .put((byte) id.length).put(id).putShort((short) pre.length).put(pre).put(nonce);
        byte[] kek = kek(passphrase, salt, iterations);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            c.updateAAD(out.array(), 0, h);
            out.put(c.doFinal(secret));
            return out.array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
    }

    /**
     * Reads a key export, as a device does when it is provisioned.
     *
     * @param export the file's bytes
     * @param passphrase the passphrase it was wrapped with; not kept
     * @return the key, its id and topic prefix
     * @throws IllegalArgumentException when the bytes are not a version 1 key export, or the passphrase is wrong or
     *     the file altered (one message for both: they cannot be told apart); never contains a secret
     */
    public static ProvisionedKey unwrap(byte[] export, char[] passphrase) {
        return unwrap(export, (salt, iterations) -> kek(passphrase, salt, iterations));
    }

    /** Where a wrapping key comes from: derived from the passphrase, or (in tests) remembered. */
    interface KekSource {
        byte[] kek(byte[] salt, int iterations);
    }

    static ProvisionedKey unwrap(byte[] export, KekSource kekSource) {
        if (export == null || export.length < FIXED + 1 + NONCE_BYTES + EnvelopeKey.LENGTH + TAG_BYTES) {
            throw notAnExport();
        }
        ByteBuffer in = ByteBuffer.wrap(export);
        byte[] magic = new byte[4];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC) || in.get() != VERSION || in.get() != KDF_PBKDF2_SHA256) {
            throw notAnExport();
        }
        int iterations = in.getInt();
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("The key export asks for " + Integer.toUnsignedString(iterations)
                    + " PBKDF2 iterations, outside " + MIN_ITERATIONS + " to " + MAX_ITERATIONS + ": refused");
        }
        byte[] salt = new byte[SALT_BYTES];
        in.get(salt);
        int idLength = in.get() & 0xFF;
        if (idLength < 1 || idLength > EnvelopeCodec.MAX_KEY_ID_BYTES || in.remaining() < idLength + 2) {
            throw notAnExport();
        }
        byte[] id = new byte[idLength];
        in.get(id);
        int prefixLength = in.getShort() & 0xFFFF;
        if (in.remaining() != prefixLength + NONCE_BYTES + EnvelopeKey.LENGTH + TAG_BYTES) {
            throw notAnExport();
        }
        byte[] prefix = new byte[prefixLength];
        in.get(prefix);
        String keyId = Utf8.strict(id).orElseThrow(KeyExport::notAnExport);
        String topicPrefix = Utf8.strict(prefix).orElseThrow(KeyExport::notAnExport);
        int h = in.position();
        byte[] kek = kekSource.kek(salt, iterations);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"),
                    new GCMParameterSpec(TAG_BYTES * 8, export, h, NONCE_BYTES));
            c.updateAAD(export, 0, h);
            byte[] secret = c.doFinal(export, h + NONCE_BYTES, EnvelopeKey.LENGTH + TAG_BYTES);
            try {
                return new ProvisionedKey(keyId, topicPrefix, secret);
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("The key export does not open: wrong passphrase, or the file was"
                    + " altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** @return PBKDF2-HMAC-SHA256 of the passphrase's UTF-8 bytes, 32 bytes */
    static byte[] kek(char[] passphrase, byte[] salt, int iterations) {
        byte[] password = PKCS5S2ParametersGenerator.PKCS5PasswordToUTF8Bytes(passphrase);
        try {
            PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA256Digest());
            gen.init(password, salt, iterations);
            return ((KeyParameter) gen.generateDerivedParameters(256)).getKey();
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    private static IllegalArgumentException notAnExport() {
        return new IllegalArgumentException("Not an MQTT Warden key export (version 1)");
    }
}
