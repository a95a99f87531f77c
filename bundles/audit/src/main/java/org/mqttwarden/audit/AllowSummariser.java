package org.mqttwarden.audit;

import java.time.Clock;
import java.time.Instant;
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
 * <p>Counting is done on the caller's thread under the key's map-bin lock only (no I/O, no waiting
 * for the writer), so the count of a window is exact: for N identical allows, one row plus summary
 * counts totalling N-1. Expired windows are swept by one named thread owned by this object.
 */
final class AllowSummariser implements AutoCloseable {

    /** Reason code of a row counting repeated allows. */
    static final String SUMMARY_REASON = "audit.allow-summary";

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
    record Settings(Mode mode, long windowMs, int maxKeys) {
        static final Settings ALL = new Settings(Mode.ALL, 300_000, 100_000);

        Settings {
            Objects.requireNonNull(mode, "mode");
            if (windowMs < 1 || maxKeys < 1) {
                throw new IllegalArgumentException("Invalid allow summary settings: windowMs=" + windowMs
                        + ", maxKeys=" + maxKeys);
            }
        }
    }

    private record Key(EventType type, Outcome outcome, String username, String clientId, String topic,
            Access access) {
        static Key of(SecurityEvent e) {
            return new Key(e.type(), e.outcome(), e.username(), e.clientId(), e.topic(), e.access());
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
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ScheduledExecutorService sweeper;
    private volatile boolean closed;

    AllowSummariser(AuditWriter writer, Settings settings, Clock clock) {
        this.writer = writer;
        this.settings = settings;
        this.clock = clock;
        if (settings.mode() == Mode.SUMMARISE) {
            this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "warden-audit-allows");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(50, Math.min(1000, settings.windowMs() / 10));
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
        if (settings.mode() == Mode.ALL || !summarised(event)) {
            return writer.accept(event);
        }
        inFlight.incrementAndGet();
        try {
            // closing waits for the counts in flight, so none is counted after the last drain
            return closed ? writer.accept(event) : count(event);
        } finally {
            inFlight.decrementAndGet();
        }
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

    private static boolean summarised(SecurityEvent e) {
        if (e.securityRelevant()) {
            return false;
        }
        return e.type() == EventType.SUPERUSER || (e.type() == EventType.ACL && e.outcome() == Outcome.ALLOW);
    }
}
