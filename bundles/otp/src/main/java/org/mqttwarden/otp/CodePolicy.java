package org.mqttwarden.otp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The limits on e-mailed codes: length, lifetime, wrong tries, and how often one may be sent.
 *
 * @param length digits of a code, 6 to 10 (6 digits are about 20 bits)
 * @param ttl how long a code is valid, 1 to 10 minutes
 * @param maxAttempts wrong tries a code survives, 1 to 10; the last one kills it
 * @param cooldown time a new code for the same account and purpose must wait after the last, 0 to 1 hour
 * @param maxPerHour codes per account and purpose in any hour, 1 to 20
 */
record CodePolicy(int length, Duration ttl, int maxAttempts, Duration cooldown, int maxPerHour) {

    /** The shipped limits: 8 digits, 10 minutes, 5 tries, 60 s between codes, 5 an hour. */
    static final CodePolicy DEFAULTS = new CodePolicy(8, Duration.ofMinutes(10), 5, Duration.ofSeconds(60), 5);

    /** @return what is wrong with these limits, one sentence each naming the configuration key; empty when none */
    List<String> problems() {
        List<String> p = new ArrayList<>();
        if (length < 6 || length > 10) {
            p.add("code.length must be 6 to 10, was " + length);
        }
        if (ttl.compareTo(Duration.ofMinutes(1)) < 0 || ttl.compareTo(Duration.ofMinutes(10)) > 0) {
            p.add("code.ttl.minutes must be 1 to 10, was " + ttl.toMinutes());
        }
        if (maxAttempts < 1 || maxAttempts > 10) {
            p.add("code.max.attempts must be 1 to 10, was " + maxAttempts);
        }
        if (cooldown.isNegative() || cooldown.compareTo(Duration.ofHours(1)) > 0) {
            p.add("code.cooldown.seconds must be 0 to 3600, was " + cooldown.toSeconds());
        }
        if (maxPerHour < 1 || maxPerHour > 20) {
            p.add("code.max.per.hour must be 1 to 20, was " + maxPerHour);
        }
        return p;
    }
}
