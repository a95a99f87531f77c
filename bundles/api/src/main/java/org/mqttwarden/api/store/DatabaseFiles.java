package org.mqttwarden.api.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Opens a bundle's own database file (the audit's, for one), the way warden-store opens the shared
 * {@link WardenDatabase}: SQLite in WAL mode behind a small pool, the folder and the file private to the
 * gateway's OS user, transactions begun {@code IMMEDIATE}, foreign keys on, migrations through the same
 * runner as {@link WardenDatabase#migrate}. A bundle that keeps its state in the shared database uses
 * {@link WardenDatabase} instead.
 *
 * @since 1.3
 */
@ProviderType
public interface DatabaseFiles {

    /**
     * Opens, creating it if needed, the file {@code settings} name. Blocks while the file is created and
     * its first connection opened; call it where blocking is allowed.
     *
     * @return the open file; the caller closes it (closing this service closes every file still open)
     * @throws IllegalStateException when the file or its folder cannot be created or made private, or the
     *     service is closed; nothing is left open
     */
    DatabaseFile open(Settings settings);

    /** How a commit reaches the disk. */
    enum Durability {
        /** {@code synchronous=FULL}: a commit is on disk when it returns, even across a power cut. */
        FULL,
        /**
         * {@code synchronous=NORMAL}: a commit survives a crash of the gateway, but the last ones may be
         * lost on a power cut; fewer disk syncs.
         */
        NORMAL
    }

    /**
     * What to open and how.
     *
     * @param name the file's name without {@code .db}: 1 to 32 of {@code a-z 0-9 -}, starting with a letter;
     *     the file is {@code ${karaf.data}/warden/<name>.db} unless {@code path} says otherwise
     * @param path where the file is instead, or {@code null} for the default place
     * @param durability how a commit reaches the disk
     * @param poolSize connections kept open, 1 to 32
     * @param busyTimeoutMs how long a connection waits for a lock held by another writer, 0 to 600000 ms
     * @param walSizeLimitBytes bytes the write-ahead log keeps after a checkpoint, at most; {@code -1}: no limit
     * @throws IllegalArgumentException naming the setting and its allowed values when one is out of range
     */
    record Settings(String name, Path path, Durability durability, int poolSize, int busyTimeoutMs,
            long walSizeLimitBytes) {

        private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

        public Settings {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(durability, "durability");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("Database name '" + name + "' is not 1 to 32 of a-z, 0-9 and -,"
                        + " starting with a letter");
            }
            if (poolSize < 1 || poolSize > 32) {
                throw new IllegalArgumentException("Pool size of database " + name + " must be 1 to 32, was "
                        + poolSize);
            }
            if (busyTimeoutMs < 0 || busyTimeoutMs > 600_000) {
                throw new IllegalArgumentException("Busy timeout of database " + name + " must be 0 to 600000 ms,"
                        + " was " + busyTimeoutMs);
            }
            if (walSizeLimitBytes < -1) {
                throw new IllegalArgumentException("WAL size limit of database " + name + " must be -1 (none) or"
                        + " 0 bytes or more, was " + walSizeLimitBytes);
            }
        }

        /**
         * @return settings for {@code name} in the default place: durability {@code FULL}, 4 connections,
         *     5 s busy timeout, no WAL size limit
         */
        public static Settings of(String name) {
            return new Settings(name, null, Durability.FULL, 4, 5000, -1);
        }

        /** @return these settings with the file at {@code path}; {@code null}: the default place */
        public Settings withPath(Path path) {
            return new Settings(name, path, durability, poolSize, busyTimeoutMs, walSizeLimitBytes);
        }

        /** @return these settings with {@code durability} */
        public Settings withDurability(Durability durability) {
            return new Settings(name, path, durability, poolSize, busyTimeoutMs, walSizeLimitBytes);
        }

        /** @return these settings with {@code poolSize} connections */
        public Settings withPoolSize(int poolSize) {
            return new Settings(name, path, durability, poolSize, busyTimeoutMs, walSizeLimitBytes);
        }

        /** @return these settings with a busy timeout of {@code busyTimeoutMs} */
        public Settings withBusyTimeoutMs(int busyTimeoutMs) {
            return new Settings(name, path, durability, poolSize, busyTimeoutMs, walSizeLimitBytes);
        }

        /** @return these settings with the write-ahead log cut back to {@code walSizeLimitBytes} */
        public Settings withWalSizeLimitBytes(long walSizeLimitBytes) {
            return new Settings(name, path, durability, poolSize, busyTimeoutMs, walSizeLimitBytes);
        }
    }
}
