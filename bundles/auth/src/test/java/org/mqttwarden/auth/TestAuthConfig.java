package org.mqttwarden.auth;

import java.lang.annotation.Annotation;

/** An {@link AuthConfig} for tests: cheap bcrypt, everything else as shipped unless changed. */
record TestAuthConfig(int bcrypt_cost, int password_min_length, int verified_ttl_seconds, int event_wait_ms,
        boolean login_guard_required, boolean bootstrap_admin, boolean bootstrap_shell_admin) implements AuthConfig {

    static TestAuthConfig defaults() {
        return new TestAuthConfig(10, 12, 120, 2000, false, true, true);
    }

    TestAuthConfig withCost(int cost) {
        return new TestAuthConfig(cost, password_min_length, verified_ttl_seconds, event_wait_ms, login_guard_required,
                bootstrap_admin, bootstrap_shell_admin);
    }

    TestAuthConfig withTtl(int seconds) {
        return new TestAuthConfig(bcrypt_cost, password_min_length, seconds, event_wait_ms, login_guard_required,
                bootstrap_admin, bootstrap_shell_admin);
    }

    TestAuthConfig withGuardRequired() {
        return new TestAuthConfig(bcrypt_cost, password_min_length, verified_ttl_seconds, event_wait_ms, true,
                bootstrap_admin, bootstrap_shell_admin);
    }

    TestAuthConfig withEventWait(int ms) {
        return new TestAuthConfig(bcrypt_cost, password_min_length, verified_ttl_seconds, ms, login_guard_required,
                bootstrap_admin, bootstrap_shell_admin);
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return AuthConfig.class;
    }
}
