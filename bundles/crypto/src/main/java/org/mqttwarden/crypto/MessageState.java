package org.mqttwarden.crypto;

/**
 * What a received protected message turned out to be. Only {@link #OK} hands plaintext to the application; every
 * other state hands the state alone, never data.
 */
public enum MessageState {
    /** Authentic, fresh, decrypted: its plaintext may be used. */
    OK,
    /** The envelope parsed, but its tag does not verify (payload, header or topic altered, or a forgery). */
    TAMPERED,
    /** Authentic, but its sender's sequence number was accepted before, or is too old for the window. */
    REPLAYED,
    /** Authentic, but its timestamp is outside the accepted window (delayed or held back). */
    STALE,
    /** The key id names no key this receiver has (or one retired beyond its grace period). */
    UNKNOWN_KEY,
    /** Not an envelope of a version and algorithm this receiver knows, or truncated. */
    MALFORMED
}
