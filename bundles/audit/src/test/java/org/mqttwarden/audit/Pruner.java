package org.mqttwarden.audit;

import java.nio.file.Path;
import java.time.Clock;

import org.mqttwarden.store.SqliteDatabaseFiles;

/**
 * The audit retention, applied when a test says: a real {@link AuditRetention} on the log's file, wired as
 * {@link AuditLog} wires its own (its cut recorded through the log's writer), on a pool of its own as another
 * process would open the file. The log under test is opened without retention ({@link Logs#base}), so this is
 * the only one pruning.
 */
final class Pruner implements AutoCloseable {

    private final AuditFile file;
    private final AuditRetention retention;

    Pruner(AuditLog log, Path path, AuditRetention.Settings settings, Clock clock) {
        this.file = new AuditFile(new SqliteDatabaseFiles(), path, 5000);
        this.retention = new AuditRetention(file, log::accept, settings, clock);
    }

    /** @return what applying the retention now deleted */
    AuditRetention.Pruned prune() {
        return retention.pruneNow();
    }

    /** @return the file as the retention sees it (sizes, the last pruning record) */
    AuditFile file() {
        return file;
    }

    @Override
    public void close() {
        try {
            retention.close();
        } finally {
            file.close();
        }
    }
}
