package org.mqttwarden.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.Reasons;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.testsupport.Configs;

/** The detectors' thresholds and window boundaries, and the rate limits, on events with chosen times. */
class AlertRulesTest {

    private static final Instant T0 = Instant.parse("2026-11-02T08:00:00Z");
    private final AlertRules rules = new AlertRules(AlertSettings.DEFAULTS, null);

    /** @return the shipped settings with {@code overrides} (cfg property names), as the detector reads them */
    private static AlertSettings settings(Map<String, ?> overrides) {
        return AlertSettings.of(Configs.of(AlertDetector.Config.class, overrides));
    }

    private static SecurityEvent fail(Instant t, String user, String client) {
        return new SecurityEvent(t, EventType.AUTH, Outcome.DENY, "auth.bad-password", user, null, client, null, null,
                null, null, Map.of());
    }

    private static SecurityEvent denied(Instant t, String client, Access a) {
        return new SecurityEvent(t, EventType.ACL, Outcome.DENY, "acl.default-deny", "plc-1", null, client, null,
                "x/" + t.getEpochSecond(), a, null, Map.of());
    }

    private List<String> types(SecurityEvent e) {
        return rules.onEvent(e).stream().map(Alert::type).toList();
    }

    @Test
    void sprayingNeedsFiveDistinctUsernamesInsideTheWindow() {
        for (int i = 0; i < 4; i++) {
            assertThat(types(fail(T0.plusSeconds(i), "u" + i, "s"))).isEmpty();
            assertThat(types(fail(T0.plusSeconds(i), "u" + i, "s"))).as("the same username again").isEmpty();
        }
        // the first failure (T0) leaves the 15-minute window exactly now: still four
        assertThat(types(fail(T0.plus(Duration.ofMinutes(15)), "u4", "s"))).isEmpty();
        assertThat(types(fail(T0.plus(Duration.ofMinutes(15)), "u5", "s")))
                .containsExactly(AlertRules.SPRAYING);
    }

    @Test
    void bruteForceNeedsTenFailuresWithinFifteenMinutes() {
        for (int i = 0; i < 9; i++) {
            assertThat(types(fail(T0.plus(Duration.ofMinutes(i)), "plc-1", "c" + i))).isEmpty();
        }
        assertThat(types(fail(T0.plus(Duration.ofMinutes(15)), "plc-1", "c"))).as("the first one expired").isEmpty();
        assertThat(types(fail(T0.plus(Duration.ofMinutes(15)), "plc-1", "c")))
                .containsExactly(AlertRules.BRUTE_FORCE);
    }

    @Test
    void deniedReadsDoNotCountUnlessConfigured() {
        for (int i = 0; i < 20; i++) {
            assertThat(types(denied(T0.plusSeconds(i), "c", Access.READ))).isEmpty();
        }
        assertThat(types(denied(T0, "c", Access.WRITE))).isEmpty();
        for (int i = 0; i < 8; i++) {
            assertThat(types(denied(T0.plusSeconds(50 + i), "c", i % 2 == 0 ? Access.WRITE : Access.SUBSCRIBE)))
                    .isEmpty();
        }
        assertThat(types(denied(T0.plusSeconds(60), "c", Access.WRITE))).as("the first left the 60 s window")
                .isEmpty();
        assertThat(types(denied(T0.plusSeconds(60), "c", Access.WRITE))).containsExactly(AlertRules.DENIED_BURST);
        rules.settings(settings(Map.of("alert.denied.count", 3, "alert.denied.window.seconds", 60,
                "alert.denied.read", true)));
        assertThat(types(denied(T0.plusSeconds(100), "r", Access.READ))).isEmpty();
        assertThat(types(denied(T0.plusSeconds(101), "r", Access.READ))).isEmpty();
        assertThat(types(denied(T0.plusSeconds(102), "r", Access.READ))).containsExactly(AlertRules.DENIED_BURST);
    }

    @Test
    void aSuccessAfterTwoTyposIsQuietAfterThreeFailuresItAlerts() {
        types(fail(T0, "plc-2", "d"));
        types(fail(T0.plusSeconds(1), "plc-2", "d"));
        SecurityEvent ok = new SecurityEvent(T0.plusSeconds(2), EventType.AUTH, Outcome.ALLOW, "auth.ok", "plc-2",
                null, "d", null, null, null, null, Map.of());
        assertThat(types(ok)).isEmpty();
        for (int i = 0; i < 3; i++) {
            types(fail(T0.plusSeconds(10 + i), "plc-2", "d"));
        }
        assertThat(types(ok)).containsExactly(AlertRules.LOGIN_AFTER_FAILURES);
        assertThat(types(ok)).as("a success ends the run").isEmpty();
    }

    private static SecurityEvent rejected(Instant t, String reason, String topic) {
        return new SecurityEvent(t, EventType.MESSAGE, Outcome.DENY, reason, null, null, null, null, topic, null,
                null, Map.of("state", "X"));
    }

