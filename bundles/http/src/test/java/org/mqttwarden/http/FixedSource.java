package org.mqttwarden.http;

import java.util.Map;

import org.mqttwarden.api.metrics.MetricSource;

/** A metric source answering what it was given, as a bundle contributing to {@code /metrics} would. */
record FixedSource(String name, Map<String, Long> counters, Map<String, Long> gauges) implements MetricSource {

    static FixedSource of(String name, Map<String, Long> counters) {
        return new FixedSource(name, counters, Map.of());
    }
}
