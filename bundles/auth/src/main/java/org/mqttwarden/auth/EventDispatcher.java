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
        return deliver(event, true);
    }

    /** Hands an event to every sink; waits, bounded, for a security-relevant one and says when that failed. */
    void emit(SecurityEvent event) {
        if (sinks.isEmpty()) {
            return;
        }
        String why = deliver(event, event.awaited());
        if (why != null) {
            LOG.warn("A {} {} event was not recorded by every event sink: {}", event.type(), event.outcome(), why);
        }
    }

    /** Hands an event to every sink without waiting; a sink that throws or fails its stage is logged. */
    void offer(SecurityEvent event) {
        for (EventSink sink : sinks) {
            try {
                sink.accept(event).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        LOG.warn("An event sink ({}) did not take a {} {} event: {}", sink.getClass().getName(),
                                event.type(), event.reason(), failure.toString());
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("An event sink ({}) failed on a {} {} event: {}", sink.getClass().getName(), event.type(),
                        event.reason(), e.toString());
            }
        }
    }

    /**
     * @param wait whether to wait, up to the configured time, until every sink confirms
     * @return {@code null} when every sink took the event (and, waiting, confirmed it); else why not
     */
    private String deliver(SecurityEvent event, boolean wait) {
        CompletableFuture<?>[] pending = wait ? new CompletableFuture<?>[sinks.size()] : null;
        int n = 0;
        String failed = null;
        for (EventSink sink : sinks) {
            try {
                CompletableFuture<Void> done = sink.accept(event).toCompletableFuture();
                if (wait && n < pending.length) {
                    pending[n++] = done;
                }
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = "an event sink (" + sink.getClass().getSimpleName() + ") failed: " + e;
                }
            }
        }
        if (n == 0) {
            return failed;
        }
        String waited = null;
        try {
            CompletableFuture.allOf(java.util.Arrays.copyOf(pending, n)).get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            waited = "the audit log did not confirm the record within " + waitMillis + " ms";
        } catch (ExecutionException e) {
            String why = e.getCause() == null ? e.toString() : e.getCause().getMessage();
            waited = "the audit log refused the record (" + why + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            waited = "interrupted while waiting for the audit log";
        }
        // a sink that threw does not spare the others their wait: the decision still waits for the audit log
        return failed != null ? failed : waited;
    }
}
