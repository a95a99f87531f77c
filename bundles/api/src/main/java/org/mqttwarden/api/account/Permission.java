package org.mqttwarden.api.account;

import java.util.Locale;

/** What an ACL rule grants, or {@link #DENY} to forbid whatever else would allow. */
public enum Permission {
    READ,
    WRITE,
    READWRITE,
    SUBSCRIBE,
    DENY;

    /** @return the lower-case name used in configuration and on the shell */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param text {@code read}, {@code write}, {@code readwrite}, {@code subscribe} or {@code deny}
     * @throws InvalidInputException for anything else
     */
    public static Permission parse(String text) {
        if (text != null) {
            for (Permission p : values()) {
                if (p.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
        }
        throw new InvalidInputException("Access must be one of read, write, readwrite, subscribe or deny, not '"
                + text + "'.");
    }
}
