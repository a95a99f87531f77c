package org.mqttwarden.crypto.envelope;

/**
 * The authenticated header fields of an envelope that opened {@code OK}. The replay window judges
 * {@code senderId}, {@code sequence} and {@code timestampMillis}; the codec only proves they are the sender's.
 *
 * @param version the envelope version (and so its algorithm)
 * @param keyId the id of the key it was sealed under
 * @param senderId who sealed it
 * @param sequence the sender's sequence number, 0 .. 2^63-1
 * @param timestampMillis the sender's clock when it sealed, ms since the epoch, 0 .. 2^63-1
 */
public record EnvelopeHeader(EnvelopeVersion version, String keyId, String senderId, long sequence,
        long timestampMillis) {
}
