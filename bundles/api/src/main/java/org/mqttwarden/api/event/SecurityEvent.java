package org.mqttwarden.api.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.LoginGuard;

/**
 * One security-relevant fact, emitted to every {@link EventSink}. Never carries a password, hash,
 * one-time code, key or payload text.
 *
 * @param time when it happened (UTC)
 * @param type what kind of event
 * @param outcome allow, deny or error
 * @param reason a short reason code, e.g. {@code auth.bad-password}, {@code acl.default-deny}
 * @param username the account concerned, or {@code null}
 * @param roles the account's roles at that moment (empty when unknown)
 * @param clientId the MQTT client id, or {@code null}
 * @param address the client's network address, or {@code null} when unknown
 * @param topic the topic or filter, or {@code null}
 * @param access the access asked for, or {@code null}
 * @param actor the admin who made a change, or {@code null}
 * @param detail small additional facts (e.g. the deciding rule); no secrets
 */
public record SecurityEvent(Instant time, EventType type, Outcome outcome, String reason, String username,
        Set<String> roles, String clientId, String address, String topic, Access access, String actor,
        Map<String, String> detail) {

    public SecurityEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        roles = roles == null ? Set.of() : Set.copyOf(roles);
        detail = detail == null ? Map.of() : Map.copyOf(detail);
    }

    /**
     * @return whether a sink that promises durability must have stored this event before the
     *     decision is answered: auth failures, denials, errors, lockouts, alerts and admin changes.
     *     A {@link EventType#SUPERUSER} "deny" only means "not a superuser" and is not relevant.
     */
    public boolean securityRelevant() {
        if (type == EventType.SUPERUSER) {
            return outcome == Outcome.ERROR;
        }
        return outcome != Outcome.ALLOW || type == EventType.ADMIN_CHANGE || type == EventType.LOCKOUT
                || type == EventType.ALERT;
    }

    /**
     * @return whether the decision is answered only once a sink that promises durability has stored this
     *     event: every {@link #securityRelevant() security-relevant} event but a login refused by the login
     *     budget ({@link LoginGuard#BUSY}), which is shed before any check and answered at once (under a
     *     flood, a durable write per refusal would cost the broker more than the refusal saves)
     * @since 1.1
     */
    public boolean awaited() {
        return securityRelevant() && !LoginGuard.BUSY.equals(reason);
    }
}
