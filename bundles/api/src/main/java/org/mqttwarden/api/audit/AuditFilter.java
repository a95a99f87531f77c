package org.mqttwarden.api.audit;

import java.time.Instant;

import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;

/**
 * What to look for in the audit log. Every criterion is optional: {@code null} matches anything.
 *
 * @param username exactly this account
 * @param clientId exactly this MQTT client id
 * @param type this kind of event
 * @param outcome this outcome
 * @param topicPrefix topics starting with this text (case-sensitive, no wildcards)
 * @param from events at or after this instant
 * @param to events before this instant
 * @param limit at most this many rows, 1 or more; {@code null} for the implementation's default
 */
public record AuditFilter(String username, String clientId, EventType type, Outcome outcome, String topicPrefix,
        Instant from, Instant to, Integer limit) {

    public AuditFilter {
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("limit must be 1 or more, was " + limit);
        }
        if (from != null && to != null && to.isBefore(from)) {
            throw new IllegalArgumentException("'to' (" + to + ") is before 'from' (" + from + ")");
        }
    }

    /** @return a filter matching every row, with the default limit */
    public static AuditFilter any() {
        return new AuditFilter(null, null, null, null, null, null, null, null);
    }
}
