package org.mqttwarden.api.otp;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service delivering codes to people: e-mail is shipped by warden-otp; an SMS gateway or a device's
 * display are other channels a bundle may add.
 */
@ConsumerType
public interface OtpChannel {

    /** @return the channel's name, as configuration and {@code warden:otp-status} show it, e.g. {@code email} */
    String name();

    /**
     * @return whether this channel can deliver to {@code address} now (configured, and the address has its form);
     *     false makes the request end quietly, as for an unknown account
     */
    boolean reaches(String address);

    /**
     * @return what an admin should know about the channel now, in one line that never holds a secret: e.g.
     *     {@code ready (smtp.plant.example.org:587, starttls)}, or {@code off: mail.host is empty}; shown by
     *     {@code warden:otp-status}
     */
    default String status() {
        return "ready";
    }

    /**
     * Hands the message on without blocking the caller.
     *
     * @return a stage that completes when the next hop took the message (for e-mail: the SMTP server accepted
     *     it), or exceptionally with why not, in words that never contain the code
     */
    CompletionStage<Void> deliver(OtpMessage message);
}