    @Test
    void rejectedProtectedMessagesOnAnyTopicsRaiseAMessageBurstWithinTheWindowOnly() {
        rules.settings(settings(Map.of("alert.message.count", 3, "alert.message.window.seconds", 60)));
        assertThat(types(rejected(T0, Reasons.MESSAGE_TAMPERED, "plant/a"))).isEmpty();
        assertThat(types(rejected(T0.plusSeconds(61), Reasons.MESSAGE_REPLAYED, "plant/b"))).isEmpty();
        assertThat(types(rejected(T0.plusSeconds(62), Reasons.MESSAGE_MALFORMED, "plant/c")))
                .as("the first one fell out of the window").isEmpty();

        List<Alert> raised = rules.onEvent(rejected(T0.plusSeconds(63), Reasons.MESSAGE_TAMPERED, "plant/d"));

        assertThat(raised).extracting(Alert::type).containsExactly(AlertRules.MESSAGE_BURST);
        assertThat(raised.get(0).detail()).containsEntry("messages", "3")
                .hasEntrySatisfying("reasons", r -> assertThat(r).contains(Reasons.MESSAGE_REPLAYED,
                        Reasons.MESSAGE_MALFORMED, Reasons.MESSAGE_TAMPERED))
                .hasEntrySatisfying("sample_topics", r -> assertThat(r).contains("plant/b", "plant/d")
                        .doesNotContain("plant/a"));
    }

    @Test
    void aMessageEventThatIsNotARejectionOrAnOffSwitchRaisesNothing() {
        rules.settings(settings(Map.of("alert.message.count", 1)));
        assertThat(types(new SecurityEvent(T0, EventType.MESSAGE, Outcome.ALLOW, "message.ok", null, null, null,
                null, "plant/a", null, null, Map.of()))).isEmpty();
        assertThat(types(rejected(T0, Reasons.MESSAGE_STALE, "plant/a"))).containsExactly(AlertRules.MESSAGE_BURST);
        rules.settings(settings(Map.of("alert.message.count", 0)));
        assertThat(types(rejected(T0, Reasons.MESSAGE_STALE, "plant/a"))).isEmpty();
    }

    private static Alert alert(Instant t, String type, String subject) {
        return new Alert(t, type, Severity.WARNING, Outcome.DENY, subject, null, null, null, Map.of());
    }

    @Test
    void oneAlertPerTypeAndSubjectPerCooldownTheNextCarriesTheSuppressedCount() {
        AlertLimiter limiter = new AlertLimiter(AlertSettings.DEFAULTS);
        AlertSettings s = AlertSettings.DEFAULTS;
        assertThat(limiter.admit(alert(T0, "alert.brute-force", "plc-1"), s)).hasSize(1);
        assertThat(limiter.admit(alert(T0.plusSeconds(10), "alert.brute-force", "plc-1"), s)).isEmpty();
        assertThat(limiter.admit(alert(T0.plusSeconds(20), "alert.brute-force", "plc-1"), s)).isEmpty();
        assertThat(limiter.admit(alert(T0.plusSeconds(20), "alert.brute-force", "plc-2"), s)).hasSize(1);
        List<Alert> next = limiter.admit(alert(T0.plus(Duration.ofMinutes(5)), "alert.brute-force", "plc-1"), s);
        assertThat(next).singleElement().satisfies(a -> assertThat(a.detail()).containsEntry("suppressed", "2"));
        assertThat(limiter.suppressed()).isEqualTo(2);
    }

    @Test
    void beyondTheCapPerMinuteOneSummaryAlertCountsTheRest() {
        AlertSettings s = settings(Map.of("alert.cooldown.minutes", 5, "alert.max.per.minute", 3));
        AlertLimiter limiter = new AlertLimiter(s);
        int passed = 0;
        for (int i = 0; i < 10; i++) {
            passed += limiter.admit(alert(T0.plusSeconds(i), "alert.new-client", "u" + i), s).size();
        }
        assertThat(passed).isEqualTo(3);
        assertThat(limiter.flush(T0.plusSeconds(59).toEpochMilli())).as("the minute is not over").isEmpty();
        List<Alert> summary = limiter.flush(T0.plusSeconds(60).toEpochMilli());
        assertThat(summary).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo(AlertRules.SUPPRESSED);
            assertThat(a.detail()).containsEntry("suppressed", "7").containsEntry("by_type", "alert.new-client=7");
        });
        assertThat(limiter.flush(T0.plusSeconds(130).toEpochMilli())).isEmpty();
    }

    @Test
    void memoryIsBoundedByMaxTracked() {
        AlertRules bounded = new AlertRules(settings(Map.of("alert.max.tracked", 100,
                "alert.seen.per.account", 16)), null);
        for (int i = 0; i < 1000; i++) {
            bounded.onEvent(fail(T0.plusMillis(i), "user-" + i, "client-" + i));
        }
        assertThat(bounded.tracked()).isLessThanOrEqualTo(200);
        assertThat(bounded.evictions()).isPositive();
    }
}
