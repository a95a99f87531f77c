package org.mqttwarden.crypto.envelope;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.Mac;

import org.mqttwarden.crypto.internal.Hkdf;


/**
 * The only places the envelope touches cryptographic primitives, so the known-answer tests run exactly what the codec
 * runs: the JDK's AES/CBC/PKCS5Padding, AES/GCM/NoPadding and HmacSHA256, and Bouncy Castle's HKDF (the JDK 17 has
 * none). Nothing here is hand-written cryptography. Instances of {@link Cipher} and {@link Mac} are not thread-safe,
 * hence one per thread; they hold JDK classes only, so a thread outliving the bundle keeps no class of ours alive.
 */
final class Primitives {

    static final String CBC = "AES/CBC/PKCS5Padding";
    static final String GCM = "AES/GCM/NoPadding";
    static final String HMAC = "HmacSHA256";

    /** HKDF salt for every envelope key: ASCII "MQTT Warden envelope". */
    static final byte[] SALT = ascii("MQTT Warden envelope");
    static final byte[] INFO_V1_ENC = ascii("MQTT Warden envelope v1 AES-128-CBC key");
    static final byte[] INFO_V1_MAC = ascii("MQTT Warden envelope v1 HMAC-SHA256 key");
    static final byte[] INFO_V2_GCM = ascii("MQTT Warden envelope v2 AES-256-GCM key");

    private static final ThreadLocal<Cipher> CBC_CIPHER = ThreadLocal.withInitial(() -> cipher(CBC));
    private static final ThreadLocal<Cipher> GCM_CIPHER = ThreadLocal.withInitial(() -> cipher(GCM));
    private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(Primitives::mac);

    private Primitives() {
    }

    /** @return HKDF-SHA256 (RFC 5869) output of {@code length} bytes */
    static byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
        return Hkdf.sha256(ikm, salt, info, length);
    }

    /** @return this thread's AES/CBC/PKCS5Padding cipher, to be initialised by the caller */
    static Cipher cbc() {
        return CBC_CIPHER.get();
    }

    /** @return this thread's AES/GCM/NoPadding cipher, to be initialised by the caller */
    static Cipher gcm() {
        return GCM_CIPHER.get();
    }

    /** @return this thread's HmacSHA256, to be initialised by the caller */
    static Mac hmacSha256() {
        return HMAC_SHA256.get();
    }

    private static Cipher cipher(String transformation) {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK does not provide " + transformation, e);
        }
    }

    private static Mac mac() {
        try {
            return Mac.getInstance(HMAC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK does not provide " + HMAC, e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
