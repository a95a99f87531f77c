package org.mqttwarden.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.mqttwarden.api.store.DatabaseFile;
import org.mqttwarden.api.store.DatabaseFiles;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens bundles' own SQLite files ({@link DatabaseFiles}) the way the shared database is opened: through
 * {@link SqliteFile}. Each file is opened once at a time: a second {@link #open} of a file still open is
 * refused, since two pools on one file would each think they hold it. Files still open when this component
 * stops are closed.
 */
@Component(service = DatabaseFiles.class)
public final class SqliteDatabaseFiles implements DatabaseFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabaseFiles.class);

    private final Set<SqliteFile> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @throws IllegalStateException also when the file is open already through this service, or the
     *     service is closed
     */
    @Override
    public DatabaseFile open(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        if (closed) {
            throw new IllegalStateException("The database files service is stopped: cannot open " + settings.name());
        }
        synchronized (open) {
            java.nio.file.Path file = SqliteFile.resolve(settings).toAbsolutePath();
            for (SqliteFile f : open) {
                if (f.file().equals(file)) {
                    throw new IllegalStateException("Database file " + file + " is open already (as "
                            + f.name() + "): close it before opening it again");
                }
            }
            SqliteFile[] self = new SqliteFile[1];
            SqliteFile f = new SqliteFile(settings, "warden-" + settings.name(), "private data",
                    () -> open.remove(self[0]));
            self[0] = f;
            open.add(f);
            LOG.info("Database file {} opened for {} (synchronous={}, pool {}, busy timeout {} ms)", f.file(),
                    settings.name(), settings.durability(), settings.poolSize(), settings.busyTimeoutMs());
            return f;
        }
    }

    /** Closes the files their owners left open. */
    @Deactivate
    public void close() {
        closed = true;
        List<SqliteFile> left;
        synchronized (open) {
            left = new ArrayList<>(open);
        }
        for (SqliteFile f : left) {
            LOG.warn("Closing database file {} ({}), which its owner left open", f.file(), f.name());
            f.close();
        }
    }
}
