package org.mqttwarden.api.otp;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Issues, delivers and confirms one-time codes (warden-otp). Nothing it answers tells whether an account or an
 * address exists: a request for an unknown, disabled or address-less account ends quietly, as a sent one does.
 */
@ProviderType
public interface OtpService {

    /**
     * Issues a code for {@code username} and {@code purpose} and hands it to a channel that reaches the account's
     * address, when the account may receive one and the limits allow it; otherwise does nothing. Returns the same
     * way in every case, without waiting for the delivery.
     *
     * @param source who asks, for the audit log (an address, {@code shell:<user>})
     */
    void request(String username, OtpPurpose purpose, String source);

    /**
     * Uses a code: for {@link OtpPurpose#VERIFY} and {@link OtpPurpose#RESET} sets {@code newPassword} (the
     * password policy applies, and is checked before the code is spent), for {@link OtpPurpose#UNLOCK} clears the
     * account's lockout.
     *
     * @param newPassword the new password; ignored for {@link OtpPurpose#UNLOCK}
     * @param source who confirms, for the audit log
     * @return the confirmation, or why not: one message for every wrong, expired or used code, another for a
     *     password the policy refuses
     */
    OtpConfirmation confirm(String username, OtpPurpose purpose, String code, String newPassword, String source);

    /** @return the live codes of {@code username} (all accounts when null), never the codes themselves */
    List<OtpPending> pending(String username);

    /**
     * What came of a confirmation.
     *
     * @param confirmed whether the code was accepted and its purpose carried out
     * @param problem when not, one sentence for the person who typed the code; null when confirmed
     */
    record OtpConfirmation(boolean confirmed, String problem) {
    }
}
