package org.mqttwarden.crypto.keys;

import org.mqttwarden.crypto.envelope.EnvelopeKey;

/**
 * The key that seals messages on a topic: its id goes into the envelope ({@code EnvelopeCodec.seal}).
 *
 * @param prefix the topic prefix it was selected by
 */
public record EncryptionKey(String keyId, String prefix, EnvelopeKey key) {
}
