/**
 * Counters and gauges any bundle contributes to the gateway's Prometheus endpoint ({@code /metrics})
 * by registering a {@link org.mqttwarden.api.metrics.MetricSource} service.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mqttwarden.api.metrics;
