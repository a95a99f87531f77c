package org.mqttwarden.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the audit file bounded: rows older than {@code maxAge} and, when the rows take more than
 * {@code maxBytes}, the oldest rows down to {@value #SIZE_TARGET_PERCENT} % of it are deleted, on a
 * schedule. SQLite reuses the freed pages, so the file stops growing at about {@code maxBytes}; it
 * does not shrink.
 *
 * <p>Pruning keeps the chain verifiable. Before deleting rows {@code 1..C-1} (or whatever is left of
 * them), a {@value #PRUNED} row is written through the log like any event, so it is itself part of
 * the chain, with the id of the first row kept ({@code first_kept = C}) and the hash of row
 * {@code C-1} ({@code previous_hash}): {@link AuditLog#verify()} starts its walk there. Only once
 * that row is committed are the old rows deleted, in small transactions so the writer is never held
 * up for long. If the gateway stops in between, the rows still below {@code C} are simply deleted by
 * the next run. Deleting more rows than a pruning record accounts for, or forging that record, breaks
 * the chain like any other change.
 */
final class AuditRetention implements AutoCloseable {

    /** Reason code of the row recording a pruning, the chain's anchor after it. */
    static final String PRUNED = "audit.pruned";
    static final String FIRST_KEPT = "first_kept";
    static final String PREVIOUS_HASH = "previous_hash";

    static final int SIZE_TARGET_PERCENT = 80;
    private static final int DELETE_CHUNK = 5000;
    private static final int MAX_SIZE_PASSES = 3;
    private static final long RECORD_TIMEOUT_MS = 30_000;
    private static final Logger LOG = LoggerFactory.getLogger(AuditRetention.class);

    /**
     * @param maxAge rows older than this are deleted; {@code null} keeps rows of any age
     * @param maxBytes the most the rows may take in the file, in bytes
     * @param interval how often to check; {@code null} or zero: only when {@link #pruneNow()} is called
     */
    record Settings(Duration maxAge, long maxBytes, Duration interval) {
        Settings {
            if (maxBytes < 1 || (maxAge != null && (maxAge.isNegative() || maxAge.isZero()))
                    || (interval != null && interval.isNegative())) {
                throw new IllegalArgumentException("Invalid audit retention: maxAge=" + maxAge + ", maxBytes="
                        + maxBytes + ", interval=" + interval);
            }
        }

        /** No pruning unless asked, no age limit, no practical size limit: for tests of other things. */
        static final Settings MANUAL = new Settings(null, Long.MAX_VALUE, null);
    }

    /** What one run did. */
    record Pruned(long rows, long firstKept, String why) {
        static final Pruned NOTHING = new Pruned(0, 0, "nothing to prune");
    }

    private final AuditFile file;
    private final Function<SecurityEvent, CompletionStage<Void>> record;
    private final Settings settings;
    private final Clock clock;
    private final ScheduledExecutorService schedule;

    /**
     * @param record writes an event into the chain, completing once it is committed
     */
    AuditRetention(AuditFile file, Function<SecurityEvent, CompletionStage<Void>> record, Settings settings,
            Clock clock) {
        this.file = file;
        this.record = record;
        this.settings = settings;
        this.clock = clock;
        if (settings.interval() == null || settings.interval().isZero()) {
            this.schedule = null;
        } else {
            this.schedule = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "warden-audit-retention");
                t.setDaemon(true);
                return t;
            });
            long every = settings.interval().toMillis();
            // not at once: a starting gateway has better things to do
            schedule.scheduleWithFixedDelay(this::scheduledRun, Math.min(every, 60_000), every, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.shutdownNow();
            try {
                if (!schedule.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("Audit pruning did not stop within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void scheduledRun() {
        try {
            pruneNow();
        } catch (RuntimeException e) {
            // tried again at the next interval; the file only grows meanwhile
            LOG.warn("Audit pruning failed, trying again in {}: {}", settings.interval(), e.toString());
        }
    }

    /**
     * Applies the retention now: records the cut in the chain, then deletes the rows before it.
     *
     * @return what was deleted
     * @throws IllegalStateException when the pruning record could not be written (nothing is deleted)
     */
    synchronized Pruned pruneNow() {
        Pruned done = pruneOnce();
        // the estimate of rows per byte can fall short (index pages emptied only in part): measure again
        for (int pass = 0; pass < MAX_SIZE_PASSES && done.rows() > 0 && file.usedBytes() > settings.maxBytes();
                pass++) {
            Pruned more = pruneOnce();
            if (more.rows() == 0) {
                break;
            }
            done = new Pruned(done.rows() + more.rows(), more.firstKept(), done.why());
        }
        return done;
    }

    private Pruned pruneOnce() {
        Optional<long[]> bounds = bounds();
        if (bounds.isEmpty()) {
            return Pruned.NOTHING;
        }
        long first = bounds.get()[0];
        long last = bounds.get()[1];
        Map<String, String> why = new LinkedHashMap<>();
        long cut = first;
        if (settings.maxAge() != null) {
            Instant cutoff = clock.instant().minus(settings.maxAge());
            Long lastOld = file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_LAST_BEFORE)
                    .bind("cutoff", cutoff.toEpochMilli()).mapTo(Long.class).findOne().orElse(null));
            if (lastOld != null && lastOld + 1 > cut) {
                cut = lastOld + 1;
                why.put("older_than", cutoff.toString());
            }
        }
        long used = file.usedBytes();
        if (used > settings.maxBytes()) {
            long target = settings.maxBytes() / 100 * SIZE_TARGET_PERCENT;
            long rows = last - first + 1;
            // rows are of similar size: drop the same share of them as of the bytes to free
            long drop = (long) Math.ceil(rows * ((double) (used - target) / used));
            if (first + drop > cut) {
                cut = first + drop;
                why.put("used_bytes", Long.toString(used));
                why.put("max_bytes", Long.toString(settings.maxBytes()));
            }
        }
        // the pruning record itself follows the last row, so every row may go
        cut = Math.min(cut, last + 1);
        long firstKept = cut;
        Long pending = pendingCut(first);
        if (pending != null && firstKept <= pending) {
            // an earlier run was stopped before its deletions were done
            return new Pruned(delete(first, pending), pending, "resumed");
        }
        if (firstKept == first) {
            return Pruned.NOTHING;
        }
        String previousHash = file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_HASH)
                .bind("id", firstKept - 1).mapTo(String.class).one());
        Map<String, String> detail = new LinkedHashMap<>(why);
        detail.put(FIRST_KEPT, Long.toString(firstKept));
        detail.put(PREVIOUS_HASH, previousHash);
        detail.put("rows", Long.toString(firstKept - first));
        SecurityEvent event = new SecurityEvent(clock.instant(), EventType.ADMIN_CHANGE, Outcome.ALLOW, PRUNED, null,
                null, null, null, null, null, AuditWriter.ACTOR, detail);
        try {
            record.apply(event).toCompletableFuture().get(RECORD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while recording the pruning; nothing was deleted", e);
        } catch (Exception e) {
            throw new IllegalStateException("The pruning record could not be written; nothing was deleted: " + e, e);
        }
        long deleted = delete(first, firstKept);
        String reason = why.containsKey("older_than") ? "age" : "size";
        LOG.info("Audit retention ({}): deleted rows {} to {}; the chain now starts at row {}", reason, first,
                firstKept - 1, firstKept);
        return new Pruned(deleted, firstKept, reason);
    }

    /** @return the first and last id in the file, if any */
    private Optional<long[]> bounds() {
        long[] b = file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_BOUNDS)
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).one());
        return b[2] == 0 ? Optional.empty() : Optional.of(b);
    }

    /** @return the cut of the newest pruning record when rows below it remain, else null */
    private Long pendingCut(long first) {
        Long kept = lastPruning(file).map(AuditRetention::firstKept).orElse(null);
        return kept != null && kept > first ? kept : null;
    }

    /** @return the newest pruning record of {@code file} */
    static Optional<AuditRow> lastPruning(AuditFile file) {
        return file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_LAST_PRUNING)
                .map((rs, ctx) -> AuditRow.read(rs)).findOne());
    }

    /** @return the first id a pruning record keeps, or null when its detail does not say */
    static Long firstKept(AuditRow pruning) {
        String v = detail(pruning).get(FIRST_KEPT);
        try {
            return v == null ? null : Long.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** @return the hash a pruning record gives for the row before the first kept, or null when not a hash */
    static String previousHash(AuditRow pruning) {
        String v = detail(pruning).get(PREVIOUS_HASH);
        return v != null && v.matches("[0-9a-f]{64}") ? v : null;
    }

    private static Map<String, String> detail(AuditRow row) {
        try {
            return Json.parseObject(row.detail());
        } catch (RuntimeException e) {
            // an edited detail that no longer parses: the chain walk reports the row as altered
            return Map.of();
        }
    }

    /** Deletes rows {@code from..to-1} a chunk per transaction, oldest first. */
    private long delete(long from, long to) {
        long deleted = 0;
        for (long lo = from; lo < to; lo += DELETE_CHUNK) {
            long hi = Math.min(lo + DELETE_CHUNK, to);
            long chunkFrom = lo;
            deleted += file.jdbi().inTransaction(h -> h.createUpdate(AuditTables.DELETE_RANGE)
                    .bind("from", chunkFrom).bind("to", hi).execute());
        }
        return deleted;
    }
}
