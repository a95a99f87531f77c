package org.mqttwarden.alerts;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.mqttwarden.api.event.EventPublisher;
import org.osgi.service.component.ComponentServiceObjects;

/** Reaches an {@link AlertDetector} as Declarative Services and {@code /metrics} do, for tests in other packages. */
public final class AlertAccess {

    private AlertAccess() {
    }

    /** Binds warden-auth's event publisher as DS binds it: the detector's alerts go to its sinks. */
    public static void events(AlertDetector detector, ComponentServiceObjects<EventPublisher> events) {
        detector.setEvents(events);
    }

    /**
     * Waits, at most 10 s, until every event handed to {@code detector} so far has been judged and its alerts
     * raised: its {@code queue_depth} gauge (on {@code /metrics}) is 0.
     */
    public static void judged(AlertDetector detector) {
        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> detector.gauges().get("queue_depth") == 0L);
    }
}
