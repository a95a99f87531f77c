package org.mqttwarden.api.metrics;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service contributing numbers to {@code /metrics}. A counter {@code c} of source
 * {@code s} is exposed as {@code warden_<s>_<c>_total} (Prometheus type counter), a gauge {@code g}
 * as {@code warden_<s>_<g>} (type gauge).
 *
 * <p>Names match {@code [a-z][a-z0-9_]*}. A name that does not, a negative counter, a null value,
 * or a series another source (or the endpoint itself) already exposes is left out; a source whose
 * methods throw is left out of that scrape. Either way the rest of {@code /metrics} is served.
 * The methods are called on every scrape, from any thread: they must be cheap and must not block.
 */
@ConsumerType
public interface MetricSource {

    /** @return the source's name, e.g. {@code engine}, {@code audit}; constant for the service's life */
    String name();

    /**
     * @return monotonically increasing counts by name, without the {@code _total} suffix (e.g.
     *     {@code events_written}); empty when there are none
     */
    Map<String, Long> counters();

    /** @return current values that go up and down, by name (e.g. {@code queue_depth}); none by default */
    default Map<String, Long> gauges() {
        return Map.of();
    }
}
