package org.mqttwarden.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import javax.sql.DataSource;

import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.store.DatabaseFile;
import org.mqttwarden.api.store.DatabaseFiles.Durability;
import org.mqttwarden.api.store.DatabaseFiles.Settings;
import org.mqttwarden.store.files.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The one place a SQLite file is opened, for the shared database ({@link SqliteDatabase}) and for a
 * bundle's own file ({@link SqliteDatabaseFiles}): the folder {@code rwx------} when created, the file and
 * its {@code -wal}, {@code -shm} and {@code -journal} companions {@code rw-------} (made so with a WARN when
 * found more open), WAL mode, the durability asked for, busy timeout, transactions begun {@code IMMEDIATE},
 * foreign keys on, an optional cap on the write-ahead log after checkpoints, behind a pool whose
 * connections are never retired; migrations through the one {@link Migrator}.
 *
 * <p>When the file is replaced by another while open (a restored copy moved into place), no connection is
 * opened to the new file beside the ones held to the old (it would share the old file's {@code -wal} and
 * {@code -shm}); on close, SQLite does not checkpoint a moved file, so the {@code -wal} and {@code -shm} it
 * leaves are removed, and the next start opens the new file as it is.
 */
final class SqliteFile implements DatabaseFile {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteFile.class);

    /** The companions SQLite keeps beside the database file; each holds database pages. */
    static final List<String> COMPANIONS = List.of("-wal", "-shm", "-journal");

    private final Path file;
    private final String name;
    /** The identity of the file opened (device and inode), null where the file system has none. */
    private final Object fileKey;
    /** The identities of the companions the connections write, learnt when the first one opens. */
    private volatile Object walKey;
    private volatile Object shmKey;
    private final SQLiteDataSource sqliteSource;
    private final HikariDataSource pool;
    private final Migrator migrator;
    private final Runnable onClose;
    private volatile String lastError;
    private volatile Instant lastErrorAt;

    /**
     * Opens (creating if needed) the file {@code settings} name.
     *
     * @param poolName the pool's and its threads' name
     * @param holds what the file holds, for the WARN when its permissions were too open
     * @param onClose run once when closed
     * @throws IllegalStateException when the folder or file cannot be created or made private; nothing is open
     */
    SqliteFile(Settings settings, String poolName, String holds, Runnable onClose) {
        this.name = settings.name();
        this.file = resolve(settings).toAbsolutePath();
        this.onClose = onClose;
        createPrivate(file, holds);
        this.fileKey = fileKey(file);
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(settings.durability() == Durability.FULL ? SQLiteConfig.SynchronousMode.FULL
                : SQLiteConfig.SynchronousMode.NORMAL);
        if (settings.walSizeLimitBytes() >= 0) {
            // after a checkpoint the write-ahead log is cut back to this, so it does not keep its peak size
            sqlite.setJournalSizeLimit((int) Math.min(Integer.MAX_VALUE, settings.walSizeLimitBytes()));
        }
        sqlite.setBusyTimeout(settings.busyTimeoutMs());
        // Transactions take the write lock when they begin: a read-then-write transaction begun deferred fails
        // at once with SQLITE_BUSY (snapshot) when another connection committed between its read and its write,
        // without waiting busy_timeout; begun IMMEDIATE it waits its turn. Reads outside transactions are
        // unaffected (autocommit, WAL: they never wait for writers).
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        sqlite.enforceForeignKeys(true);
        this.sqliteSource = new SQLiteDataSource(sqlite) {
            @Override
            public SQLiteConnection getConnection(String username, String password) throws SQLException {
                try {
                    refuseIfReplaced();
                    return learnCompanions(super.getConnection(username, password));
                } catch (SQLException e) {
                    lastError = e.getMessage();
                    lastErrorAt = Instant.now();
                    throw e;
                }
            }
        };
        sqliteSource.setUrl("jdbc:sqlite:" + file);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(poolName);
        hikari.setDataSource(sqliteSource);
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(Math.max(250, settings.busyTimeoutMs()));
        hikari.setInitializationFailTimeout(-1);
        // a connection is never retired for its age or idleness: no new one is needed while the file is open
        hikari.setMaxLifetime(0);
        hikari.setIdleTimeout(0);
        this.pool = new HikariDataSource(hikari);
        this.migrator = new Migrator(Jdbi.create(pool));
    }

    /** @return {@code settings.path()}, else {@code ${karaf.data}/warden/<name>.db} ({@code data/} without Karaf) */
    static Path resolve(Settings settings) {
        if (settings.path() != null) {
            return settings.path();
        }
        String data = System.getProperty("karaf.data");
        Path base = data == null ? Paths.get("data") : Paths.get(data);
        return base.resolve("warden").resolve(settings.name() + ".db");
    }

    @Override
    public void close() {
        if (pool.isClosed()) {
            return;
        }
        try {
            pool.close();
            if (replaced()) {
                removeCompanion("-wal", walKey);
                removeCompanion("-shm", shmKey);
            }
        } finally {
            onClose.run();
        }
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public DataSource dataSource() {
        return pool;
    }

    @Override
    public String describe() {
        return "sqlite:" + file;
    }

    /**
     * @throws IllegalStateException naming the owner, version and description of the migration that failed;
     *     nothing of it is applied
     */
    @Override
    public void migrate(String owner, List<Migration> migrations) {
        migrator.migrate(owner, migrations);
    }

    /**
     * @param backend what the status calls this database
     * @return the file, its schema versions, its pool's use and the last failure to open a connection
     */
    StoreStatus status(String backend) {
        java.util.Map<String, Integer> schema = java.util.Map.of();
        String schemaError = null;
        try {
            schema = migrator.versions();
        } catch (RuntimeException e) {
            schemaError = String.valueOf(e.getMessage());
        }
        return new StoreStatus(backend, describe(), schema, schemaError, StoreStatus.Pool.of(pool), lastError,
                lastErrorAt);
    }

    /** @return the name the file was opened under */
    String name() {
        return name;
    }

    /**
     * @return true when the path no longer names the file opened (replaced by another, or removed);
     *     false while it does, or where the file system gives files no identity
     */
    boolean replaced() {
        return fileKey != null && !Objects.equals(fileKey, fileKey(file));
    }

    /** @return a connection of its own, outside the pool, configured like the pool's; the caller closes it */
    Connection openUnpooledConnection() throws SQLException {
        return sqliteSource.getConnection();
    }

    /** @return true once {@link #close()} has run */
    boolean isClosed() {
        return pool.isClosed();
    }

    /**
     * Refuses a new connection once the file was replaced, before opening anything: a connection to the
     * new file would take the old file's {@code -wal} for its own and, closing, copy its pages into it.
     */
    private void refuseIfReplaced() throws SQLException {
        if (replaced()) {
            throw new SQLException(file + " was replaced by another file while the gateway runs: no connection"
                    + " is opened to the new one; restart the gateway to use it");
        }
    }

    private SQLiteConnection learnCompanions(SQLiteConnection connection) {
        if (walKey == null) {
            walKey = fileKey(companion("-wal"));
            shmKey = fileKey(companion("-shm"));
        }
        return connection;
    }

    /** Removes a companion the connections wrote, only if it is still the same file. */
    private void removeCompanion(String suffix, Object key) {
        Path c = companion(suffix);
        if (key == null || !key.equals(fileKey(c))) {
            return;
        }
        try {
            Files.deleteIfExists(c);
            LOG.warn("Removed {}: it belonged to the database file that was replaced, so the file now at {} opens"
                    + " as it is", c, file);
        } catch (IOException e) {
            LOG.warn("Could not remove {}, which belonged to the database file that was replaced: remove it"
                    + " before the next start ({})", c, e.toString());
        }
    }

    private Path companion(String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    /** @return the file's identity, or null when it does not exist or the file system gives none */
    static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The file holds private data wherever it lives: creates its folder {@code rwx------} when absent and the
     * file {@code rw-------} (SQLite takes an empty file as a new database and gives its {@code -wal} and
     * {@code -shm} files the database file's permissions), and takes group and other permissions away from
     * an existing file and its companions (WARN).
     *
     * @throws IllegalStateException when the folder or file cannot be created or made private
     */
    static void createPrivate(Path file, String holds) {
        try {
            PrivateFiles.createDirectory(file.getParent());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the database folder " + file.getParent() + ": "
                    + e.getMessage(), e);
        }
        try {
            PrivateFiles.createFile(file);
            PrivateFiles.restrict(file, holds);
            for (String suffix : COMPANIONS) {
                Path c = file.resolveSibling(file.getFileName() + suffix);
                if (Files.exists(c)) {
                    PrivateFiles.restrict(c, holds);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot make the database file " + file + " private (rw-------): "
                    + e.getMessage(), e);
        }
    }
}
