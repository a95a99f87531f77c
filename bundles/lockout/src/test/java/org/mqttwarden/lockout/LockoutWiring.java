package org.mqttwarden.lockout;

import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.store.WardenDatabase;

/** Wires a {@link LockoutGuard} as Declarative Services does, for tests in other packages (alerts). */
public final class LockoutWiring {

    private LockoutWiring() {
    }

    /**
     * @return a guard with the shipped settings but no login budget: these tests replay attacks in real time,
     *     which the budget would mostly refuse ({@link LoginBudgetTest} and {@link FloodTest} test it)
     */
    public static LockoutGuard guard(WardenDatabase db) {
        return new LockoutGuard(db, TestConfig.defaults().budget(0).config());
    }

    public static void sink(LockoutGuard guard, EventSink sink) {
        guard.addSink(sink);
    }

    public static void listener(LockoutGuard guard, LockoutListener listener) {
        guard.addListener(listener);
    }

    public static void close(AccountChanges changes) {
        changes.close();
    }
}
