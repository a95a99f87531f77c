package org.mqttwarden.audit;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps routine allows from drowning the audit log. Mosquitto asks {@code READ} for every delivery
 * and go-auth asks {@code /superuser} before every ACL check, so an ACL allow, or a SUPERUSER answer
 * that is not {@link SecurityEvent#securityRelevant() security-relevant}, is recorded as its own row
 * only the first time its key (type, outcome, username, client id, topic, access) is seen in a
 * window; the repeats within that window are counted, and the count becomes one
 * {@value #SUMMARY_REASON} row when the window ends, when the key map is full, or when the log
 * closes. Every other event passes straight to the writer.
 *
 * <p>Refusals and denials ({@code AUTH} or {@code ACL} with outcome {@code DENY}) are summarised the
 * same way ({@code refusal.mode=summarise}), by (type, reason, username, client id, topic) and per
 * {@code refusal.window.seconds}: the first of a key in a window is its own row, written and awaited as
 * before; its repeats are counted into one {@value #REFUSAL_SUMMARY} row (reason, count, first and last
 * time in its detail). Distinct keys cost an attacker nothing (random usernames, client ids or topics), so
 * each (type, reason) may start at most {@code refusal.rows.per.window} individual rows per window; past
 * that, refusals of new keys are only counted into one {@value #REFUSAL_AGGREGATE} row per (type, reason)
 * and window, with the count, the first and last time and the first {@value #SAMPLES} (username, client
 * id) pairs as samples. Kept one by one, always: errors, lockouts, alerts, admin changes, OTP and message
 * events, and every refusal while its (type, reason) is under the cap. A counted event's stage completes
 * at once; summary and aggregate rows are never dropped (see {@link AuditWriter#acceptSummary}) and are
 * written when the window ends, when the key map is full, or when the log closes, so a crash loses the
 * counts of the current window, never a first row.
 *
 * <p>Counting is done on the caller's thread under the key's map-bin lock only (no I/O, no waiting
 * for the writer), so the count of a window is exact: for N identical allows, one row plus summary
 * counts totalling N-1. Expired windows are swept by one named thread owned by this object. Values
 * in the keys are the bounded forms a row stores ({@link AuditRow#name}, {@link AuditRow#topic}).
 */
final class AllowSummariser implements AutoCloseable {

    /** Reason code of a row counting repeated allows. */
    static final String SUMMARY_REASON = "audit.allow-summary";
    /** Reason code of a row counting repeats of one refusal key. */
    static final String REFUSAL_SUMMARY = "audit.refusal-summary";
    /** Reason code of a row counting refusals of new keys past the per-window cap of their (type, reason). */
    static final String REFUSAL_AGGREGATE = "audit.refusal-aggregate";
    /** (username, client id) samples an aggregate row keeps. */
    static final int SAMPLES = 5;

    private static final Logger LOG = LoggerFactory.getLogger(AllowSummariser.class);

    /** What {@code allow.mode} accepts. */
    enum Mode {
        /** One row per key and window, the repeats counted. */
        SUMMARISE,
        /** Every allow is its own row. */
        ALL;

        static Mode parse(String text) {
            String t = text == null ? "" : text.trim();
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(t)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("Unknown allow.mode '" + text + "'; use summarise or all.");
        }
    }

    /**
     * @param mode summarise or record every allow
     * @param windowMs how long a key's window lasts from its first allow, in ms
     * @param maxKeys keys counted at once, at most; when full every count is flushed first
     */
    record Settings(Mode mode, long windowMs, int maxKeys, Mode refusalMode, long refusalWindowMs,
            int refusalRowsPerWindow) {
        Settings {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(refusalMode, "refusalMode");
            if (windowMs < 1 || maxKeys < 1 || refusalWindowMs < 1 || refusalRowsPerWindow < 1) {
                throw new IllegalArgumentException("Invalid summary settings: windowMs=" + windowMs
                        + ", maxKeys=" + maxKeys + ", refusalWindowMs=" + refusalWindowMs + ", refusalRowsPerWindow="
                        + refusalRowsPerWindow);
            }
        }
    }

    private record Key(EventType type, Outcome outcome, String username, String clientId, String topic,
            Access access) {
        static Key of(SecurityEvent e) {
            return new Key(e.type(), e.outcome(), AuditRow.name(e.username()), AuditRow.name(e.clientId()),
                    AuditRow.topic(e.topic()), e.access());
        }
    }

    private record RefusalKey(EventType type, String reason, String username, String clientId, String topic) {
        static RefusalKey of(SecurityEvent e) {
            return new RefusalKey(e.type(), e.reason(), AuditRow.name(e.username()), AuditRow.name(e.clientId()),
                    AuditRow.topic(e.topic()));
        }
    }

    private record Bucket(EventType type, String reason) {
    }

    /** One (type, reason)'s window: rows started in it, and the refusals of new keys past the cap. */
    private static final class Cap {
        final long endsAt;
        int rows;
        final Window aggregated = new Window(0);
        final List<String> samples = new ArrayList<>(SAMPLES);

        Cap(long endsAt) {
            this.endsAt = endsAt;
        }
    }

    /** One key's current window; mutated only inside the map's compute functions (under the bin lock). */
    private static final class Window {
        final long endsAt;
        long count;
        Instant from;
        Instant to;

        Window(long endsAt) {
            this.endsAt = endsAt;
        }

        void count(Instant at) {
            count++;
            if (from == null || at.isBefore(from)) {
                from = at;
            }
            if (to == null || at.isAfter(to)) {
                to = at;
            }
        }
    }

    private static final CompletionStage<Void> COUNTED = CompletableFuture.<Void>completedFuture(null)
            .minimalCompletionStage();

    private final AuditWriter writer;
    private final Settings settings;
    private final Clock clock;
    private final ConcurrentHashMap<Key, Window> windows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<RefusalKey, Window> refusals = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Bucket, Cap> caps = new ConcurrentHashMap<>();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ScheduledExecutorService sweeper;
    private volatile boolean closed;

    AllowSummariser(AuditWriter writer, Settings settings, Clock clock) {
        this.writer = writer;
        this.settings = settings;
        this.clock = clock;
        if (settings.mode() == Mode.SUMMARISE || settings.refusalMode() == Mode.SUMMARISE) {
            this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "warden-audit-allows");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(50, Math.min(1000, Math.min(settings.windowMs(), settings.refusalWindowMs()) / 10));
            sweeper.scheduleWithFixedDelay(this::sweepSafely, period, period, TimeUnit.MILLISECONDS);
        } else {
            this.sweeper = null;
        }
    }

    /**
     * @return the writer's stage for an event recorded as its own row; for an allow that was only
     *     counted, a completed stage (it will be part of a summary row)
     */
    CompletionStage<Void> accept(SecurityEvent event) {
        Objects.requireNonNull(event, "event");
        boolean refusal = settings.refusalMode() == Mode.SUMMARISE && refusal(event);
        if (!refusal && (settings.mode() == Mode.ALL || !summarised(event))) {
            return writer.accept(event);
        }
        inFlight.incrementAndGet();
        try {
            // closing waits for the counts in flight, so none is counted after the last drain
            if (closed) {
                return writer.accept(event);
            }
            return refusal ? countRefusal(event) : count(event);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private CompletionStage<Void> countRefusal(SecurityEvent event) {
        RefusalKey key = RefusalKey.of(event);
        if (refusals.size() >= settings.maxKeys() && !refusals.containsKey(key)) {
            flushAll();
        }
        long now = clock.millis();
        int[] outcome = new int[1]; // 0 counted, 1 a row
        refusals.compute(key, (k, w) -> {
            if (w != null && now < w.endsAt) {
                w.count(event.time());
                return w;
            }
            if (w != null) {
                emit(k, w);
            }
            if (!slot(k, event, now)) {
                return null; // counted into its (type, reason)'s aggregate
            }
            outcome[0] = 1;
            return new Window(now + settings.refusalWindowMs());
        });
        return outcome[0] == 1 ? writer.accept(event) : COUNTED;
    }

    /** @return whether the event may be its own row; if not, it was counted into the aggregate */
    private boolean slot(RefusalKey k, SecurityEvent event, long now) {
        boolean[] row = new boolean[1];
        caps.compute(new Bucket(k.type(), k.reason()), (b, c) -> {
            if (c != null && now >= c.endsAt) {
                emit(b, c);
                c = null;
            }
            if (c == null) {
                c = new Cap(now + settings.refusalWindowMs());
            }
            if (c.rows < settings.refusalRowsPerWindow()) {
                c.rows++;
                row[0] = true;
            } else {
                c.aggregated.count(event.time());
                if (c.samples.size() < SAMPLES) {
                    c.samples.add(sample(k.username()) + "/" + sample(k.clientId()));
                }
            }
            return c;
        });
        return row[0];
    }

    private static String sample(String value) {
        if (value == null) {
            return "-";
        }
        return value.length() <= 20 ? value : value.substring(0, Character.isHighSurrogate(value.charAt(18)) ? 18 : 19)
                + "…";
    }

    private CompletionStage<Void> count(SecurityEvent event) {
        Key key = Key.of(event);
        if (windows.size() >= settings.maxKeys() && !windows.containsKey(key)) {
            flushAll();
        }
        long now = clock.millis();
        boolean[] first = new boolean[1];
        windows.compute(key, (k, w) -> {
            if (w != null && now < w.endsAt) {
                w.count(event.time());
                return w;
            }
            if (w != null) {
                emit(k, w);
            }
            first[0] = true;
            return new Window(now + settings.windowMs());
        });
        return first[0] ? writer.accept(event) : COUNTED;
    }

    /** @return keys currently counted */
    int keys() {
        return windows.size();
    }

    /** Flushes the windows that have ended as summary rows. */
    void sweep() {
        long now = clock.millis();
        for (RefusalKey key : refusals.keySet()) {
            refusals.computeIfPresent(key, (k, w) -> {
                if (now < w.endsAt) {
                    return w;
                }
                emit(k, w);
                return null;
            });
        }
        for (Bucket bucket : caps.keySet()) {
            caps.computeIfPresent(bucket, (b, c) -> {
                if (now < c.endsAt) {
                    return c;
                }
                emit(b, c);
                return null;
            });
        }
        for (Key key : windows.keySet()) {
            windows.computeIfPresent(key, (k, w) -> {
                if (now < w.endsAt) {
                    return w;
                }
                emit(k, w);
                return null;
            });
        }
    }

    /** Stops the sweeper and hands every count to the writer, which must still be open. */
    @Override
    public void close() {
        closed = true;
        if (sweeper != null) {
            sweeper.shutdownNow();
            try {
                sweeper.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // a count is a few map operations: in flight for microseconds
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        drain();
    }

    private void flushAll() {
        if (!flushing.compareAndSet(false, true)) {
            return;
        }
        try {
            LOG.debug("Allow summary holds {} keys; flushing them all", windows.size());
            drain();
        } finally {
            flushing.set(false);
        }
    }

    private void drain() {
        for (Key key : windows.keySet()) {
            windows.computeIfPresent(key, (k, w) -> {
                emit(k, w);
                return null;
            });
        }
        for (RefusalKey key : refusals.keySet()) {
            refusals.computeIfPresent(key, (k, w) -> {
                emit(k, w);
                return null;
            });
        }
        // the caps' windows go on (their row counts still bound the window), only their aggregates are written
        for (Bucket bucket : caps.keySet()) {
            caps.computeIfPresent(bucket, (b, c) -> {
                emitAggregate(b, c);
                return closed ? null : c;
            });
        }
    }

    /** Called under the refusal key's bin lock: the window is being retired. */
    private void emit(RefusalKey k, Window w) {
        if (w.count == 0) {
            return;
        }
        writer.acceptSummary(new SecurityEvent(w.to, k.type(), Outcome.DENY, REFUSAL_SUMMARY, k.username(), null,
                k.clientId(), null, k.topic(), null, AuditWriter.ACTOR, Map.of("reason", k.reason(),
                        "count", Long.toString(w.count), "from", w.from.toString(), "to", w.to.toString())));
    }

    /** Called under the bucket's bin lock: its window is being retired. */
    private void emit(Bucket b, Cap c) {
        emitAggregate(b, c);
    }

    /** Writes the aggregate counted so far, if any, and starts counting it afresh. */
    private void emitAggregate(Bucket b, Cap c) {
        Window w = c.aggregated;
        if (w.count == 0) {
            return;
        }
        writer.acceptSummary(new SecurityEvent(w.to, b.type(), Outcome.DENY, REFUSAL_AGGREGATE, null, null, null, null,
                null, null, AuditWriter.ACTOR, Map.of("reason", b.reason(), "count", Long.toString(w.count), "from",
                        w.from.toString(), "to", w.to.toString(), "rows_per_window",
                        Integer.toString(settings.refusalRowsPerWindow()), "samples", String.join(" ", c.samples))));
        w.count = 0;
        w.from = null;
        w.to = null;
        c.samples.clear();
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("Sweeping allow summaries failed: {}", e.getMessage(), e);
        }
    }

    /** Called under the key's bin lock: the window is being retired. */
    private void emit(Key k, Window w) {
        if (w.count == 0) {
            return;
        }
        writer.acceptSummary(new SecurityEvent(w.to, k.type(), k.outcome(), SUMMARY_REASON, k.username(), null,
                k.clientId(), null, k.topic(), k.access(), AuditWriter.ACTOR, Map.of("count", Long.toString(w.count),
                        "from", w.from.toString(), "to", w.to.toString())));
    }

    /** @return keys counted at once, refusal keys included */
    int refusalKeys() {
        return refusals.size();
    }

    private static boolean refusal(SecurityEvent e) {
        return (e.type() == EventType.AUTH || e.type() == EventType.ACL) && e.outcome() == Outcome.DENY;
    }

    private static boolean summarised(SecurityEvent e) {
        if (e.securityRelevant()) {
            return false;
        }
        return e.type() == EventType.SUPERUSER || (e.type() == EventType.ACL && e.outcome() == Outcome.ALLOW);
    }
}
