package org.mqttwarden.audit;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.store.DatabaseFile;
import org.mqttwarden.api.store.DatabaseFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit's own SQLite file, opened through warden-store's {@link DatabaseFiles} like every database
 * file of the gateway: WAL so readers never block the writer, {@code synchronous=FULL} so a commit is on
 * disk when it returns, {@code BEGIN IMMEDIATE} so the writer waits (busy timeout) rather than failing when
 * another process holds the lock, the write-ahead log cut back to {@value #WAL_SIZE_LIMIT} bytes after a
 * checkpoint. The folder is private to the OS user and the file {@code rw-------}. Migrations run, through
 * the store's one runner, when it opens.
 */
final class AuditFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditFile.class);

    /** Bytes the write-ahead log file keeps after a checkpoint, at most. */
    static final int WAL_SIZE_LIMIT = 16 * 1024 * 1024;
    /** Connections: one for the writer thread, the others for queries. */
    static final int POOL_SIZE = 3;

    private final DatabaseFile db;
    private final Jdbi jdbi;

    /**
     * Opens (creating if needed) the audit file and brings its schema up to date.
     *
     * @param path where the file is; {@code null}: {@code ${karaf.data}/warden/audit.db}
     * @throws IllegalArgumentException when {@code busyTimeoutMs} is out of range; nothing is opened
     * @throws IllegalStateException when the file cannot be opened or migrated; nothing is left open
     */
    AuditFile(DatabaseFiles files, Path path, int busyTimeoutMs) {
        this.db = files.open(DatabaseFiles.Settings.of(AuditTables.OWNER).withPath(path)
                .withDurability(DatabaseFiles.Durability.FULL).withPoolSize(POOL_SIZE)
                .withBusyTimeoutMs(busyTimeoutMs).withWalSizeLimitBytes(WAL_SIZE_LIMIT));
        try {
            db.migrate(AuditTables.OWNER, AuditTables.MIGRATIONS);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        this.jdbi = Jdbi.create(db.dataSource());
        LOG.info("Audit log at {}", db.file());
    }

    Jdbi jdbi() {
        return jdbi;
    }

    /** @return the file, absolute */
    Path path() {
        return db.file();
    }

    /** @return the bytes the database's pages hold, free pages (reused before the file grows) excluded */
    long usedBytes() {
        return pageBytes(true);
    }

    /**
     * @return the size of the database, committed pages still in the write-ahead log included (the
     *     file on disk catches up at the next checkpoint)
     */
    long databaseBytes() {
        return pageBytes(false);
    }

    private long pageBytes(boolean withoutFree) {
        return jdbi.withHandle(h -> {
            long pageSize = h.createQuery("PRAGMA page_size").mapTo(Long.class).one();
            long pages = h.createQuery("PRAGMA page_count").mapTo(Long.class).one();
            long free = withoutFree ? h.createQuery("PRAGMA freelist_count").mapTo(Long.class).one() : 0;
            return (pages - free) * pageSize;
        });
    }

    @Override
    public void close() {
        db.close();
    }

    /** @return the path configured, or {@code null} for the default place */
    static Path configured(String configured) {
        return configured == null || configured.isBlank() ? null : Paths.get(configured.trim());
    }
}
