package org.mqttwarden.audit.command;

import java.lang.annotation.Annotation;
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

/** A real audit log on a file, opened through its public configuration, as Declarative Services does. */
final class TestLogs {

    static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123Z");

    private TestLogs() {
    }

    static AuditLog open(Path file) {
        return new AuditLog(new AuditLog.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return AuditLog.Config.class;
            }

            @Override
            public String path() {
                return file.toString();
            }

            @Override
            public int queue_size() {
                return 8192;
            }

            @Override
            public int batch_max() {
                return 512;
            }

            @Override
            public int offer_timeout_ms() {
                return 200;
            }

            @Override
            public int busy_timeout_ms() {
                return 5000;
            }

            @Override
            public int shutdown_timeout_ms() {
                return 10_000;
            }

            @Override
            public String allow_mode() {
                // these tests count every allow as a row
                return "all";
            }

            @Override
            public int allow_window_seconds() {
                return 300;
            }

            @Override
            public int allow_max_keys() {
                return 100_000;
            }

            @Override
            public int retention_days() {
                return 90;
            }

            @Override
            public int retention_max_mb() {
                return 256;
            }

            @Override
            public int retention_interval_minutes() {
                return 10;
            }

            @Override
            public String refusal_mode() {
                return "all";
            }

            @Override
            public int refusal_window_seconds() {
                return 60;
            }

            @Override
            public int refusal_rows_per_window() {
                return 1000;
            }

            @Override
            public String key_path() {
                return "";
            }

            @Override
            public int anchor_interval_minutes() {
                return 10;
            }
        });
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
