package org.mqttwarden.store;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import javax.sql.DataSource;

import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.store.WardenDatabase;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The gateway's SQLite database: one file under {@code ${karaf.data}/warden/}, WAL mode, busy
 * timeout, foreign keys on, behind a small connection pool. The file and its {@code -wal} and
 * {@code -shm} companions are {@code rw-------} wherever {@code path} points. A change of
 * configuration restarts the component (and with it every component that uses the database).
 *
 * <p>When the file is replaced by another while open (a restored copy moved into place), the gateway
 * goes on with the connections it holds to the file it opened (they are never retired) and opens no
 * connection to the new file beside them, which would share the old file's {@code -wal} and {@code -shm};
 * on close, SQLite does not checkpoint a moved file, so the {@code -wal} and {@code -shm} it leaves
 * are removed, and the next start opens the new file as it is.
 */
@Component(service = WardenDatabase.class, configurationPid = "org.mqttwarden.store")
@Designate(ocd = SqliteDatabase.Config.class)
public final class SqliteDatabase implements WardenDatabase {

    @ObjectClassDefinition(name = "MQTT Warden store", description = "The database holding accounts, roles, ACL rules"
            + " and the state of other Warden bundles.")
    public @interface Config {
        @AttributeDefinition(description = "Path of the SQLite file. Empty: ${karaf.data}/warden/warden.db.")
        String path() default "";

        @AttributeDefinition(description = "How long a connection waits for a lock held by another writer, in ms.",
                min = "100", max = "60000")
        int busy_timeout_ms() default 5000;

        @AttributeDefinition(description = "Connections kept open.", min = "1", max = "32")
        int pool_size() default 4;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabase.class);
    /** Permissions anyone but the file's owner has. */
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** The companions SQLite keeps beside the database file; each holds database pages. */
    static final List<String> COMPANIONS = List.of("-wal", "-shm", "-journal");

    private final Path file;
    /** The identity of the file opened (device and inode), null where the file system has none. */
    private final Object fileKey;
    /** The identities of the companions the connections write, learnt when the first one opens. */
    private volatile Object walKey;
    private volatile Object shmKey;
    private final SQLiteDataSource sqliteSource;
    private final HikariDataSource pool;
    private final Migrator migrator;

    @Activate
    public SqliteDatabase(Config config) {
        this(resolve(config.path()), config.busy_timeout_ms(), config.pool_size());
    }

    /** Opens (creating if needed) the database file at {@code file}. */
    public SqliteDatabase(Path file, int busyTimeoutMs, int poolSize) {
        this.file = file.toAbsolutePath();
        createPrivateDirectory(this.file.getParent());
        createPrivateFile(this.file);
        this.fileKey = fileKey(this.file);
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        sqlite.setBusyTimeout(busyTimeoutMs);
        // Transactions take the write lock when they begin: a read-then-write transaction begun deferred fails
        // at once with SQLITE_BUSY (snapshot) when another connection committed between its read and its write,
        // without waiting busy_timeout; begun IMMEDIATE it waits its turn. Reads outside transactions are
        // unaffected (autocommit, WAL: they never wait for writers).
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        sqlite.enforceForeignKeys(true);
        this.sqliteSource = new SQLiteDataSource(sqlite) {
            @Override
            public SQLiteConnection getConnection(String username, String password) throws SQLException {
                refuseIfReplaced();
                return learnCompanions(super.getConnection(username, password));
            }
        };
        sqliteSource.setUrl("jdbc:sqlite:" + this.file);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("warden-store");
        hikari.setDataSource(sqliteSource);
        hikari.setMaximumPoolSize(Math.max(1, Math.min(32, poolSize)));
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(Math.max(250, busyTimeoutMs));
        hikari.setInitializationFailTimeout(-1);
        // a connection is never retired for its age or idleness: no new one is needed while the file is open
        hikari.setMaxLifetime(0);
        hikari.setIdleTimeout(0);
        this.pool = new HikariDataSource(hikari);
        this.migrator = new Migrator(Jdbi.create(pool));
        LOG.info("Warden database at {}", this.file);
    }

    @Deactivate
    public void close() {
        pool.close();
        if (replaced()) {
            removeCompanion("-wal", walKey);
            removeCompanion("-shm", shmKey);
        }
    }

    /**
     * @return true when the path no longer names the file opened (replaced by another, or removed);
     *     false while it does, or where the file system gives files no identity
     */
    boolean replaced() {
        return fileKey != null && !Objects.equals(fileKey, fileKey(file));
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

    /** @return the database file, absolute */
    Path file() {
        return file;
    }

    /** @return a connection of its own, outside the pool, configured like the pool's; the caller closes it */
    Connection openUnpooledConnection() throws SQLException {
        return sqliteSource.getConnection();
    }

    /** @return true once {@link #close()} has run */
    boolean isClosed() {
        return pool.isClosed();
    }

    @Override
    public DataSource dataSource() {
        return pool;
    }

    @Override
    public String describe() {
        return "sqlite:" + file;
    }

    @Override
    public void migrate(String owner, List<Migration> migrations) {
        migrator.migrate(owner, migrations);
    }

    static Path resolve(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured.trim());
        }
        String data = System.getProperty("karaf.data");
        Path base = data == null ? Paths.get("data") : Paths.get(data);
        return base.resolve("warden").resolve("warden.db");
    }

    /** The folder holds password hashes: only the gateway's OS user may enter it. */
    static void createPrivateDirectory(Path dir) {
        try {
            if (Files.notExists(dir)) {
                Files.createDirectories(dir);
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the database folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The file holds password hashes wherever it lives: creates it {@code rw-------} when absent (SQLite
     * takes an empty file as a new database and gives its {@code -wal} and {@code -shm} files the
     * database file's permissions), and takes group and other permissions away from an existing file
     * and its companions (WARN). Does nothing where the file system has no POSIX permissions.
     *
     * @throws IllegalStateException when the file cannot be created or made private; nothing is opened
     */
    static void createPrivateFile(Path file) {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        try {
            if (Files.notExists(file)) {
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another process created it a moment ago: made private below like any existing file
                }
            }
            makePrivate(file);
            for (String suffix : COMPANIONS) {
                Path c = file.resolveSibling(file.getFileName() + suffix);
                if (Files.exists(c)) {
                    makePrivate(c);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot make the database file " + file + " private (rw-------): "
                    + e.getMessage(), e);
        }
    }

    private static void makePrivate(Path file) throws IOException {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(file);
        if (now.stream().noneMatch(OTHERS::contains)) {
            return;
        }
        Set<PosixFilePermission> own = EnumSet.noneOf(PosixFilePermission.class);
        own.addAll(now);
        own.removeAll(OTHERS);
        Files.setPosixFilePermissions(file, own);
        LOG.warn("{} was {}: now {} (it holds password hashes)", file, PosixFilePermissions.toString(now),
                PosixFilePermissions.toString(own));
    }
}
