package org.mqttwarden.api.store;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Secret keys a bundle keeps outside the database, one file each ({@code ${karaf.etc}/warden-<name>.key}, hex),
 * so that a copy of {@code warden.db} or its backup gives nothing away: a key is created with random bytes,
 * readable by the gateway's OS user only from the moment the file exists, and read back on every start.
 * Provided by warden-store.
 */
@ProviderType
public interface KeyFiles {

    /**
     * @param name 1 to 32 of {@code a-z 0-9 -}, starting with a letter, e.g. {@code otp-codes}
     * @param bytes the key's length, 16 to 64
     * @return the key, created when its file does not exist yet; the caller must not log it
     * @throws IllegalArgumentException when the name or length is out of range
     * @throws IllegalStateException when the file may be read by its group or others (it is refused, not
     *     changed: someone may have the key), does not hold a key of {@code bytes} bytes, or cannot be read or
     *     created; the message says which and never contains the key
     */
    byte[] key(String name, int bytes);
}
