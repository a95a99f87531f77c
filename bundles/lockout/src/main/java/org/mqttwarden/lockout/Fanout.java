package org.mqttwarden.lockout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lockout listeners (whiteboard services bound and unbound by Declarative Services), each called in turn
 * and isolated from the others: one that throws is logged (WARN, naming its class) and the rest still get the
 * call. Security events do not go through here: they go to the sinks through warden-auth's one
 * {@code EventPublisher}.
 *
 * @param <T> the service type
 */
final class Fanout<T> {

    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);

    private final List<T> targets = new CopyOnWriteArrayList<>();
    private final String kind;

    /** @param kind what the services are, for the log ({@code Event sink}, {@code Lockout listener}) */
    Fanout(String kind) {
        this.kind = kind;
    }

    void add(T target) {
        targets.add(target);
    }

    void remove(T target) {
        targets.remove(target);
    }

    /**
     * Calls {@code call} on every service, in the order they were bound; an exception is logged and ignored.
     *
     * @param about what is handed over, for the log (printed with {@code toString()}: never a secret)
     */
    void each(Consumer<? super T> call, Object about) {
        for (T t : targets) {
            try {
                call.accept(t);
            } catch (RuntimeException e) {
                LOG.warn("{} {} failed on {}: {}", kind, t.getClass().getName(), about, e.toString());
            }
        }
    }
}
