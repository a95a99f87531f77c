package org.mqttwarden.audit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/** Events and raw connections for the audit tests. */
final class Events {

    static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123Z");

    private Events() {
    }

    static SecurityEvent allow(String user, int n) {
        return new SecurityEvent(T0.plusMillis(n), EventType.ACL, Outcome.ALLOW, "acl.rule", user, Set.of("sensor"),
                user + "-client", null, user + "/temp", Access.WRITE, null, Map.of("rule", "1"));
    }

    static SecurityEvent deny(String user, int n) {
        return new SecurityEvent(T0.plusMillis(n), EventType.AUTH, Outcome.DENY, "auth.bad-password", user, Set.of(),
                user + "-client", "192.0.2.7", null, null, null, Map.of());
    }

    /** A flood's login, refused by the login budget before any check. */
    static SecurityEvent shed(String user, int n) {
        return new SecurityEvent(T0.plusMillis(n), EventType.AUTH, Outcome.DENY, LoginGuard.BUSY, user, Set.of(),
                "flood-" + n, null, null, null, null, Map.of());
    }

    /** @return the log at {@code file}, every allow and refusal a row (see {@link Logs#base}) */
    static AuditLog open(Path file) {
        return Logs.open(file, Map.of());
    }

    /** @return as {@link #open(Path)}, with the writer's queue and batch and the timeouts given */
    static AuditLog open(Path file, int queueSize, int batchMax, int offerTimeoutMs, int busyTimeoutMs) {
        return Logs.open(file, Map.of("queue.size", queueSize, "batch.max", batchMax, "offer.timeout.ms",
                offerTimeoutMs, "busy.timeout.ms", busyTimeoutMs));
    }

    /** A connection of its own, as another process would open the file: no pool, no Jdbi. */
    static Connection raw(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }
}
