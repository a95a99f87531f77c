package org.mqttwarden.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;

import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records events into the audit file without making callers wait for SQLite: a bounded queue and
 * one named writer thread that takes whatever has queued up (up to {@code batchMax}) and writes it
 * in one transaction. Events arriving during a commit share the next one (group commit), so a burst
 * costs one fsync per batch, not per event.
 *
 * <p>Every event's stage completes after the transaction holding it has committed (durable, since
 * the file runs {@code synchronous=FULL}), or exceptionally when it was not stored. Dependent
 * actions attached without {@code *Async} run on the writer thread and must be tiny.
 *
 * <p>When the queue is full an ordinary event (an allow) is dropped at once and counted; the count
 * becomes an {@code audit.events-lost} row in the next transaction and a WARN in the log. A
 * {@link SecurityEvent#securityRelevant() security-relevant} event is never dropped that way: the
 * caller waits up to {@code offerTimeoutMs} for room, and if there is still none its stage completes
 * exceptionally (and it is counted too), so the decision path can fail closed. A login refused by the
 * login budget is the exception ({@link SecurityEvent#awaited()}): no one waits for it, so it is queued,
 * written and, with a full queue, dropped and counted like an allow.
 *
 * <p>Each row is chained to the previous one by HMAC-SHA256 under the {@link AuditKey}; ids are assigned
 * here, contiguously, continuing from the last row of the file. When the file's last row is not chained
 * under this key (a file of an earlier, unkeyed version, or a key that was replaced), an
 * {@value AuditRow#KEYED} row saying what came before is written first, before anything else.
 *
 * <p>Anchors: every {@code anchorIntervalMs} (when rows were added since the last one) and on closing,
 * the chain's head is logged at INFO as {@value #ANCHOR_LOG} {@code <id> hash <hex>}: a copy outside the
 * database that {@code audit-verify --anchor}/{@code --anchors-from} compares against, so a cut-off tail
 * shows. The queue-full WARN is logged at most once a minute, with the count since the last one.
 */
final class AuditWriter implements AutoCloseable {

    /** Reason code of the row counting events that could not be recorded. */
    static final String EVENTS_LOST = "audit.events-lost";
    static final String ACTOR = "warden-audit";

    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);
    private static final long IDLE_POLL_MS = 100;
    static final long LINGER_MS = 20;
    private static final long LINGER_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long[] RETRY_BACKOFF_MS = {100, 400};
    /** The text before the head's id in an anchor line; {@link Anchor#parseLog} finds it. */
    static final String ANCHOR_LOG = "Audit chain anchor: row";
    private static final long WARN_EVERY_NS = TimeUnit.MINUTES.toNanos(1);

    /**
     * @param queueSize events waiting to be written, at most
     * @param batchMax events written in one transaction, at most
     * @param offerTimeoutMs how long a security-relevant event waits for room in a full queue
     * @param shutdownTimeoutMs how long closing waits for the queue to drain
     * @param anchorIntervalMs how often the chain's head is logged as an anchor (and on closing)
     */
    record Settings(int queueSize, int batchMax, long offerTimeoutMs, long shutdownTimeoutMs, long anchorIntervalMs) {
        Settings {
            if (queueSize < 1 || batchMax < 1 || offerTimeoutMs < 0 || shutdownTimeoutMs < 0 || anchorIntervalMs < 1) {
                throw new IllegalArgumentException("Invalid audit writer settings: queueSize=" + queueSize
                        + ", batchMax=" + batchMax + ", offerTimeoutMs=" + offerTimeoutMs + ", shutdownTimeoutMs="
                        + shutdownTimeoutMs + ", anchorIntervalMs=" + anchorIntervalMs);
            }
        }
    }

    /** A row to write; {@code seq} numbers events and summaries together in the order they were queued. */
    private record Pending(SecurityEvent event, CompletableFuture<Void> done, long seq) {
    }

    private final AuditFile file;
    private final Settings settings;
    private final BlockingQueue<Pending> queue;
    /** Allow summaries: never dropped, since each stands for counted events; bounded by the summariser's keys. */
    private final ConcurrentLinkedQueue<Pending> summaries = new ConcurrentLinkedQueue<>();
    private final AtomicLong order = new AtomicLong();
    private final AtomicLong lostPending = new AtomicLong();
    private final AtomicLong lostTotal = new AtomicLong();
    private final AtomicLong writtenTotal = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;
    /** Lost events not yet in a WARN, and when the last one was logged (rate limit: one a minute). */
    private final AtomicLong lostUnwarned = new AtomicLong();
    private volatile long lastLostWarn = System.nanoTime() - WARN_EVERY_NS;

    // owned by the writer thread once started
    private long nextId;
    private String headHash;
    private final AuditRow.Hasher hasher;
    private long anchoredId;
    private long nextAnchorAt;

    /**
     * Opens the writer at the file's last row; when that row is not chained under {@code key}, first writes
     * (and commits) the {@value AuditRow#KEYED} row from which the chain is keyed under it.
     */
    AuditWriter(AuditFile file, Settings settings, AuditKey key) {
        this.file = file;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.queueSize());
        this.hasher = new AuditRow.Hasher(key);
        Map.Entry<Long, String> head = file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_HEAD)
                .map((rs, ctx) -> Map.entry(rs.getLong("id"), rs.getString("hash"))).findOne())
                .orElse(Map.entry(0L, AuditRow.GENESIS));
        this.nextId = head.getKey() + 1;
        this.headHash = head.getValue();
        String before = AuditChain.headChain(file, key);
        if (before != null) {
            commit(List.of(new Pending(keyedEvent(key, before), new CompletableFuture<>(), 0)), 0);
            LOG.info("Audit chain keyed from row {} on (key id {}); the rows before it use {}", nextId - 1, key.id(),
                    before);
        }
        this.anchoredId = nextId - 1;
        this.nextAnchorAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.anchorIntervalMs());
        this.thread = new Thread(this::run, "warden-audit-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues {@code event}; blocks only for a security-relevant event meeting a full queue, and then
     * at most {@code offerTimeoutMs}.
     *
     * @return a stage completing once the event is committed, or exceptionally
     *     ({@link RejectedExecutionException}) when it will not be recorded
     */
    CompletionStage<Void> accept(SecurityEvent event) {
        Objects.requireNonNull(event, "event");
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new RejectedExecutionException("The audit log is closed"));
            return done.minimalCompletionStage();
        }
        Pending pending = new Pending(event, done, order.incrementAndGet());
        boolean relevant = event.awaited();
        boolean queued;
        if (relevant) {
            try {
                queued = queue.offer(pending, settings.offerTimeoutMs(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                queued = false;
            }
        } else {
            queued = queue.offer(pending);
        }
        if (queued && relevant) {
            // ends the writer's linger at once (routine events let it sleep: see linger)
            LockSupport.unpark(thread);
        }
        if (!queued) {
            countLost(1, relevant);
            // an attack that fills the queue must not also pay a stack trace per refused event
            done.completeExceptionally(new Refused("The audit queue is full; the event was counted as lost"));
        } else if (closed && queue.remove(pending)) {
            // closed while we queued, after the writer's last look at the queue
            done.completeExceptionally(new RejectedExecutionException("The audit log is closed"));
        }
        return done.minimalCompletionStage();
    }

    /**
     * Queues a summary row of counted allows. It is not refused when the queue is full, so the counts
     * add up; it is written in its place among the events: after those queued before it, before those
     * queued later.
     */
    void acceptSummary(SecurityEvent summary) {
        summaries.add(new Pending(Objects.requireNonNull(summary, "summary"), new CompletableFuture<>(),
                order.incrementAndGet()));
    }

    /** @return how many events are waiting to be written */
    int queued() {
        return queue.size();
    }

    /** @return how many events could not be recorded since this writer started */
    long lostTotal() {
        return lostTotal.get();
    }

    /** Stops taking events, writes what is queued (bounded by the shutdown timeout) and stops the thread. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(settings.shutdownTimeoutMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Audit writer did not drain its queue within {} ms; {} events and {} allow summaries are not"
                    + " recorded", settings.shutdownTimeoutMs(), queue.size(), summaries.size());
            thread.interrupt();
        }
        List<Pending> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.forEach(p -> p.done().completeExceptionally(new RejectedExecutionException("The audit log is closed")));
    }

    private void countLost(int n, boolean relevant) {
        lostTotal.addAndGet(n);
        lostPending.addAndGet(n);
        long unwarned = lostUnwarned.addAndGet(n);
        long now = System.nanoTime();
        long last = lastLostWarn;
        // once a minute at most: a flood that keeps the queue full must not also flood the log
        if (now - last >= WARN_EVERY_NS && LOST_WARN.compareAndSet(this, last, now)) {
            long count = lostUnwarned.getAndSet(0);
            LOG.warn("Audit queue full ({} events): {} events not recorded since the last warning ({} the latest);"
                    + " counted in audit.events-lost rows", settings.queueSize(), count,
                    relevant ? "a security-relevant event that could not wait was" : "an event that no one waits for"
                            + " was");
        }
    }

    private static final java.lang.invoke.VarHandle LOST_WARN;

    static {
        try {
            LOST_WARN = java.lang.invoke.MethodHandles.lookup().findVarHandle(AuditWriter.class, "lastLostWarn",
                    long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Logs the head as an anchor when rows were added since the last one (writer thread, or closing). */
    private void anchor(boolean closing) {
        long head = nextId - 1;
        if (head > anchoredId || (closing && head > 0)) {
            LOG.info(ANCHOR_LOG + " {} hash {}{}", head, headHash, closing ? " (closing)" : "");
            anchoredId = head;
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(settings.batchMax());
        while (!closed || !queue.isEmpty() || !summaries.isEmpty()) {
            batch.clear();
            try {
                take(batch, null);
                if (batch.isEmpty()) {
                    Pending first = queue.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
                    if (first != null) {
                        take(batch, first);
                    }
                }
                if (!batch.isEmpty()) {
                    linger(batch);
                }
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
                continue;
            }
            long lost = lostPending.getAndSet(0);
            if (!batch.isEmpty() || lost > 0) {
                write(batch, lost);
            }
            if (System.nanoTime() - nextAnchorAt >= 0) {
                anchor(false);
                nextAnchorAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.anchorIntervalMs());
            }
        }
        long lost = lostPending.getAndSet(0);
        if (lost > 0) {
            write(List.of(), lost);
        }
        anchor(true);
        LOG.debug("Audit writer stopped at row {}", nextId - 1);
    }

    /**
     * When nothing in {@code batch} is waited for (only allows and summaries), waits up to
     * {@value #LINGER_MS} ms for more to share its commit: a trickle of logins then costs one fsync
     * per interval rather than one per event. The writer sleeps through the interval (looking every
     * millisecond) instead of being woken by every event: each such wake-up would cost the caller a
     * system call and, on a small gateway, a context switch per login. A security-relevant event wakes
     * it ({@link #accept}) and ends the wait at once, as does closing.
     */
    private void linger(List<Pending> batch) {
        int from = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
        while (!closed && batch.size() < settings.batchMax()) {
            for (int i = from; i < batch.size(); i++) {
                if (batch.get(i).event().awaited()) {
                    return;
                }
            }
            from = batch.size();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                take(batch, null);
                return;
            }
            // in slices, so that a flood fills the batch and commits without waiting out the interval;
            // the caller never pays for these wake-ups (no one waits on the queue's condition)
            LockSupport.parkNanos(this, Math.min(left, LINGER_SLICE_NS));
            take(batch, null);
        }
    }

    /**
     * Moves waiting events and summaries into {@code batch} in the order they were queued (merged by their
     * numbers), until it is full; {@code first}, an event already taken from the queue, goes in its place.
     * Only the writer thread takes from the queues.
     */
    private void take(List<Pending> batch, Pending first) {
        Pending event = first;
        while (batch.size() < settings.batchMax()) {
            if (event == null) {
                event = queue.peek();
            }
            Pending summary = summaries.peek();
            if (summary != null && (event == null || summary.seq() < event.seq())) {
                batch.add(summaries.poll());
            } else if (event == null) {
                return;
            } else {
                Pending taken = event == first ? first : queue.poll();
                first = null;
                event = null;
                if (taken == null) {
                    return; // drained by close() after the writer outlived the shutdown timeout
                }
                batch.add(taken);
            }
        }
        if (first != null) {
            // taken from the queue already: it must not be lost, even one over the batch size
            batch.add(first);
        }
    }

    private void write(List<Pending> batch, long lost) {
        RuntimeException failure = null;
        for (int attempt = 0; attempt <= RETRY_BACKOFF_MS.length; attempt++) {
            if (attempt > 0 && !backOff(RETRY_BACKOFF_MS[attempt - 1])) {
                break;
            }
            try {
                commit(batch, lost);
                writtenTotal.addAndGet(batch.size());
                batch.forEach(p -> p.done().complete(null));
                return;
            } catch (RuntimeException e) {
                failure = e;
                LOG.warn("Audit write of {} events failed (attempt {}): {}", batch.size() + (lost > 0 ? 1 : 0),
                        attempt + 1, e.getMessage());
            }
        }
        LOG.error("Audit write failed; {} events are not recorded", batch.size(), failure);
        lostTotal.addAndGet(batch.size());
        lostPending.addAndGet(lost + batch.size());
        RejectedExecutionException cause = new RejectedExecutionException("The audit log could not be written",
                failure);
        batch.forEach(p -> p.done().completeExceptionally(cause));
    }

    /** Writes one transaction; the chain head moves only once it has committed. */
    private void commit(List<Pending> batch, long lost) {
        List<AuditRow> rows = new ArrayList<>(batch.size() + 1);
        long id = nextId;
        String previous = headHash;
        if (lost > 0) {
            AuditRow row = AuditRow.of(id++, lostEvent(lost), previous, hasher);
            rows.add(row);
            previous = row.hash();
        }
        for (Pending p : batch) {
            AuditRow row = AuditRow.of(id++, p.event(), previous, hasher);
            rows.add(row);
            previous = row.hash();
        }
        try {
            file.jdbi().useTransaction(h -> insert(h.getConnection(), rows));
        } catch (SQLException e) {
            throw new IllegalStateException("Audit insert failed: " + e.getMessage(), e);
        }
        nextId = id;
        headHash = previous;
        if (lost > 0) {
            LOG.debug("Audit queue overflowed: {} events were not recorded (counted in audit row {})", lost,
                    rows.get(0).id());
        }
    }

    private static SecurityEvent keyedEvent(AuditKey key, String before) {
        return new SecurityEvent(Instant.now(), EventType.ADMIN_CHANGE, Outcome.ALLOW, AuditRow.KEYED, null, null,
                null, null, null, null, ACTOR, Map.of(AuditRow.KEY_ID, key.id(), AuditRow.CHAIN_BEFORE, before));
    }

    /**
     * Plain JDBC on the transaction's connection, positional binds in one batch: Jdbi's named binding
     * was the writer's largest Java cost per row.
     */
    /** Binds a row's columns to {@link AuditTables#INSERT}. */
    static void bind(PreparedStatement insert, AuditRow r) throws SQLException {
        insert.setLong(1, r.id());
        insert.setLong(2, r.occurredAt());
        insert.setString(3, r.type());
        insert.setString(4, r.outcome());
        insert.setString(5, r.reason());
        insert.setString(6, r.username());
        insert.setString(7, r.roles());
        insert.setString(8, r.clientId());
        insert.setString(9, r.address());
        insert.setString(10, r.topic());
        insert.setString(11, r.access());
        insert.setString(12, r.actor());
        insert.setString(13, r.detail());
        insert.setString(14, r.hash());
    }

    private static void insert(Connection connection, List<AuditRow> rows) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(AuditTables.INSERT)) {
            for (AuditRow r : rows) {
                bind(insert, r);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static SecurityEvent lostEvent(long lost) {
        return new SecurityEvent(Instant.now(), EventType.ALERT, Outcome.ERROR, EVENTS_LOST, null, null, null, null,
                null, null, ACTOR, Map.of("lost", Long.toString(lost)));
    }

    private static boolean backOff(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * @return how many events were committed since this writer started (allow summaries included;
     *     the rows counting lost events not)
     */
    long writtenTotal() {
        return writtenTotal.get();
    }

    /** @return how many events can wait to be written, at most */
    int capacity() {
        return settings.queueSize();
    }

    /** A refusal without a stack trace: it says all there is to say. */
    private static final class Refused extends RejectedExecutionException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
