package org.mqttwarden.broker.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.broker.config.BrokerConfig;
import org.mqttwarden.broker.lint.LintOptions;
import org.mqttwarden.broker.lint.Linter;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestClock;

/**
 * What the warden:broker-* commands delegate to: the DS component with both PIDs' properties as DS merges them,
 * the audit record made before a change, and the lint report.
 */
class SetupServiceTest {

    @TempDir
    Path tmp;

    private SetupService service(Path dir, Map<String, Object> http) {
        Map<String, Object> merged = new HashMap<>(http);
        merged.put("broker.dir", dir.toString());
        merged.put("goauth.plugin", Setups.plugin(tmp).toString());
        merged.putIfAbsent("auth.key.file", tmp.resolve("etc/warden-http.key").toString());
        return new SetupService(broker(merged), merged, new TestClock());
    }

    /** @return BrokerConfig from the merged properties: DS gives the component both PIDs' keys in one map */
    private static BrokerConfig broker(Map<String, Object> merged) {
        Map<String, Object> own = new HashMap<>();
        for (String key : List.of("broker.dir", "goauth.plugin")) {
            if (merged.containsKey(key)) {
                own.put(key, merged.get(key));
            }
        }
        return Configs.of(BrokerConfig.class, own);
    }

    @Test
    void writesIntoBrokerDirWithWardenHttpAsConfiguredNow() throws Exception {
        Path dir = tmp.resolve("broker");
        SetupService s = service(dir, Map.of("port", "9444", "response.mode", "text"));
        BrokerSetup.Result r = s.init(null, null, null, null, false, false);
        assertThat(r.written()).contains(dir.resolve("mosquitto.conf"), dir.resolve("conf.d/go-auth.conf"));
        assertThat(BrokerSetupTest.options(dir.resolve("conf.d/go-auth.conf")))
                .containsEntry("auth_opt_http_port", "9444").containsEntry("auth_opt_http_response_mode", "text")
                .containsEntry("auth_plugin", Setups.plugin(tmp).toString());
        assertThat(BrokerSetupTest.options(dir.resolve("mosquitto.conf")))
                .containsEntry("user", System.getProperty("user.name"));
        // a client certificate goes to the configured folder
        s.clientCert("dev-9", false);
        assertThat(dir.resolve("clients/dev-9.p12")).isRegularFile();
        // a new configuration (DS's @Modified): the next run reads it
        Map<String, Object> next = new HashMap<>(Map.of("port", "9555", "broker.dir", tmp.resolve("b2").toString(),
                "goauth.plugin", Setups.plugin(tmp).toString(), "auth.key.file",
                tmp.resolve("etc/warden-http.key").toString()));
        s.modified(broker(next), next);
        s.init(null, List.of("gw.example"), null, 1884, false, false);
        assertThat(BrokerSetupTest.options(tmp.resolve("b2/conf.d/go-auth.conf")))
                .containsEntry("auth_opt_http_port", "9555");
        assertThat(s.configuredDir()).isEqualTo(tmp.resolve("b2"));
    }

    @Test
    void aWardenHttpValueGoAuthCannotUseIsOneClearSentence() {
        SetupService s = service(tmp.resolve("broker"), Map.of("port", "0"));
        assertThatThrownBy(() -> s.init(null, null, null, null, false, false)).isInstanceOf(SetupException.class)
                .hasMessageContaining("port of org.mqttwarden.http is 0");
        assertThat(tmp.resolve("broker")).doesNotExist();
    }

    @Test
    void theChangeIsRecordedBeforeItIsMadeAndNotMadeWhenItCannotBe() throws Exception {
        List<SecurityEvent> events = new ArrayList<>();
        AtomicBoolean refuse = new AtomicBoolean();
        EventSink sink = e -> {
            events.add(e);
            return refuse.get() ? CompletableFuture.failedFuture(new IllegalStateException("audit log full"))
                    : CompletableFuture.completedFuture(null);
        };
        EventPublisher publisher = AuthStack.eventsTo(sink).getService();
        Path dir = tmp.resolve("broker");
        SetupService s = service(dir, Map.of());
        Map<String, String> detail = Map.of("dir", dir.toString(), "force", "false");
        AtomicBoolean written = new AtomicBoolean();
        SetupAudit.audited(publisher, AdminChange.BROKER_INIT, "shell:karaf", detail, () -> {
            // the record exists before the first file is made
            assertThat(events).hasSize(1);
            written.set(true);
            return s.init(null, null, null, null, false, false);
        });
        assertThat(written).isTrue();
        SecurityEvent first = events.get(0);
        assertThat(first.type()).isEqualTo(EventType.ADMIN_CHANGE);
        assertThat(first.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(first.reason()).isEqualTo("broker.init");
        assertThat(first.actor()).isEqualTo("shell:karaf");
        assertThat(first.detail()).isEqualTo(detail);

        // a second run without --force is refused by the setup: recorded, then followed by an ERROR record
        assertThatThrownBy(() -> SetupAudit.audited(publisher, AdminChange.BROKER_INIT, "shell:karaf", detail,
                () -> s.init(null, null, null, null, false, false))).isInstanceOf(SetupException.class);
        assertThat(events.get(events.size() - 1).outcome()).isEqualTo(Outcome.ERROR);
        assertThat(events.get(events.size() - 1).detail().get("error")).contains("--force");

        // the audit log cannot record: nothing is done
        refuse.set(true);
        Path other = tmp.resolve("other");
        assertThatThrownBy(() -> SetupAudit.audited(publisher, AdminChange.BROKER_CLIENT_CERT, "shell:karaf",
                Map.of("client", "x"), () -> service(other, Map.of()).init(null, null, null, null, false, false)))
                .isInstanceOf(SetupException.class).hasMessageStartingWith("Nothing was changed");
        assertThat(other).doesNotExist();
        // no event carries the caller key
        String key = Files.readString(dir.resolve("goauth-api-key")).trim();
        assertThat(events).allSatisfy(e -> assertThat(e.toString()).doesNotContain(key));
    }

    @Test
    void theLintReportIsTheJarsAndCountsCriticalFindings() throws Exception {
        Path dir = tmp.resolve("broker");
        service(dir, Map.of()).init(null, null, null, null, false, false);
        LintRun clean = LintRun.of(dir.resolve("mosquitto.conf"), LintOptions.defaults());
        assertThat(clean.findings()).isEmpty();
        assertThat(clean.critical()).isZero();
        assertThat(clean.lines()).containsExactly(dir.resolve("mosquitto.conf") + " (2 files): no findings");

        Path bad = Files.writeString(tmp.resolve("bad.conf"), "listener 1883\nallow_anonymous true\n"
                + "certfile /nonexistent/\u001b[2Jcert.pem\n");
        LintRun run = LintRun.of(bad, LintOptions.defaults());
        assertThat(run.critical()).isPositive();
        assertThat(run.findings()).extracting(f -> f.rule()).contains(Linter.RULE_NO_AUTH);
        assertThat(run.lines()).noneMatch(l -> l.chars().anyMatch(Character::isISOControl));
        assertThat(run.summary()).matches(".*bad\\.conf \\(1 file\\): \\d+ critical, \\d+ warning, \\d+ info");

        assertThatThrownBy(() -> LintRun.of(tmp.resolve("missing.conf"), LintOptions.defaults()))
                .isInstanceOf(SetupException.class);
    }
}
