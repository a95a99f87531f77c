package org.mqttwarden.audit.command;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.mqttwarden.audit.AuditLog;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.store.SqliteDatabaseFiles;
import org.mqttwarden.testsupport.Configs;

/** A real audit log on a file, opened through its public configuration, as Declarative Services does. */
final class TestLogs {

    static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123Z");

    private TestLogs() {
    }

    static AuditLog open(Path file) {
        // these tests count every allow and refusal as a row
        return new AuditLog(Configs.of(AuditLog.Config.class, Map.of("path", file.toString(), "allow.mode", "all",
                "refusal.mode", "all")), new SqliteDatabaseFiles());
    }

    static SecurityEvent event(int n, EventType type, Outcome outcome, String user, String topic,
            Map<String, String> detail) {
        return new SecurityEvent(T0.plusSeconds(n), type, outcome, "reason." + n, user, Set.of("sensor"),
                user == null ? null : user + "-client", "192.0.2." + (n % 250), topic,
                topic == null ? null : Access.WRITE, null, detail);
    }

    static void record(AuditLog log, SecurityEvent e) throws Exception {
        log.accept(e).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
