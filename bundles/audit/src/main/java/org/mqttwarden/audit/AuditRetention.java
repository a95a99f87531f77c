package org.mqttwarden.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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
 * Keeps the audit file bounded, on a schedule. Rows older than {@code maxAge} are deleted from the start of
 * the chain. When the rows take more than {@code maxBytes}, rows go down to {@value #SIZE_TARGET_PERCENT} %
 * of it by class ({@link AuditChain#rank}): routine rows (allows, allow summaries) first, then refusals
 * (and their summaries and aggregates), oldest first in each class, from the middle of the chain; only
 * when neither is left do the oldest rows of every class go (admin changes, lockouts, alerts), from the
 * start. Removing rows younger than {@code maxAge} (any row, with no age limit) for the size raises an
 * {@value #PRUNED_YOUNG} ALERT row and a WARN with the counts by class. SQLite reuses the freed pages, so
 * the file stops growing at about {@code maxBytes}; it does not shrink.
 *
 * <p>Pruning keeps the chain verifiable. Before deleting anything, a {@value #PRUNED} row is written
 * through the log like any event, so it is itself part of the (keyed) chain: the id of the first row kept
 * ({@code first_kept = C}), the hash of row {@code C-1} ({@code previous_hash}), and for the rows removed
 * from the middle the rule ({@value #ROUTINE_BEFORE}, {@value #REFUSALS_BEFORE}) and the number of ids
 * from {@code C} on that fall under it ({@value #PRUNABLE}); see {@link AuditChain} for how a run of
 * removed rows becomes a tombstone and how {@link AuditLog#verify()} checks all this. Only once that row
 * is committed are rows deleted, in small transactions so the writer is never held up for long; a run is
 * collapsed tombstone first, then the rest newest first, so a stop in between leaves a state that
 * verifies. Rows still below {@code C} after a stop are deleted by the next run. Deleting more rows than a
 * pruning record accounts for, or forging that record, breaks the chain like any other change.
 */
final class AuditRetention implements AutoCloseable {

    /** Reason code of the row recording a pruning, the chain's anchor after it. */
    static final String PRUNED = "audit.pruned";
    static final String FIRST_KEPT = "first_kept";
    static final String PREVIOUS_HASH = "previous_hash";
    /** Rank 0 (routine) rows below this id may be removed from the middle of the chain. */
    static final String ROUTINE_BEFORE = "routine_before";
    /** Rank 1 (refusal) rows below this id may be removed from the middle of the chain. */
    static final String REFUSALS_BEFORE = "refusals_before";
    /** How many ids from the first kept fall under those two rules, removed or not (see {@link AuditChain}). */
    static final String PRUNABLE = "prunable";
    /** Reason code of the ALERT raised when rows the age limit would keep must go for the size limit. */
    static final String PRUNED_YOUNG = "audit.pruned-young";

    static final int SIZE_TARGET_PERCENT = 80;
    private static final int DELETE_CHUNK = 5000;
    private static final int MAX_SIZE_PASSES = 4;
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
        AuditChain.Terms terms = AuditChain.terms(file).orElse(AuditChain.Terms.NONE);
        Map<String, String> why = new LinkedHashMap<>();
        long cut = first;
        Instant cutoff = settings.maxAge() == null ? null : clock.instant().minus(settings.maxAge());
        if (cutoff != null) {
            Long lastOld = file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_LAST_BEFORE)
                    .bind("cutoff", cutoff.toEpochMilli()).mapTo(Long.class).findOne().orElse(null));
            if (lastOld != null && lastOld + 1 > cut) {
                cut = lastOld + 1;
                why.put("older_than", cutoff.toString());
            }
        }
        // the rule only grows: rows an earlier record let go stay removable
        long routineBefore = Math.max(0, terms.routineBefore());
        long refusalsBefore = Math.max(0, terms.refusalsBefore());
        long used = file.usedBytes();
        boolean bySize = false;
        if (used > settings.maxBytes()) {
            bySize = true;
            long target = settings.maxBytes() / 100 * SIZE_TARGET_PERCENT;
            long rows = count("SELECT COUNT(*) FROM warden_audit", Map.of());
            // rows are of similar size: remove the same share of them as of the bytes to free
            long drop = (long) Math.ceil(rows * ((double) (used - target) / used));
            why.put("used_bytes", Long.toString(used));
            why.put("max_bytes", Long.toString(settings.maxBytes()));
            long from = cut;
            // routine rows first, then refusals, oldest first; never the newest row (the chain's head)
            long[] routine = removable(AuditChain.ROUTINE, Math.max(from, routineBefore), last, drop);
            routineBefore = Math.max(routineBefore, routine[0]);
            drop -= routine[1];
            long[] refusals = {refusalsBefore, 0};
            if (drop > 0) {
                refusals = removable(AuditChain.REFUSAL, Math.max(from, refusalsBefore), last, drop);
                refusalsBefore = Math.max(refusalsBefore, refusals[0]);
                drop -= refusals[1];
            }
            // the oldest rows of every class go only once no routine row or refusal is left to remove: what
            // this pass removes is measured by the next one first (tombstones take room too)
            if (drop > 0 && routine[1] == 0 && refusals[1] == 0) {
                // what is left must go oldest first, whatever it is
                long bound = cut;
                long n = drop;
                Long at = file.jdbi().withHandle(h -> h.createQuery("SELECT id FROM warden_audit WHERE id >= :from"
                        + " ORDER BY id LIMIT 1 OFFSET :n").bind("from", bound).bind("n", n).mapTo(Long.class)
                        .findOne().orElse(null));
                cut = at == null ? last + 1 : Math.max(cut, at);
                why.put("oldest_of_every_class", "true");
            }
        }
        // the pruning record itself follows the last row, so every row may go
        cut = Math.min(cut, last + 1);
        long firstKept;
        String previousHash;
        if (cut > first) {
            cut = runBoundary(cut, last);
            firstKept = cut;
            previousHash = null;
        } else {
            // no cut: the chain still starts where the newest record said (rows up to the first present one
            // may be a collapsed run standing for ids from there)
            firstKept = terms == AuditChain.Terms.NONE ? 1 : terms.firstKept();
            previousHash = terms == AuditChain.Terms.NONE ? AuditRow.GENESIS : terms.previousHash();
        }
        Long pending = pendingCut(first);
        boolean ruleGrew = routineBefore > terms.routineBefore() || refusalsBefore > terms.refusalsBefore();
        if (pending != null && firstKept <= pending && !ruleGrew) {
            // an earlier run was stopped before its deletions were done
            return new Pruned(delete(first, pending), pending, "resumed");
        }
        if (pending != null && firstKept <= pending) {
            // the newest record's cut, not done yet: keep it (its row before may be deleted already)
            firstKept = pending;
            previousHash = terms.previousHash();
        }
        if (firstKept <= first && !ruleGrew) {
            return Pruned.NOTHING;
        }
        long keptFrom = firstKept;
        long cmax = Math.max(routineBefore, refusalsBefore);
        long rb = routineBefore;
        long fb = refusalsBefore;
        if (bySize) {
            young(cutoff, first, keptFrom, rb, fb);
        }
        if (previousHash == null) {
            previousHash = keptFrom == 1 ? AuditRow.GENESIS : file.jdbi().withHandle(h -> h.createQuery(
                    AuditTables.SELECT_HASH).bind("id", keptFrom - 1).mapTo(String.class).one());
        }
        long prunable = 0;
        if (cmax > keptFrom) {
            long present = count("SELECT COUNT(*) FROM warden_audit WHERE id >= :from AND id < :to",
                    Map.of("from", keptFrom, "to", cmax));
            long matching = count("SELECT COUNT(*) FROM warden_audit WHERE id >= :from AND id < :to AND (("
                    + AuditChain.RANK_SQL + " = 0 AND id < :rb) OR (" + AuditChain.RANK_SQL + " = 1 AND id < :fb))",
                    Map.of("from", keptFrom, "to", cmax, "rb", rb, "fb", fb));
            prunable = matching + (cmax - keptFrom - present);
        }
        Map<String, String> detail = new LinkedHashMap<>(why);
        detail.put(FIRST_KEPT, Long.toString(firstKept));
        detail.put(PREVIOUS_HASH, previousHash);
        detail.put("rows", Long.toString(Math.max(0, firstKept - first)));
        detail.put(ROUTINE_BEFORE, Long.toString(rb));
        detail.put(REFUSALS_BEFORE, Long.toString(fb));
        detail.put(PRUNABLE, Long.toString(prunable));
        SecurityEvent event = new SecurityEvent(clock.instant(), EventType.ADMIN_CHANGE, Outcome.ALLOW, PRUNED, null,
                null, null, null, null, null, AuditWriter.ACTOR, detail);
        await(event, "pruning record");
        long deleted = firstKept > first ? delete(first, firstKept) : 0;
        long collapsed = collapse(firstKept, cmax, rb, fb);
        String reason = bySize ? "size" : why.containsKey("older_than") ? "age" : "resumed";
        LOG.info("Audit retention ({}): deleted rows {} to {} (the chain now starts at row {}); {} routine rows"
                + " below {} and refusals below {} removed from the middle", reason, first, firstKept - 1, firstKept,
                collapsed, rb, fb);
        return new Pruned(deleted + collapsed, firstKept, reason);
    }

    /**
     * @return {@code [c, n]}: removing the rows of {@code rank} with ids in {@code [from, c)} removes
     *     {@code n} of them, {@code n <= want}; {@code c <= last} (the head stays)
     */
    private long[] removable(int rank, long from, long last, long want) {
        if (want <= 0 || from >= last) {
            return new long[] {from, 0};
        }
        String where = " FROM warden_audit WHERE id >= :from AND id < :last AND " + AuditChain.RANK_SQL + " = " + rank
                + " AND detail NOT LIKE '%" + AuditChain.TOMBSTONE + "%'";
        Long at = file.jdbi().withHandle(h -> h.createQuery("SELECT id" + where + " ORDER BY id LIMIT 1 OFFSET :n")
                .bind("from", from).bind("last", last).bind("n", want - 1).mapTo(Long.class).findOne().orElse(null));
        if (at != null) {
            return new long[] {at + 1, want};
        }
        long all = count("SELECT COUNT(*)" + where, Map.of("from", from, "last", last));
        return new long[] {last, all};
    }

    /** Moves a cut that falls inside a collapsed run past the run's tombstone: the row before a cut must exist. */
    private long runBoundary(long cut, long last) {
        if (cut <= 1 || cut > last) {
            return cut;
        }
        boolean present = file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_HASH).bind("id", cut - 1)
                .mapTo(String.class).findOne()).isPresent();
        if (present) {
            return cut;
        }
        Long next = file.jdbi().withHandle(h -> h.createQuery("SELECT MIN(id) FROM warden_audit WHERE id >= :id")
                .bind("id", cut).mapTo(Long.class).findOne().orElse(null));
        return next == null ? cut : next + 1;
    }

    /**
     * Rows about to go by size that the age limit would keep: an ALERT row (written, durable, before the
     * pruning record) and a WARN, each with the counts by class.
     */
    private void young(Instant cutoff, long first, long firstKept, long routineBefore, long refusalsBefore) {
        long since = cutoff == null ? Long.MIN_VALUE : cutoff.toEpochMilli();
        String removed = "id >= :first AND occurred_at >= :since AND detail NOT LIKE '%" + AuditChain.TOMBSTONE
                + "%' AND (id < :kept OR (" + AuditChain.RANK_SQL + " = 0 AND id < :rb) OR (" + AuditChain.RANK_SQL
                + " = 1 AND id < :fb))";
        Map<String, Long> binds = Map.of("first", first, "since", since, "kept", firstKept, "rb", routineBefore,
                "fb", refusalsBefore);
        long[] byRank = new long[3];
        file.jdbi().useHandle(h -> {
            var q = h.createQuery("SELECT " + AuditChain.RANK_SQL + ", COUNT(*) FROM warden_audit WHERE " + removed
                    + " GROUP BY " + AuditChain.RANK_SQL);
            binds.forEach(q::bind);
            q.map((rs, ctx) -> byRank[rs.getInt(1)] = rs.getLong(2)).list();
        });
        long total = byRank[0] + byRank[1] + byRank[2];
        if (total == 0) {
            return;
        }
        String days = settings.maxAge() == null ? "no age limit" : settings.maxAge().toDays() + " days";
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("routine", Long.toString(byRank[0]));
        detail.put("refusals", Long.toString(byRank[1]));
        detail.put("kept_classes", Long.toString(byRank[2]));
        detail.put("retention", days);
        detail.put("max_bytes", Long.toString(settings.maxBytes()));
        LOG.warn("Audit log full: removing {} rows younger than the retention ({}) to stay under {} bytes: {} routine,"
                + " {} refusals, {} admin changes/lockouts/alerts", total, days, settings.maxBytes(), byRank[0],
                byRank[1], byRank[2]);
        await(new SecurityEvent(clock.instant(), EventType.ALERT, Outcome.ERROR, PRUNED_YOUNG, null, null, null, null,
                null, null, AuditWriter.ACTOR, detail), "alert");
    }

    private void await(SecurityEvent event, String what) {
        try {
            record.apply(event).toCompletableFuture().get(RECORD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while recording the " + what + "; nothing was deleted", e);
        } catch (Exception e) {
            throw new IllegalStateException("The " + what + " could not be written; nothing was deleted: " + e, e);
        }
    }

    private long count(String sql, Map<String, Long> binds) {
        return file.jdbi().withHandle(h -> {
            var q = h.createQuery(sql);
            binds.forEach(q::bind);
            return q.mapTo(Long.class).one();
        });
    }

    /**
     * Collapses every run of consecutive removable rows (rank 0 below {@code routineBefore}, rank 1 below
     * {@code refusalsBefore}, tombstones) in {@code [from, to)} into a tombstone at its last row, deleting
     * the rest of the run: the tombstone first, then the others newest first, so that a stop in between
     * leaves a state {@link AuditChain} accepts (kept rows, then a gap, then the tombstone).
     *
     * @return rows deleted or emptied
     */
    private long collapse(long from, long to, long routineBefore, long refusalsBefore) {
        long done = 0;
        long runFrom = -1;
        long runLast = -1;
        boolean runIsTombstone = false;
        long after = from - 1;
        while (after < to - 1) {
            long a = after;
            List<AuditRow> page = file.jdbi().withHandle(h -> h.createQuery("SELECT " + AuditTables.COLUMNS
                    + " FROM warden_audit WHERE id > :after AND id < :to ORDER BY id LIMIT :n").bind("after", a)
                    .bind("to", to).bind("n", DELETE_CHUNK).map((rs, ctx) -> AuditRow.read(rs)).list());
            if (page.isEmpty()) {
                break;
            }
            for (AuditRow row : page) {
                Long tomb = AuditChain.tombstoneFrom(row);
                int rank = AuditChain.rank(row.type(), row.outcome(), row.reason());
                boolean removable = (rank == AuditChain.ROUTINE && row.id() < routineBefore)
                        || (rank == AuditChain.REFUSAL && row.id() < refusalsBefore);
                boolean follows = runLast >= 0 && (row.id() == runLast + 1 || tomb != null);
                if (removable && follows) {
                    runLast = row.id();
                    runIsTombstone = tomb != null;
                } else {
                    done += flush(runFrom, runLast, runIsTombstone);
                    runFrom = -1;
                    runLast = -1;
                    if (removable) {
                        runFrom = tomb != null ? tomb : row.id();
                        runLast = row.id();
                        runIsTombstone = tomb != null;
                    }
                }
            }
            after = page.get(page.size() - 1).id();
        }
        return done + flush(runFrom, runLast, runIsTombstone);
    }

    private long flush(long runFrom, long runLast, boolean lastIsTombstone) {
        if (runLast < 0 || (lastIsTombstone && runFrom == runLast)) {
            return 0;
        }
        boolean lone = runFrom == runLast;
        file.jdbi().useTransaction(h -> h.createUpdate(AuditTables.TOMBSTONE).bind("id", runLast)
                .bind("detail", Json.object(Map.of(AuditChain.TOMBSTONE, Long.toString(runFrom)))).execute());
        long deleted = 0;
        for (long hi = runLast; hi > runFrom; hi -= DELETE_CHUNK) {
            long lo = Math.max(runFrom, hi - DELETE_CHUNK);
            long top = hi;
            deleted += file.jdbi().inTransaction(h -> h.createUpdate(AuditTables.DELETE_RANGE)
                    .bind("from", lo).bind("to", top).execute());
        }
        return deleted + (lastIsTombstone && !lone ? 0 : 1);
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
