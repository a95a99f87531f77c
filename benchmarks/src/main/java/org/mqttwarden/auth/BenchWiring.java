package org.mqttwarden.auth;

import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventSink;

/**
 * Binds a guard and a sink to the decision engine as Declarative Services does (its bind methods are
 * package-private), for in-process benchmarks. Benchmarks only: never on a bundle's class path.
 */
public final class BenchWiring {

    private BenchWiring() {
    }

    public static void guard(DecisionEngine engine, LoginGuard guard) {
        engine.addGuard(guard);
    }

    public static void sink(DecisionEngine engine, EventSink sink) {
        engine.addSink(sink);
    }
}
