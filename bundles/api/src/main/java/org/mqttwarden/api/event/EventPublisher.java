package org.mqttwarden.api.event;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The one fan-out of security events to the {@link EventSink} whiteboard, for every bundle that produces
 * events (the decision engine, account administration, lockout, alerts, OTP): it hands an event to each
 * sink present, isolates a sink that throws from the others, and waits for their confirmations only as long
 * as the gateway's configured bound ({@code event.wait.ms} of {@code org.mqttwarden.auth}).
 *
 * <p>A producer never keeps a list of sinks of its own. The sink a producer registers itself (to listen) also
 * receives what that producer publishes; a sink ignores the event types it does not act on.
 */
@ProviderType
public interface EventPublisher {

    /**
     * Hands {@code event} to every sink; when it is {@link SecurityEvent#awaited() awaited}, returns only once
     * every sink confirmed it or the bound elapsed. An event that was not confirmed by every sink is logged as
     * a WARN with the reason; the caller's decision stands.
     */
    void publish(SecurityEvent event);

    /**
     * Hands {@code event} to every sink without waiting for any of them: for an event that follows from one
     * already published and waited for (a lock after the failed login that caused it, an alert about
     * recorded decisions), on a path that must not wait twice. A sink that throws or whose stage fails is
     * logged as a WARN.
     */
    void offer(SecurityEvent event);

    /**
     * Hands {@code event} to every sink and waits, bounded, until each confirms it, whatever its type: for a
     * change that may be made only once its record is made (an admin change).
     *
     * @return empty when every sink present confirmed the event, or no sink is present; otherwise why not, in
     *         one sentence for an admin (the change must then not be made)
     */
    Optional<String> record(SecurityEvent event);

    /** @return whether any sink is present; a producer may skip building events that nobody receives */
    boolean active();
}
