package org.mqttwarden.api.otp;

import java.util.Locale;

/** What a one-time code is for. */
public enum OtpPurpose {
    /** An invited account sets its own password (so no admin ever knows it). */
    VERIFY,
    /** A forgotten password is replaced. */
    RESET,
    /** A lockout is cleared. */
    UNLOCK;

    /** @return the name as stored, shown and typed: {@code verify}, {@code reset}, {@code unlock} */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the three purposes when {@code text} is none of them */
    public static OtpPurpose of(String text) {
        for (OtpPurpose p : values()) {
            if (p.id().equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("The purpose must be verify, reset or unlock, not '" + text + "'");
    }
}
