package org.mqttwarden.api.lockout;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service observing what the lockout rules count and do: every counted failure, every lock, every
 * clear. An attack detector (warden-alerts) registers one; warden-lockout calls each one present, on the login
 * path, after its own locks are released.
 *
 * <p>Threading: {@link #onLockoutEvent} must return at once: no I/O, no waiting, no lock another thread may
 * hold long (hand the work to a bounded queue of your own). It may be called from many threads at once. An
 * exception is logged and ignored: it changes no decision and keeps no other listener from the event.
 */
@ConsumerType
public interface LockoutListener {

    /** @param event what happened; never {@code null} */
    void onLockoutEvent(LockoutEvent event);
}
