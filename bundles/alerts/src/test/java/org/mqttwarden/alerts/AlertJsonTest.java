package org.mqttwarden.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.mqttwarden.api.event.Outcome;

/** The MQTT payload of an alert is JSON that any parser reads back to the same values, whatever a client chose. */
class AlertJsonTest {

    @Test
    void clientChosenValuesSurviveTheRoundTripAndCannotBreakOutOfTheirStrings() throws Exception {
        String nasty = "x\",\"severity\":\"info\\\u0000\u001b[2J\n\r\t\u2028\u2029\ud83d\ude00\u00e4";
        Alert a = new Alert(Instant.parse("2026-11-29T12:00:00Z"), "alert.brute-force", Severity.CRITICAL,
                Outcome.DENY, nasty, nasty, nasty, "127.0.0.1", Map.of("k\"ey", nasty, "failures", "10"));
        Map<String, String> top = new LinkedHashMap<>();
        Map<String, String> detail = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(a.toJson())) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        p.nextToken();
                        detail.put(key, p.getText());
                    }
                } else {
                    assertThat(top.put(name, p.getText())).as("field %s once", name).isNull();
                }
            }
            assertThat(p.nextToken()).as("nothing after the object").isNull();
        }
        assertThat(top).containsEntry("severity", "critical").containsEntry("subject", nasty)
                .containsEntry("username", nasty).containsEntry("client_id", nasty)
                .containsEntry("type", "alert.brute-force").containsEntry("time", "2026-11-29T12:00:00Z");
        assertThat(detail).containsExactly(Map.entry("failures", "10"), Map.entry("k\"ey", nasty));
    }
}
