package org.mqttwarden.http;

import java.lang.annotation.Annotation;

import org.mqttwarden.auth.AuthConfig;

/** An {@link AuthConfig} for the decision engine behind the server: cheap bcrypt, no first-start admin. */
record AuthSettings(int bcrypt_cost, int password_min_length, int verified_ttl_seconds, int event_wait_ms,
        boolean login_guard_required, boolean bootstrap_admin, boolean bootstrap_shell_admin) implements AuthConfig {

    static AuthSettings fast() {
        return new AuthSettings(10, 12, 120, 2000, false, false, false);
    }

    AuthSettings withCost(int cost) {
        return new AuthSettings(cost, password_min_length, verified_ttl_seconds, event_wait_ms, login_guard_required,
                bootstrap_admin, bootstrap_shell_admin);
    }

    AuthSettings withEventWait(int millis) {
        return new AuthSettings(bcrypt_cost, password_min_length, verified_ttl_seconds, millis, login_guard_required,
                bootstrap_admin, bootstrap_shell_admin);
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return AuthConfig.class;
    }
}
