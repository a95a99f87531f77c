package org.mqttwarden.otp.web;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Stands before Undertow's open listener and caps the connections open at once: one over the cap is closed as
 * soon as it is accepted, so its client knows at once (as warden-http's go-auth listener does). With the parse,
 * body and idle timeouts this bounds what many slow or silent clients can hold: sockets for a few seconds, never a
 * worker thread.
 */
final class ConnectionCap implements ChannelListener<StreamConnection> {

    private final ChannelListener<? super StreamConnection> next;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionCap(ChannelListener<? super StreamConnection> next, int max) {
        this.next = next;
        this.max = max;
    }

    @Override
    public void handleEvent(StreamConnection connection) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            IoUtils.safeClose(connection);
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        try {
            next.handleEvent(connection);
        } finally {
            // Undertow sets its own close listener on the connection: ours runs after it
            ChannelListener<? super StreamConnection> undertow = connection.getCloseListener();
            connection.setCloseListener(c -> {
                try {
                    ChannelListeners.invokeChannelListener(c, undertow);
                } finally {
                    release(released);
                }
            });
            if (!connection.isOpen()) {
                release(released);
            }
        }
    }

    private void release(AtomicBoolean released) {
        if (released.compareAndSet(false, true)) {
            open.decrementAndGet();
        }
    }

    /** @return connections open now */
    int open() {
        return open.get();
    }
}
