package org.mqttwarden.auth;

import java.lang.annotation.Annotation;

import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventSink;

/**
 * Binds services to warden-auth's components as Declarative Services does (their bind methods are
 * package-private), for warden-lockout's tests against the real decision engine.
 */
public final class Wiring {

    private Wiring() {
    }

    public static void guard(DecisionEngine engine, LoginGuard guard) {
        engine.addGuard(guard);
    }

    public static void sink(DecisionEngine engine, EventSink sink) {
        engine.addSink(sink);
    }

    public static void sink(AccountAdmin admin, EventSink sink) {
        admin.addSink(sink);
    }

    /** @return the shipped settings with the cheapest bcrypt and no first-start accounts */
    public static AuthConfig fastAuth() {
        return new AuthConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return AuthConfig.class;
            }

            @Override
            public int bcrypt_cost() {
                return 10;
            }

            @Override
            public int password_min_length() {
                return 12;
            }

            @Override
            public int verified_ttl_seconds() {
                return 120;
            }

            @Override
            public int event_wait_ms() {
                return 2000;
            }

            @Override
            public boolean login_guard_required() {
                return true;
            }

            @Override
            public boolean bootstrap_admin() {
                return false;
            }

            @Override
            public boolean bootstrap_shell_admin() {
                return false;
            }
        };
    }
}
