package org.mqttwarden.lockout.alert;

import org.mqttwarden.api.event.EventSink;

/** Binds a sink to an {@link AlertDetector} as Declarative Services does, for tests in other packages. */
public final class AlertAccess {

    private AlertAccess() {
    }

    public static void sink(AlertDetector detector, EventSink sink) {
        detector.addSink(sink);
    }
}
