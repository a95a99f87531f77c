package org.mqttwarden.crypto.replay;

import java.util.Optional;
import org.mqttwarden.crypto.MessageState;

/**
 * What {@link ReplayGuard#check} decided about one authenticated message. Only {@link #OK} means "hand the
 * plaintext to the application"; every other verdict means the message is dropped.
 *
 * <p>The names match {@link MessageState} where one exists. {@link #DUPLICATE} has no {@code MessageState} yet: it
 * is kept apart from {@link #REPLAYED} because a QoS 1 redelivery is the broker doing its job, not an attack, and
 * an audit that called it a replay would raise alarms on every reconnect.
 */
public enum ReplayVerdict {
    /** Fresh and never accepted before: accepted now, and recorded, so it is accepted exactly once. */
    OK,
    /**
     * Already accepted, recent (inside the sequence window and the timestamp window), and marked as a redelivery by
     * the MQTT DUP flag: dropped quietly, not reported as an attack. The DUP flag is not authenticated, so a lying
     * broker can turn a recent {@link #REPLAYED} into a {@code DUPLICATE}, but never into {@link #OK}.
     */
    DUPLICATE,
    /** Already accepted (without the DUP flag), or older than the sender's sequence window: dropped. */
    REPLAYED,
    /**
     * Timestamp outside the allowed clock skew, or not newer than what this guard can no longer tell apart from a
     * replay (a sender it has forgotten, or a message from before the guard existed): dropped, nothing recorded.
     */
    STALE,
    /** A negative sequence number, which no sender hands out: dropped, nothing recorded. */
    MALFORMED;

    /**
     * The message state to hand to the application or the audit.
     *
     * @return the {@link MessageState} of the same name; empty for {@link #DUPLICATE}, which has none yet
     */
    public Optional<MessageState> messageState() {
        return switch (this) {
            case OK -> Optional.of(MessageState.OK);
            case REPLAYED -> Optional.of(MessageState.REPLAYED);
            case STALE -> Optional.of(MessageState.STALE);
            case MALFORMED -> Optional.of(MessageState.MALFORMED);
            case DUPLICATE -> Optional.empty();
        };
    }
}
