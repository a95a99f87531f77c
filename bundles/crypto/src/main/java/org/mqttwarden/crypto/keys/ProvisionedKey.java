package org.mqttwarden.crypto.keys;

import java.util.Arrays;

import org.mqttwarden.crypto.envelope.EnvelopeKey;

/**
 * A key read from a {@link KeyExport}: its id (carried in every envelope it seals), the topic prefix it is for,
 * and the secret. {@link #toString()} never shows the secret; {@link #erase()} zeroes this copy of it.
 */
public final class ProvisionedKey {

    private final String keyId;
    private final String prefix;
    private final byte[] secret;

    ProvisionedKey(String keyId, String prefix, byte[] secret) {
        this.keyId = keyId;
        this.prefix = prefix;
        this.secret = secret.clone();
    }

    public String keyId() {
        return keyId;
    }

    /** @return the topic prefix the gateway encrypts under this key ({@code ""}: every topic) */
    public String prefix() {
        return prefix;
    }

    /** @return a copy of the 32-byte secret, for the device to store as its pre-shared key; the caller erases it */
    public byte[] secret() {
        return secret.clone();
    }

    /** @return the envelope key made from the secret */
    public EnvelopeKey envelopeKey() {
        return EnvelopeKey.of(secret);
    }

    /** Zeroes this object's copy of the secret. */
    public void erase() {
        Arrays.fill(secret, (byte) 0);
    }

    @Override
    public String toString() {
        return "ProvisionedKey[" + keyId + ", prefix '" + prefix + "', material hidden]";
    }
}
