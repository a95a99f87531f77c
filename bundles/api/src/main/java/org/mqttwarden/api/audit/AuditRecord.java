package org.mqttwarden.api.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * One stored row of the audit log: a {@link SecurityEvent} as recorded, with its position and its
 * link in the tamper-evident chain. Never carries a secret.
 *
 * @param id the row's position, 1, 2, 3… without gaps
 * @param time when the event happened (UTC, millisecond precision)
 * @param type what kind of event
 * @param outcome allow, deny or error
 * @param reason the short reason code, e.g. {@code auth.bad-password}
 * @param username the account concerned, or {@code null}
 * @param roles the account's roles at that moment (empty when unknown)
 * @param clientId the MQTT client id, or {@code null}
 * @param address the client's network address, or {@code null}
 * @param topic the topic or filter, or {@code null}
 * @param access the access asked for, or {@code null}
 * @param actor the admin who made a change, or {@code null}
 * @param detail small additional facts
 * @param hash hex SHA-256 of the previous row's hash and this row's content
 */
public record AuditRecord(long id, Instant time, EventType type, Outcome outcome, String reason, String username,
        Set<String> roles, String clientId, String address, String topic, Access access, String actor,
        Map<String, String> detail, String hash) {

    public AuditRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(hash, "hash");
        roles = roles == null ? Set.of() : Set.copyOf(roles);
        detail = detail == null ? Map.of() : Map.copyOf(detail);
    }
}
