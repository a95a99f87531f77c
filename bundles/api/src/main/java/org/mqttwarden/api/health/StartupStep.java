package org.mqttwarden.api.health;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service for start-up work a component runs on a thread of its own (so that it does not
 * stall Karaf's start) and that the gateway needs done before it is ready: the first start's initial
 * accounts, shell admin and SSH key, for example. The component registers the step when it activates,
 * before the work is done, and the step says when it is; {@code GET /health} answers 503 (starting)
 * while any registered step is {@link State#RUNNING} and 503 (down) while any has
 * {@link State#FAILED}.
 *
 * <p>{@link #state()} is called from any thread, several times a second while the gateway starts: it
 * must be cheap and must not block (a volatile read).
 */
@ConsumerType
public interface StartupStep {

    /** Where a step is. */
    enum State {
        /** The work is under way, or has not begun. */
        RUNNING,
        /** The work is done; a step that is done stays done for the service's life. */
        DONE,
        /** The work stopped on an error (logged by the step); the gateway is not ready. */
        FAILED
    }

    /**
     * @return what the step does, a few lower-case words shown in {@code /health} while it runs or
     *     after it failed (e.g. {@code first start}); constant for the service's life
     */
    String name();

    /** @return where the step is now */
    State state();
}
