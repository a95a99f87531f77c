package org.mqttwarden.crypto.envelope;

import java.util.Arrays;

import javax.crypto.spec.SecretKeySpec;

/**
 * One 256-bit envelope key and the keys HKDF-SHA256 derives from it for each use (ENVELOPE.md, "Keys"): the v1
 * AES-128 key, the v1 HMAC key and the v2 AES-256 key are independent of each other, so the same key may seal both
 * versions without one use weakening the other. Derived once here, not per message. Immutable and thread-safe;
 * {@link #toString()} never shows key material.
 */
public final class EnvelopeKey {

    /** Bytes of key an envelope key is made from. */
    public static final int LENGTH = 32;

    private final SecretKeySpec v1Encryption;
    private final SecretKeySpec v1Mac;
    private final SecretKeySpec v2Encryption;

    private EnvelopeKey(byte[] secret) {
        byte[] enc = Primitives.hkdfSha256(secret, Primitives.SALT, Primitives.INFO_V1_ENC, 16);
        byte[] mac = Primitives.hkdfSha256(secret, Primitives.SALT, Primitives.INFO_V1_MAC, 32);
        byte[] gcm = Primitives.hkdfSha256(secret, Primitives.SALT, Primitives.INFO_V2_GCM, 32);
        this.v1Encryption = new SecretKeySpec(enc, "AES");
        this.v1Mac = new SecretKeySpec(mac, Primitives.HMAC);
        this.v2Encryption = new SecretKeySpec(gcm, "AES");
        Arrays.fill(enc, (byte) 0);
        Arrays.fill(mac, (byte) 0);
        Arrays.fill(gcm, (byte) 0);
    }

    /**
     * @param secret exactly {@link #LENGTH} bytes of uniformly random key (a pre-shared key or a session key); not
     *        kept, the caller may erase it afterwards
     * @return the envelope key derived from it
     * @throws IllegalArgumentException when the secret is not 32 bytes long
     */
    public static EnvelopeKey of(byte[] secret) {
        if (secret == null || secret.length != LENGTH) {
            throw new IllegalArgumentException("An envelope key must be exactly " + LENGTH + " bytes long");
        }
        return new EnvelopeKey(secret);
    }

    SecretKeySpec v1Encryption() {
        return v1Encryption;
    }

    SecretKeySpec v1Mac() {
        return v1Mac;
    }

    SecretKeySpec v2Encryption() {
        return v2Encryption;
    }

    @Override
    public String toString() {
        return "EnvelopeKey[material hidden]";
    }
}
