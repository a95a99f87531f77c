package org.mqttwarden.audit;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.store.WardenDatabase.Migration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The audit's own SQLite file: WAL so readers never block the writer, {@code synchronous=FULL} so a
 * commit is on disk when it returns, {@code BEGIN IMMEDIATE} so the writer waits (busy timeout)
 * rather than failing when another process holds the lock. The folder is private to the OS user
 * and the file is created {@code rw-------}. Migrations run when it opens.
 */
final class AuditFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditFile.class);

    /** Bytes the write-ahead log file keeps after a checkpoint, at most. */
    static final int WAL_SIZE_LIMIT = 16 * 1024 * 1024;

    private final Path file;
    private final HikariDataSource pool;
    private final Jdbi jdbi;

    /** Opens (creating if needed) the audit file and brings its schema up to date. */
    AuditFile(Path file, int busyTimeoutMs) {
        this.file = file.toAbsolutePath();
        createPrivate(this.file);
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        // after a checkpoint the write-ahead log is cut back to this, so it does not keep its peak size
        sqlite.setJournalSizeLimit(WAL_SIZE_LIMIT);
        sqlite.setBusyTimeout(busyTimeoutMs);
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource source = new SQLiteDataSource(sqlite);
        source.setUrl("jdbc:sqlite:" + this.file);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("warden-audit");
        hikari.setDataSource(source);
        // one connection for the writer thread, the others for queries
        hikari.setMaximumPoolSize(3);
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(Math.max(250, busyTimeoutMs));
        hikari.setInitializationFailTimeout(-1);
        this.pool = new HikariDataSource(hikari);
        this.jdbi = Jdbi.create(pool);
        try {
            migrate(AuditTables.MIGRATIONS);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        LOG.info("Audit log at {}", this.file);
    }

    Jdbi jdbi() {
        return jdbi;
    }

    Path path() {
        return file;
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
        pool.close();
    }

    private void migrate(List<Migration> migrations) {
        jdbi.useHandle(h -> h.execute(AuditTables.CREATE_SCHEMA_TABLE));
        Set<Integer> applied = new HashSet<>(jdbi.withHandle(h -> h.createQuery(AuditTables.SELECT_APPLIED)
                .bind("owner", AuditTables.OWNER).mapTo(Integer.class).list()));
        for (Migration m : migrations.stream().sorted(Comparator.comparingInt(Migration::version)).toList()) {
            if (applied.contains(m.version())) {
                continue;
            }
            try {
                jdbi.useTransaction(h -> {
                    for (String sql : m.statements()) {
                        h.execute(sql);
                    }
                    h.createUpdate(AuditTables.INSERT_APPLIED).bind("owner", AuditTables.OWNER)
                            .bind("version", m.version()).bind("description", m.description())
                            .bind("at", Instant.now().toEpochMilli()).execute();
                });
            } catch (RuntimeException e) {
                throw new IllegalStateException("Migration " + AuditTables.OWNER + " v" + m.version() + " ("
                        + m.description() + ") failed: " + e.getMessage(), e);
            }
            LOG.info("Applied schema migration {} v{}: {}", AuditTables.OWNER, m.version(), m.description());
        }
    }

    static Path resolve(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured.trim());
        }
        String data = System.getProperty("karaf.data");
        Path base = data == null ? Paths.get("data") : Paths.get(data);
        return base.resolve("warden").resolve("audit.db");
    }

    /** Who logged in from where is personal data: only the gateway's OS user may read it. */
    private static void createPrivate(Path file) {
        Path dir = file.getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        try {
            if (Files.notExists(dir)) {
                Files.createDirectories(dir);
                if (posix) {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                }
            }
            if (Files.notExists(file)) {
                // SQLite takes an empty file as a new database; its -wal and -shm files copy these permissions
                if (posix) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(file);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the audit file " + file + ": " + e.getMessage(), e);
        }
    }
}
