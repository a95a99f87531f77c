package org.mqttwarden.api.otp;

import java.time.Instant;

/**
 * A live code as an admin may see it ({@code warden:otp-status}): never the code.
 *
 * @param username its account
 * @param purpose what it is for
 * @param issuedAt when it was issued
 * @param expiresAt when it stops being accepted
 * @param attemptsLeft wrong tries it still survives
 * @param delivery what became of its delivery, e.g. {@code sent by email}, {@code failed: ...}, {@code pending}
 */
public record OtpPending(String username, OtpPurpose purpose, Instant issuedAt, Instant expiresAt, int attemptsLeft,
        String delivery) {
}
