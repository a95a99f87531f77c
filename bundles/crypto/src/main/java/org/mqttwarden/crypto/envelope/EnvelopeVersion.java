package org.mqttwarden.crypto.envelope;

/**
 * The envelope versions this library reads and writes. Each version fixes one algorithm suite, so a receiver never
 * negotiates: the version byte says exactly how the rest is to be read (ENVELOPE.md, "Versions").
 */
public enum EnvelopeVersion {
    /** AES-128-CBC with a random IV, PKCS#7 padding, HMAC-SHA256 encrypt-then-MAC, keys from HKDF-SHA256. */
    V1(1, 1, 16, 32),
    /** AES-256-GCM with a 96-bit nonce that never repeats within a sealing codec, 128-bit tag. The default. */
    V2(2, 2, 12, 16);

    private final int id;
    private final int algorithm;
    private final int ivLength;
    private final int tagLength;

    EnvelopeVersion(int id, int algorithm, int ivLength, int tagLength) {
        this.id = id;
        this.algorithm = algorithm;
        this.ivLength = ivLength;
        this.tagLength = tagLength;
    }

    /** @return the version byte at offset 4 */
    public int id() {
        return id;
    }

    /** @return the algorithm byte at offset 5, the only one this version allows */
    public int algorithm() {
        return algorithm;
    }

    /** @return bytes of IV (v1) or nonce (v2) after the header */
    public int ivLength() {
        return ivLength;
    }

    /** @return bytes of tag at the end of the envelope */
    public int tagLength() {
        return tagLength;
    }

    /** @return the version with this version byte, or null when there is none (the caller says MALFORMED) */
    static EnvelopeVersion byId(int id) {
        for (EnvelopeVersion v : values()) {
            if (v.id == id) {
                return v;
            }
        }
        return null;
    }
}
