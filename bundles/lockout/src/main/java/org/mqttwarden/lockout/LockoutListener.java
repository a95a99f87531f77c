package org.mqttwarden.lockout;

/**
 * Observes what the lockout rules count and do: every counted failure, every lock, every clear. An
 * attack detector (alerts) registers one as an OSGi service; {@link LockoutGuard} calls each, on the
 * login path, after its own locks are released.
 *
 * <p>{@link #onLockoutEvent} must return at once: no I/O, no waiting (hand work to a queue of your own).
 * An exception is logged and ignored.
 */
public interface LockoutListener {

    void onLockoutEvent(LockoutEvent event);
}
