package org.mqttwarden.otp;

import java.util.Locale;

/**
 * What an e-mailed code is for. E-mail is not an authentication factor (NIST SP 800-63B 5.1.3.1), so a code
 * never logs anyone in: it lets an invited account set its own password, a user reset a forgotten one, or clear
 * a lockout.
 */
enum Purpose {
    /** An invited account sets its own password. */
    VERIFY,
    /** A forgotten password is replaced. */
    RESET,
    /** A lockout is cleared. */
    UNLOCK;

    /** @return the name as stored, shown and typed: {@code verify}, {@code reset}, {@code unlock} */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the three purposes when {@code text} is none of them */
    static Purpose of(String text) {
        for (Purpose p : values()) {
            if (p.id().equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("The purpose must be verify, reset or unlock, not '" + text + "'");
    }
}
