package org.mqttwarden.otp;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the one-time codes, PID {@code org.mqttwarden.otp}. Applied live; an invalid one is refused. */
@ObjectClassDefinition(name = "Warden one-time codes",
        description = "E-mailed codes for invitation, password reset and unlock: their length, lifetime and limits")
public @interface OtpConfig {

    @AttributeDefinition(name = "Code length", description = "Digits of a code, 6 to 10 (6 digits are ~20 bits)")
    int code_length() default 8;

    @AttributeDefinition(name = "Code lifetime", description = "Minutes a code is valid, 1 to 10")
    int code_ttl_minutes() default 10;

    @AttributeDefinition(name = "Tries per code", description = "Wrong tries a code survives, 1 to 10")
    int code_max_attempts() default 5;

    @AttributeDefinition(name = "Cooldown", description = "Seconds between two codes for one account and purpose,"
            + " 0 to 3600")
    int code_cooldown_seconds() default 60;

    @AttributeDefinition(name = "Codes per hour", description = "Codes per account and purpose in any hour, 1 to 20")
    int code_max_per_hour() default 5;
}
