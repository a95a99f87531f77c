package org.mqttwarden.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The alert keys found in warden-lockout's PID are the ones the WARN names: every alert.* key, no other. */
class MovedAlertKeysTest {

    @Test
    void namesEveryAlertKeyAndNothingElseSorted() {
        assertThat(MovedAlertKeys.moved(Map.of("account.max.failures", 5, "alert.mqtt.enabled", "true",
                "alert.brute.failures", "12", "service.pid", "org.mqttwarden.lockout", "alerts.other", "x")))
                .containsExactly("alert.brute.failures", "alert.mqtt.enabled");
        assertThat(MovedAlertKeys.moved(Map.of("account.max.failures", 5))).isEmpty();
    }

    @Test
    void aConfigurationWithOrWithoutAlertKeysActivatesAndChangesLive() {
        MovedAlertKeys keys = new MovedAlertKeys(Map.of("account.max.failures", 5));
        keys.modified(Map.of("alert.brute.failures", "12"));
        keys.modified(Map.of("alert.brute.failures", "13"));
        keys.modified(Map.of());
    }
}
