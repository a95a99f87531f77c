package org.mqttwarden.api.otp;

import java.time.Instant;
import java.util.Objects;

/**
 * A code to deliver to a person. It carries the code itself, so a channel must never log, store or echo it;
 * {@link #toString()} leaves it out.
 *
 * @param username the account the code is for
 * @param address where the channel delivers it (for e-mail, the account's address)
 * @param purpose what the code is for
 * @param code the code, in clear, for the message only
 * @param expiresAt when the code stops being accepted
 */
public record OtpMessage(String username, String address, OtpPurpose purpose, String code, Instant expiresAt) {

    public OtpMessage {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
        return "OtpMessage[username=" + username + ", address=" + address + ", purpose=" + purpose.id()
                + ", code=(hidden), expiresAt=" + expiresAt + "]";
    }
}
