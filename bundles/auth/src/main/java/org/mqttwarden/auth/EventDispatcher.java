package org.mqttwarden.auth;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.SecurityEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each event to every {@link EventSink} present. For security-relevant events it waits,
 * bounded, until every sink says it has done what it promises (e.g. committed to disk), so the
 * decision is answered only after its trace is durable.
 */
final class EventDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

    private final List<EventSink> sinks = new CopyOnWriteArrayList<>();
    private volatile long waitMillis;

    EventDispatcher(long waitMillis) {
        this.waitMillis = waitMillis;
    }

    void waitMillis(long millis) {
        this.waitMillis = millis;
    }

    void add(EventSink sink) {
        sinks.add(sink);
    }

    void remove(EventSink sink) {
        sinks.remove(sink);
    }

    /** @return whether any sink listens; lets callers skip building events nobody receives */
    boolean active() {
        return !sinks.isEmpty();
    }

    /**
     * Hands an event to every sink and waits, bounded, until each confirms it, whatever the event: for a
     * change that may only be made once its record is made.
     *
     * @return {@code null} when every sink present confirmed the event (or none is present); otherwise why
     *     not, one sentence for the admin
     */
    String record(SecurityEvent event) {
        List<CompletableFuture<Void>> pending = new java.util.ArrayList<>(sinks.size());
        for (EventSink sink : sinks) {
            try {
                pending.add(sink.accept(event).toCompletableFuture());
            } catch (RuntimeException e) {
                return "an event sink (" + sink.getClass().getSimpleName() + ") failed: " + e;
            }
        }
        if (pending.isEmpty()) {
            return null;
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture<?>[]::new)).get(waitMillis,
                    TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            return "the audit log did not confirm the record within " + waitMillis + " ms";
        } catch (ExecutionException e) {
            String why = e.getCause() == null ? e.toString() : e.getCause().getMessage();
            return "the audit log refused the record (" + why + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while waiting for the audit log";
        }
    }

    void emit(SecurityEvent event) {
        if (sinks.isEmpty()) {
            return;
        }
        boolean wait = event.awaited();
        CompletableFuture<?>[] pending = wait ? new CompletableFuture<?>[sinks.size()] : null;
        int n = 0;
        for (EventSink sink : sinks) {
            try {
                CompletableFuture<Void> done = sink.accept(event).toCompletableFuture();
                if (wait && n < pending.length) {
                    pending[n++] = done;
                }
            } catch (RuntimeException e) {
                LOG.warn("Event sink {} failed on a {} event: {}", sink.getClass().getName(), event.type(),
                        e.toString());
            }
        }
        if (wait && n > 0) {
            CompletableFuture<Void> all = CompletableFuture.allOf(java.util.Arrays.copyOf(pending, n));
            try {
                all.get(waitMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.warn("Event sinks did not confirm a {} {} event within {} ms", event.type(), event.outcome(),
                        waitMillis);
            } catch (ExecutionException e) {
                LOG.warn("An event sink failed to record a {} {} event: {}", event.type(), event.outcome(),
                        e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
