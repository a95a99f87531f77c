package org.mqttwarden.audit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
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

    static AuditLog open(Path file) {
        return open(file, new AuditWriter.Settings(8192, 512, 200, 10_000), 5000);
    }

    static AuditLog open(Path file, AuditWriter.Settings settings, int busyTimeoutMs) {
        // these tests count every allow as a row
        return new AuditLog(file, busyTimeoutMs, settings, AllowSummariser.Settings.ALL, Clock.systemUTC());
    }

    /** A connection of its own, as another process would open the file: no pool, no Jdbi. */
    static Connection raw(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }
}
