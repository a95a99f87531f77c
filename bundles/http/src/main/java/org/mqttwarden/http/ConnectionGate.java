package org.mqttwarden.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Stands before Undertow's open listener and caps the connections open at once. A connection over
 * the cap is closed as soon as it is accepted: its client sees the end of the stream at once and
 * can fail fast (go-auth answers Mosquitto with an error instead of waiting its timeout out while
 * the broker is frozen), and the refusal is counted. XNIO's high-water mark would instead stop
 * accepting, leaving every new client, go-auth's included, waiting in the kernel's backlog unseen.
 */
final class ConnectionGate implements ChannelListener<StreamConnection> {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);
    /** At most one warning about refusals per this period; the count in between goes with it. */
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ChannelListener<? super StreamConnection> next;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    /** Refusals not yet told in a warning. */
    private final AtomicLong unwarned = new AtomicLong();
    private final AtomicLong lastWarned = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    ConnectionGate(ChannelListener<? super StreamConnection> next, int max) {
        this.next = next;
        this.max = max;
    }

    @Override
    public void handleEvent(StreamConnection connection) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.increment();
            IoUtils.safeClose(connection);
            warn();
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        try {
            next.handleEvent(connection);
        } finally {
            // Undertow sets its own close listener on the connection: chain ours after it
            ChannelListener<? super StreamConnection> undertow = connection.getCloseListener();
            connection.setCloseListener(c -> {
                try {
                    ChannelListeners.invokeChannelListener(c, undertow);
                } finally {
                    release(released);
                }
            });
            if (!connection.isOpen()) {
                // closed before our listener was in place
                release(released);
            }
        }
    }

    private void release(AtomicBoolean released) {
        if (released.compareAndSet(false, true)) {
            open.decrementAndGet();
        }
    }

    private void warn() {
        long now = System.nanoTime();
        long last = lastWarned.get();
        unwarned.incrementAndGet();
        if (now - last >= WARN_EVERY_NANOS && lastWarned.compareAndSet(last, now)) {
            LOG.warn("{} connections to the go-auth listener were refused: max.connections ({}) are open; the"
                    + " next warning comes in a minute at the earliest (warden_http_connections_refused_total"
                    + " counts them all)", unwarned.getAndSet(0), max);
        }
    }

    /** @return connections open now */
    int open() {
        return open.get();
    }

    /** @return the most connections open at once */
    int max() {
        return max;
    }

    /** @return connections refused since the listener started */
    long refused() {
        return refused.sum();
    }
}
