package org.mqttwarden.api.event;

/**
 * Reason codes of events that one bundle emits and another acts on, beyond those with a type of their own
 * ({@link org.mqttwarden.api.auth.LoginReason}, {@link org.mqttwarden.api.account.AdminChange}).
 */
public final class Reasons {

    /** An {@link EventType#OTP} event, outcome ALLOW: an account was unlocked with a one-time code. */
    public static final String OTP_UNLOCK = "otp.unlock";

    private Reasons() {
    }
}
