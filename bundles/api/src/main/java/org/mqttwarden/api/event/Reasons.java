package org.mqttwarden.api.event;

/**
 * Reason codes of events that one bundle emits and another acts on, beyond those with a type of their own
 * ({@link org.mqttwarden.api.auth.LoginReason}, {@link org.mqttwarden.api.account.AdminChange}).
 */
public final class Reasons {

    /** An {@link EventType#OTP} event, outcome ALLOW: an account was unlocked with a one-time code. */
    public static final String OTP_UNLOCK = "otp.unlock";
    /** {@link EventType#OTP}, ALLOW: a code was issued (detail: purpose, expiry; never the code). */
    public static final String OTP_ISSUED = "otp.issued";
    /** {@link EventType#OTP}, ALLOW: a channel handed a code on (detail: purpose, channel). */
    public static final String OTP_SENT = "otp.sent";
    /** {@link EventType#OTP}, ERROR: a channel could not hand a code on (detail: purpose, channel, why). */
    public static final String OTP_SEND_FAILED = "otp.send-failed";
    /** {@link EventType#OTP}, DENY: a request was refused by a limit (detail: which, when to retry). */
    public static final String OTP_REFUSED = "otp.refused";
    /** {@link EventType#OTP}, ALLOW: a code was accepted and its purpose carried out (detail: purpose). */
    public static final String OTP_CONFIRMED = "otp.confirmed";
    /** {@link EventType#OTP}, DENY: a code was not accepted (detail: purpose; wrong, expired, used or none). */
    public static final String OTP_REJECTED = "otp.rejected";

    /**
     * {@link EventType#MESSAGE}, DENY: a protected message's tag did not verify (payload, header or topic altered,
     * or a forgery). Detail: {@code state}; topic in the event. The alert path counts every {@code message.*} reason
     * towards a burst.
     * @since 1.4
     */
    public static final String MESSAGE_TAMPERED = "message.tampered";
    /** {@link EventType#MESSAGE}, DENY: an authentic message seen before (detail: {@code sender}). @since 1.4 */
    public static final String MESSAGE_REPLAYED = "message.replayed";
    /**
     * {@link EventType#MESSAGE}, DENY: an authentic message outside the time window (detail: {@code sender}).
     * @since 1.4
     */
    public static final String MESSAGE_STALE = "message.stale";
    /** {@link EventType#MESSAGE}, DENY: sealed under a key id the gateway does not have. @since 1.4 */
    public static final String MESSAGE_UNKNOWN_KEY = "message.unknown-key";
    /** {@link EventType#MESSAGE}, DENY: not an envelope (truncated, unknown version or algorithm). @since 1.4 */
    public static final String MESSAGE_MALFORMED = "message.malformed";
    /** The prefix shared by every {@link EventType#MESSAGE} reason above. @since 1.4 */
    public static final String MESSAGE_PREFIX = "message.";

    /**
     * {@link EventType#ALERT}, DENY: one address opened more connections to the broker within a window than
     * warden-broker's {@code watch.flood.connections} (detail: address, count, window). @since 1.4
     */
    public static final String BROKER_CONNECTION_FLOOD = "broker.connection-flood";
    /**
     * {@link EventType#ALERT}, DENY: one address made repeated protocol errors the broker logged (detail: address,
     * count, window). @since 1.4
     */
    public static final String BROKER_PROTOCOL_ERRORS = "broker.protocol-errors";
    /** The prefix shared by the reasons warden-broker raises from the broker's log. @since 1.4 */
    public static final String BROKER_PREFIX = "broker.";

    private Reasons() {
    }
}
