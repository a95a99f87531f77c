package org.mqttwarden.crypto.keys;

/** Where a gateway key is in its life. */
public enum KeyState {
    /** The key new messages on its prefix are sealed with; it also opens them. */
    ENCRYPTING,
    /** Replaced by a newer key of its prefix: it still opens messages until its retirement time. */
    DECRYPT_ONLY,
    /** Past its grace period: envelopes naming it are UNKNOWN_KEY. */
    RETIRED
}
