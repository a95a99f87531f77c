package org.mqttwarden.crypto.internal;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * HKDF-SHA256 (RFC 5869) with Bouncy Castle's generator (the JDK 17 has none): the one key derivation of the
 * envelope keys and the session keys, checked against RFC 5869's vectors by the envelope's KnownAnswerTest.
 */
public final class Hkdf {

    private Hkdf() {
    }

    /** @return {@code length} bytes of HKDF-SHA256 output */
    public static byte[] sha256(byte[] ikm, byte[] salt, byte[] info, int length) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(ikm, salt, info));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }
}
