package org.mqttwarden.lockout;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whiteboard services of one kind a component hands something to (event sinks, lockout listeners), bound
 * and unbound by Declarative Services, each called in turn and isolated from the others: one that throws or
 * fails is logged (WARN, naming its class) and the rest still get the call.
 *
 * <p>The same class lives in warden-alerts ({@code org.mqttwarden.alerts.Fanout}); issue 12 asks for one
 * shared helper, which needs a package both bundles may use (see the lead's note).
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

    /**
     * Hands something to every service without waiting: an exception, or a stage that completes
     * exceptionally, is logged and ignored.
     *
     * @param call what each service does with it, returning when it is done (e.g. {@code EventSink::accept})
     * @param about what is handed over, for the log
     */
    void offer(Function<? super T, ? extends CompletionStage<?>> call, Object about) {
        each(t -> call.apply(t).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warn("{} {} did not take {}: {}", kind, t.getClass().getName(), about, failure.toString());
            }
        }), about);
    }
}
