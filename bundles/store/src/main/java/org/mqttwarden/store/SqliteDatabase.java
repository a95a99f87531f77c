package org.mqttwarden.store;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import org.mqttwarden.api.store.DatabaseFiles;
import org.mqttwarden.api.store.WardenDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's shared SQLite database: one file under {@code ${karaf.data}/warden/}, opened by
 * {@link SqliteFile} like every database file of the gateway (WAL mode, {@code synchronous=FULL}, busy
 * timeout, foreign keys on, {@code rw-------} wherever {@code path} points, behind a small connection pool;
 * a file replaced while open is not opened beside the old one). {@link StoreDatabase} opens it when no
 * {@code url} is configured; tests and tools open it directly.
 */
public final class SqliteDatabase implements WardenDatabase, StoreDatabase.Backend {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabase.class);

    private final SqliteFile file;

    /**
     * Opens (creating if needed) the database file at {@code file}.
     *
     * @throws IllegalArgumentException naming the setting when one is out of range; nothing is opened
     */
    public SqliteDatabase(Path file, int busyTimeoutMs, int poolSize) {
        this.file = new SqliteFile(DatabaseFiles.Settings.of("warden").withPath(file).withBusyTimeoutMs(busyTimeoutMs)
                .withPoolSize(poolSize), "warden-store", "password hashes", () -> { });
        LOG.info("Warden database at {}", this.file.file());
    }

    @Override
    public void close() {
        file.close();
    }

    /**
     * @return true when the path no longer names the file opened (replaced by another, or removed);
     *     false while it does, or where the file system gives files no identity
     */
    boolean replaced() {
        return file.replaced();
    }

    /** @return the database file, absolute */
    Path file() {
        return file.file();
    }

    /** @return a connection of its own, outside the pool, configured like the pool's; the caller closes it */
    Connection openUnpooledConnection() throws SQLException {
        return file.openUnpooledConnection();
    }

    /** @return true once {@link #close()} has run */
    boolean isClosed() {
        return file.isClosed();
    }

    @Override
    public DataSource dataSource() {
        return file.dataSource();
    }

    @Override
    public String describe() {
        return file.describe();
    }

    @Override
    public void migrate(String owner, List<Migration> migrations) {
        file.migrate(owner, migrations);
    }

    @Override
    public StoreStatus status() {
        return file.status("sqlite");
    }

    /** @return {@code configured}, else {@code ${karaf.data}/warden/warden.db} ({@code data/} without Karaf) */
    static Path resolve(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured.trim());
        }
        String data = System.getProperty("karaf.data");
        Path base = data == null ? Paths.get("data") : Paths.get(data);
        return base.resolve("warden").resolve("warden.db");
    }
}
