package org.mqttwarden.alerts;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.audit.AuditQuery;
import org.mqttwarden.api.event.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT side of the alerts: the {@link AlertPublisher} in force (none while {@code alert.mqtt.enabled} is
 * false), restarted when its settings change, its counts kept across restarts; and the audit anchor, the audit
 * chain's head published with the alerts when warden-audit is installed.
 */
final class MqttOutput implements AutoCloseable {

    /** The type of the message carrying the audit chain's head: topic {@code <alert.mqtt.topic>/audit-anchor}. */
    static final String ANCHOR = "audit-anchor";

    private static final Logger LOG = LoggerFactory.getLogger(MqttOutput.class);

    private final Clock clock;
    /** Asked only when the publisher provisions its account, never while components activate. */
    private final Supplier<AccountService> accounts;
    private final AtomicLong failed = new AtomicLong();
    private volatile AlertPublisher publisher;
    private long publishedBefore;
    private volatile long anchorMillis;
    /** The audit log, when installed: its chain head is published as an anchor with the alerts. */
    private volatile AuditQuery audit;
    /** Alert thread only. */
    private long lastAnchorAt = Long.MIN_VALUE;
    private AuditQuery.ChainHead lastAnchor;

    MqttOutput(Clock clock, Supplier<AccountService> accounts) {
        this.clock = clock;
        this.accounts = accounts;
    }

    /**
     * Applies {@code c}: the anchor period at once; the publisher is (re)started only when its settings changed.
     *
     * @return whether the publisher was replaced (or started, or stopped)
     */
    synchronized boolean configure(AlertDetector.Config c) {
        anchorMillis = c.alert_mqtt_anchor_minutes() * 60_000L;
        AlertPublisher.Settings next = settings(c);
        AlertPublisher current = publisher;
        if (current != null && Objects.equals(next, current.settings()) || current == null && next == null) {
            return false;
        }
        publisher = null;
        if (current != null) {
            publishedBefore += current.published();
            current.close();
        }
        publisher = next == null ? null : new AlertPublisher(next, c.alert_mqtt_provision() ? accounts : null, failed);
        return true;
    }

    /** @return where alerts go: {@code off}, or {@code to <url> <topic>/<type>} */
    String describe() {
        AlertPublisher p = publisher;
        return p == null ? "off" : "to " + p.settings().url() + " " + p.settings().topic() + "/<type>";
    }

    static AlertPublisher.Settings settings(AlertDetector.Config c) {
        if (!c.alert_mqtt_enabled()) {
            return null;
        }
        String file = c.alert_mqtt_credentials_file();
        Path credentials = file == null || file.isBlank()
                ? Paths.get(System.getProperty("karaf.etc", "etc"), "warden-alerts.credentials") : Paths.get(file);
        String topic = c.alert_mqtt_topic().endsWith("/") ? c.alert_mqtt_topic().substring(0,
                c.alert_mqtt_topic().length() - 1) : c.alert_mqtt_topic();
        return new AlertPublisher.Settings(c.alert_mqtt_url(), topic, c.alert_mqtt_username(),
                c.alert_mqtt_client_id(), credentials, c.alert_mqtt_ca_file() == null ? "" : c.alert_mqtt_ca_file(),
                c.alert_mqtt_queue(), c.alert_mqtt_expiry_seconds());
    }

    /** Queues {@code a} for the broker, when alerts go to MQTT; never blocks. */
    void offer(Alert a) {
        AlertPublisher p = publisher;
        if (p != null) {
            p.offer(a);
        }
    }

    void audit(AuditQuery query) {
        audit = query;
    }

    /** Forgets {@code query} if it is the audit log in use. */
    void unbindAudit(AuditQuery query) {
        if (audit == query) {
            audit = null;
        }
    }

    /**
     * Publishes the audit chain's head (id and keyed hash) to {@code <topic>/audit-anchor} every
     * {@code alert.mqtt.anchor.minutes} when it moved: a copy the audit file's writer cannot reach, for
     * {@code audit-verify --anchor}. Runs on the alert thread; needs the MQTT publisher and warden-audit.
     *
     * @throws RuntimeException when the audit log could not be read (nothing published)
     */
    void anchor() {
        AlertPublisher p = publisher;
        AuditQuery a = audit;
        long every = anchorMillis;
        long now = clock.millis();
        if (p == null || a == null || every <= 0 || (lastAnchorAt != Long.MIN_VALUE && now - lastAnchorAt < every)) {
            return;
        }
        AuditQuery.ChainHead head = a.chainHead().orElse(null);
        lastAnchorAt = now;
        if (head != null && !head.equals(lastAnchor)) {
            p.offer(new Alert(Instant.ofEpochMilli(now), ANCHOR, Severity.INFO, Outcome.ALLOW, "audit", null, null,
                    null, Map.of("id", Long.toString(head.id()), "hash", head.hash())));
            lastAnchor = head;
        }
    }

    /** @return messages published since creation, across publisher restarts */
    long published() {
        AlertPublisher p = publisher;
        return publishedBefore + (p == null ? 0 : p.published());
    }

    /** @return alerts not published (broker unreachable, queue full) since creation */
    long failed() {
        return failed.get();
    }

    @Override
    public synchronized void close() {
        AlertPublisher p = publisher;
        publisher = null;
        if (p != null) {
            p.close();
        }
    }
}
