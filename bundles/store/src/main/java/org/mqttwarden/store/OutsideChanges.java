package org.mqttwarden.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices, on its own thread and its own connection, what other processes do to the SQLite file behind
 * the gateway's back, and calls {@code onChange} so that caches above the store start over:
 * <ul>
 * <li>a commit that changed the account tables (an emergency {@code sqlite3} edit): {@code PRAGMA
 * data_version} moves on this connection for a commit by any other connection, ours included; only then
 * is the change counter the account tables' triggers keep read ({@link AccountTables#SQLITE_CHANGE_COUNTER}),
 * so writes to other bundles' tables (lockout state under a flood) drop nothing;</li>
 * <li>the file replaced by another (a restored copy moved into place: another file key): the gateway
 * goes on with the file it opened ({@link SqliteDatabase}), so this WARNs, once per new file, to restart
 * the gateway;</li>
 * <li>the file written without a commit SQLite saw (a copy written over the open file: its modification
 * time moved while {@code data_version} stayed put for two polls): WARN, also to restart.</li>
 * </ul>
 * A poll costs one {@code stat} and one {@code PRAGMA data_version} (no read of the file), plus one
 * one-row query when something committed. A poll that fails calls {@code onChange} (fail safe: the
 * caches read the store again), WARNs once until a poll succeeds again, and opens a new connection next
 * time. Stops by itself once the database is closed.
 */
final class OutsideChanges implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutsideChanges.class);

    private final SqliteDatabase database;
    private final Path file;
    private final Runnable onChange;
    private final ScheduledExecutorService timer;

    // guarded by this: poll and close are synchronized (a test may call poll beside the timer)
    private Connection connection;
    private long dataVersion;
    private long counter;
    /** The change counter as our own latest write left it; guarded by this. */
    private long ownCounter = -1;
    private final Object fileKey;
    private FileTime modified;
    private boolean quietBefore;
    private Object warnedKey;
    private boolean failing;
    private volatile boolean replaced;

    /**
     * Takes the current state of the file as the baseline (a blocking open and two tiny reads), then polls
     * every {@code interval}.
     *
     * @throws IllegalStateException when the file cannot be opened or read
     */
    OutsideChanges(SqliteDatabase database, Duration interval, Runnable onChange) {
        this.database = database;
        this.file = database.file();
        this.onChange = onChange;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            this.fileKey = attributes.fileKey();
            this.modified = attributes.lastModifiedTime();
            connect();
        } catch (IOException | SQLException e) {
            disconnect();
            throw new IllegalStateException("Cannot watch " + file + " for outside changes: " + e.getMessage(), e);
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warden-store-outside-changes");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        timer.scheduleWithFixedDelay(this::poll, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** @return true when the file was seen replaced by another one since the gateway opened it */
    boolean replaced() {
        return replaced;
    }

    /** One look at the file; runs on the timer thread (tests call it directly). Never throws. */
    synchronized void poll() {
        if (database.isClosed()) {
            close();
            return;
        }
        try {
            BasicFileAttributes attributes = attributes();
            Object key = attributes == null ? null : attributes.fileKey();
            if (!Objects.equals(key, fileKey)) {
                replaced = true;
                if (warnedKey == null || !warnedKey.equals(key == null ? file : key)) {
                    warnedKey = key == null ? file : key;
                    LOG.warn("{} was {} while the gateway runs: the gateway goes on with the file it opened"
                            + " (changes made now are lost when it stops) and opens no connection to the new one;"
                            + " restart the gateway to use the file now at that path", file,
                            key == null ? "removed" : "replaced by another file");
                    onChange.run();
                }
            }
            if (connection == null) {
                if (!Objects.equals(key, fileKey)) {
                    // never open the new file beside the old one: both would share the -wal and -shm files
                    return;
                }
                connect();
                onChange.run();
            }
            long dv = dataVersion();
            boolean quiet = dv == dataVersion;
            if (!quiet) {
                dataVersion = dv;
                long n = counter();
                if (n != counter) {
                    boolean ours = n == ownCounter;
                    counter = n;
                    if (!ours) {
                        LOG.debug("Account tables changed in {} ({})", file, n);
                        onChange.run();
                    }
                }
            } else if (attributes != null && Objects.equals(key, fileKey)
                    && !attributes.lastModifiedTime().equals(modified) && quietBefore) {
                LOG.warn("{} changed on disk without a commit the database saw (a copy written over the open"
                        + " file?): caches dropped; if the file was restored, restart the gateway", file);
                onChange.run();
            }
            if (attributes != null && Objects.equals(key, fileKey)) {
                modified = attributes.lastModifiedTime();
            }
            quietBefore = quiet;
            if (failing) {
                LOG.info("Watching {} for outside changes again", file);
                failing = false;
            }
        } catch (IOException | SQLException | RuntimeException e) {
            if (!failing) {
                LOG.warn("Cannot check {} for outside changes ({}); caches dropped, retrying", file, e.toString());
                failing = true;
            }
            disconnect();
            onChange.run();
        }
    }

    /**
     * Tells the watcher the change counter's value our own write committed: seeing exactly that value is no
     * outside change (the store moved its revision itself). A later value is: another process wrote after us.
     */
    synchronized void ownWrite(long counterAfter) {
        if (counterAfter > ownCounter) {
            ownCounter = counterAfter;
        }
    }

    @Override
    public synchronized void close() {
        timer.shutdown();
        disconnect();
    }

    private void connect() throws SQLException {
        connection = database.openUnpooledConnection();
        dataVersion = dataVersion();
        counter = counter();
    }

    private void disconnect() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Closing the watching connection to {} failed", file, e);
            }
            connection = null;
        }
    }

    private BasicFileAttributes attributes() throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private long dataVersion() throws SQLException {
        return single("PRAGMA data_version");
    }

    private long counter() throws SQLException {
        return single(AccountTables.SELECT_CHANGE_COUNTER);
    }

    private long single(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("No answer to " + sql);
            }
            return rs.getLong(1);
        }
    }
}
