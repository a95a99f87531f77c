package org.mqttwarden.auth;

import org.mqttwarden.api.event.EventSink;

/** Binds whiteboard services to the engine the way DS does (its bind methods are package-private). */
public final class EngineWiring {

    private EngineWiring() {
    }

    public static void bindSink(DecisionEngine engine, EventSink sink) {
        engine.addSink(sink);
    }

    public static void unbindSink(DecisionEngine engine, EventSink sink) {
        engine.removeSink(sink);
    }
}
