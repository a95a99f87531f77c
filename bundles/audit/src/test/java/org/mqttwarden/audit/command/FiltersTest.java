package org.mqttwarden.audit.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;
import org.mqttwarden.api.audit.AuditFilter;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;

class FiltersTest {

    static final Instant NOW = Instant.parse("2026-11-02T12:00:00Z");

    @Test
    void buildsTheFilterFromTheOptions() throws Exception {
        AuditFilter f = Filters.build(new Filters.Criteria("alice", "c1", "admin-change", "deny", "plant/", "2h",
                "2026-11-02T11:30:00Z"), 50, NOW);

        assertThat(f).isEqualTo(new AuditFilter("alice", "c1", EventType.ADMIN_CHANGE, Outcome.DENY, "plant/",
                Instant.parse("2026-11-02T10:00:00Z"), Instant.parse("2026-11-02T11:30:00Z"), 50));
        assertThat(Filters.build(Filters.Criteria.none(), 1, NOW))
                .isEqualTo(new AuditFilter(null, null, null, null, null, null, null, 1));
    }

    @Test
    void badValuesNameTheValidOnes() {
        assertThatThrownBy(() -> Filters.build(new Filters.Criteria(null, null, "login", null, null, null, null), 5,
                NOW)).isInstanceOf(CommandException.class).hasMessage("Unknown --type 'login'; use one of AUTH,"
                        + " SUPERUSER, ACL, ADMIN_CHANGE, LOCKOUT, OTP, ALERT, MESSAGE.");
        assertThatThrownBy(() -> Filters.build(new Filters.Criteria(null, null, null, "ok", null, null, null), 5,
                NOW)).isInstanceOf(CommandException.class)
                        .hasMessage("Unknown --outcome 'ok'; use one of ALLOW, DENY, ERROR.");
        assertThatThrownBy(() -> Filters.build(Filters.Criteria.none(), 0, NOW))
                .isInstanceOf(CommandException.class).hasMessage("-n must be between 1 and 100000, was 0.");
        assertThatThrownBy(() -> Filters.build(new Filters.Criteria(null, null, null, null, null, "1h", "2h"), 5,
                NOW)).isInstanceOf(CommandException.class).hasMessageStartingWith("--until (");
        assertThatThrownBy(() -> Filters.choice(ExportFormat.class, "xml", "--format"))
                .isInstanceOf(CommandException.class).hasMessage("Unknown --format 'xml'; use one of CSV, JSONL.");
    }
}
