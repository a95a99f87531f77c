package org.mqttwarden.alerts;

import java.util.Locale;

/** How urgent an alert is; on the wire (MQTT user property, audit detail) as its lower-case label. */
public enum Severity {
    /** Worth knowing, probably legitimate (a device moved to a new client id). */
    INFO,
    /** An attack in progress that the lockout rules are holding off. */
    WARNING,
    /** An attack that may have succeeded, or a gateway-wide one. */
    CRITICAL;

    /** @return {@code info}, {@code warning} or {@code critical} */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
