package org.mqttwarden.auth;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of PID {@code org.mqttwarden.auth} ({@code etc/org.mqttwarden.auth.cfg}). */
@ObjectClassDefinition(name = "MQTT Warden authentication", description = "Password hashing, remembered"
        + " verifications and the first-start admin account.")
public @interface AuthConfig {

    @AttributeDefinition(description = "bcrypt cost (log2 rounds) for new hashes, 10 to 16. A successful login"
            + " with a hash of another cost is rehashed; until then a wrong password against a cheaper hash is"
            + " padded to this cost's work.", min = "10", max = "16")
    int bcrypt_cost() default 11;

    @AttributeDefinition(description = "Minimum length of passwords set by people.", min = "8", max = "128")
    int password_min_length() default 12;

    @AttributeDefinition(description = "Seconds a successful password verification is remembered (keyed by an"
            + " HMAC, never the password); 0 turns it off.", min = "0", max = "3600")
    int verified_ttl_seconds() default 120;

    @AttributeDefinition(description = "Milliseconds a decision waits for audit sinks to confirm a"
            + " security-relevant event.", min = "0", max = "10000")
    int event_wait_ms() default 2000;

    @AttributeDefinition(description = "Fail logins closed (error) when no LoginGuard service (warden-lockout)"
            + " is present.")
    boolean login_guard_required() default false;

    @AttributeDefinition(description = "On first start, create the MQTT account 'admin' with a random password"
            + " when no account exists.")
    boolean bootstrap_admin() default true;

    @AttributeDefinition(description = "On first start, when etc/users.properties has no user, create the Karaf"
            + " shell admin 'warden-admin' and the SSH key bin/warden uses. Integrators installing Warden into a"
            + " Karaf of their own may turn this off.")
    boolean bootstrap_shell_admin() default true;
}
