package org.mqttwarden.audit;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.store.SqliteDatabaseFiles;
import org.mqttwarden.testsupport.Configs;

/**
 * Audit logs for the tests, opened as Declarative Services opens one: through {@link AuditLog.Config} and
 * warden-store's real {@link SqliteDatabaseFiles}; and what the tests read back, through the log's services.
 */
final class Logs {

    private Logs() {
    }

    /**
     * @return the configuration these tests start from: the file at {@code file}, its key beside it
     *     ({@code <file>.key}), every allow and refusal a row, no retention (no age or practical size limit,
     *     never scheduled); the rest at the defaults
     */
    static Map<String, Object> base(Path file) {
        Map<String, Object> config = new HashMap<>();
        config.put("path", file.toString());
        config.put("key.path", file.toAbsolutePath().resolveSibling(file.getFileName() + ".key").toString());
        config.put("allow.mode", "all");
        config.put("refusal.mode", "all");
        config.put("retention.days", 0);
        config.put("retention.max.mb", 1_048_576);
        config.put("retention.interval.minutes", 0);
        return config;
    }

    /** @return the log at {@code file} configured as {@link #base} with {@code overrides}, timed by {@code clock} */
    static AuditLog open(Path file, Map<String, ?> overrides, Clock clock) {
        Map<String, Object> config = base(file);
        config.putAll(overrides);
        return new AuditLog(Configs.of(AuditLog.Config.class, config), new SqliteDatabaseFiles(), clock);
    }

    /** @return the log at {@code file} configured as {@link #base} with {@code overrides} */
    static AuditLog open(Path file, Map<String, ?> overrides) {
        return open(file, overrides, Clock.systemUTC());
    }

    /** @return every row of the log, oldest first (through {@link AuditLog#tail}, which these tests never fill) */
    static List<AuditRecord> all(AuditLog log) {
        List<AuditRecord> rows = log.tail(AuditLog.MAX_LIMIT);
        if (rows.size() == AuditLog.MAX_LIMIT) {
            throw new IllegalStateException("more rows than one tail gives: this test needs another way to read them");
        }
        return rows;
    }

    /** @return the chain's head as an anchor; empty for an empty log */
    static Optional<AuditChain.Anchor> head(AuditLog log) {
        return log.chainHead().map(h -> new AuditChain.Anchor(h.id(), h.hash()));
    }

    /** @return events that could not be recorded since the log opened, from its metrics */
    static long lost(AuditLog log) {
        return log.counters().get("events_lost");
    }

    /** @return events waiting to be written, from its metrics */
    static long queued(AuditLog log) {
        return log.gauges().get("queue_depth");
    }
}
