package org.mqttwarden.alerts;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * One detected attack pattern. Never carries a password: the evidence is counts, the window, the source and
 * a capped sample of usernames or topics.
 *
 * @param time when it was detected (the time of the event that crossed the threshold)
 * @param type the reason code, e.g. {@code alert.brute-force} (see {@link AlertRules})
 * @param severity how urgent
 * @param outcome {@link Outcome#DENY} when the alert is about refused attempts, {@link Outcome#ALLOW} when it
 *     is about a login that was let in ({@code alert.login-after-failures}, {@code alert.new-client})
 * @param subject what the rate limit is keyed on: a username, {@code client:<id>}, {@code addr:<ip>} or
 *     {@code gateway}
 * @param username the account concerned, or {@code null}
 * @param clientId the client id concerned, or {@code null}
 * @param address the client address concerned, or {@code null}
 * @param detail the evidence, small and free of secrets
 */
public record Alert(Instant time, String type, Severity severity, Outcome outcome, String subject, String username,
        String clientId, String address, Map<String, String> detail) {

    /** The actor named on every alert's security event. */
    public static final String ACTOR = "warden-lockout";

    public Alert {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(subject, "subject");
        detail = detail == null ? Map.of() : Map.copyOf(detail);
    }

    /**
     * @return the alert an {@link EventType#ALERT} row of the audit log records (the inverse of {@link #toEvent}),
     *     or {@code null} when the row is of another type
     */
    public static Alert fromRecord(AuditRecord r) {
        if (r.type() != EventType.ALERT) {
            return null;
        }
        Map<String, String> d = new TreeMap<>(r.detail());
        String label = d.remove("severity");
        String subject = d.remove("subject");
        Severity severity = Severity.WARNING;
        for (Severity s : Severity.values()) {
            if (s.label().equals(label)) {
                severity = s;
            }
        }
        return new Alert(r.time(), r.reason(), severity, r.outcome(), subject != null ? subject
                : r.username() != null ? r.username() : "-", r.username(), r.clientId(), r.address(), d);
    }

    /** @return the same alert with {@code key=value} added to its detail */
    public Alert with(String key, String value) {
        Map<String, String> d = new TreeMap<>(detail);
        d.put(key, value);
        return new Alert(time, type, severity, outcome, subject, username, clientId, address, d);
    }

    /**
     * @return the {@link EventType#ALERT} event of this alert: reason = type, actor {@value #ACTOR}, detail =
     *     the evidence plus {@code severity} and {@code subject}
     */
    public SecurityEvent toEvent() {
        Map<String, String> d = new TreeMap<>(detail);
        d.put("severity", severity.label());
        d.put("subject", subject);
        return new SecurityEvent(time, EventType.ALERT, outcome, type, username, null, clientId, address, null, null,
                ACTOR, d);
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** @return the alert as one JSON object (the MQTT payload): time, type, severity, outcome, subject, ... */
    public String toJson() {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", time.toString());
            g.writeStringField("type", type);
            g.writeStringField("severity", severity.label());
            g.writeStringField("outcome", outcome.name());
            g.writeStringField("subject", subject);
            if (username != null) {
                g.writeStringField("username", username);
            }
            if (clientId != null) {
                g.writeStringField("client_id", clientId);
            }
            if (address != null) {
                g.writeStringField("address", address);
            }
            g.writeObjectFieldStart("detail");
            for (Map.Entry<String, String> e : new TreeMap<>(detail).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing JSON to a string failed", e);
        }
        return out.toString();
    }
}
