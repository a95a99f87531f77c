package org.mqttwarden.crypto.keys;

import java.util.List;

import org.mqttwarden.api.store.WardenDatabase.Migration;

/**
 * The SQL of the gateway's envelope keys in {@code warden.db} (owner {@value #OWNER}), for SQLite and PostgreSQL
 * alike. Times are epoch milliseconds.
 *
 * <p>{@code warden_crypto_key}: one row per key: its id, the topic prefix it serves, the key sealed by
 * {@link KeyBox} (never the key), when it was made and when a newer key of its prefix replaced it (null while it is
 * the one that encrypts). A retired key's {@code sealed} becomes {@value #ERASED}; its row stays for the list.
 * The partial unique index allows one encrypting key per prefix.
 */
final class KeyTables {

    static final String OWNER = "crypto";

    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "gateway envelope keys", List.of(
            "CREATE TABLE warden_crypto_key (key_id VARCHAR(64) NOT NULL PRIMARY KEY,"
                    + " prefix VARCHAR(1024) NOT NULL, sealed VARCHAR(256) NOT NULL, created_at BIGINT NOT NULL,"
                    + " superseded_at BIGINT)",
            "CREATE UNIQUE INDEX warden_crypto_key_encrypting ON warden_crypto_key (prefix)"
                    + " WHERE superseded_at IS NULL")));

    static final String SELECT_ALL = "SELECT key_id, prefix, sealed, created_at, superseded_at"
            + " FROM warden_crypto_key ORDER BY prefix, created_at, key_id";
    static final String SELECT_ONE = "SELECT key_id, prefix, sealed, created_at, superseded_at"
            + " FROM warden_crypto_key WHERE key_id = :keyId";
    static final String COUNT_ENCRYPTING = "SELECT COUNT(*) FROM warden_crypto_key"
            + " WHERE prefix = :prefix AND superseded_at IS NULL";
    static final String COUNT_ID = "SELECT COUNT(*) FROM warden_crypto_key WHERE key_id = :keyId";
    static final String INSERT = "INSERT INTO warden_crypto_key (key_id, prefix, sealed, created_at, superseded_at)"
            + " VALUES (:keyId, :prefix, :sealed, :at, NULL)";
    /** What {@code sealed} holds once a retired key's material is erased. */
    static final String ERASED = "erased";
    /** Erases the material of every key retired by {@code :cutoff} (now minus the grace period). */
    static final String ERASE_RETIRED = "UPDATE warden_crypto_key SET sealed = :erased"
            + " WHERE superseded_at IS NOT NULL AND superseded_at <= :cutoff AND sealed <> :erased";
    static final String SUPERSEDE = "UPDATE warden_crypto_key SET superseded_at = :at"
            + " WHERE prefix = :prefix AND superseded_at IS NULL";

    private KeyTables() {
    }
}
