package org.mqttwarden.lockout;

import java.util.Map;

import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.lockout.LockoutListener;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.testsupport.Configs;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * Wires a {@link LockoutGuard} as Declarative Services does, for tests in other packages and bundles:
 * warden-lockout's test-jar holds it (with {@link LoopbackHttp}) for warden-alerts' tests.
 */
public final class LockoutWiring {

    private LockoutWiring() {
    }

    /**
     * @return a guard with the shipped settings but no login budget: these tests replay attacks in real time,
     *     which the budget would mostly refuse ({@link LoginBudgetTest} and {@link FloodTest} test it)
     */
    public static LockoutGuard guard(WardenDatabase db) {
        return new LockoutGuard(db, Configs.of(LockoutGuard.Config.class, Map.of("login.budget.percent", 0,
                "login.budget.refusal.micros", 0)));
    }

    /** Binds warden-auth's one event publisher, through which the guard's locks reach every sink. */
    public static void events(LockoutGuard guard, ComponentServiceObjects<EventPublisher> events) {
        guard.setEvents(events);
    }

    public static void listener(LockoutGuard guard, LockoutListener listener) {
        guard.addListener(listener);
    }

    public static void close(AccountChanges changes) {
        changes.close();
    }
}
