package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.testsupport.Configs;

/** The one publisher: a sink that throws, or fails its stage, keeps no other sink from an event. */
class SecurityEventsTest {

    private static final SecurityEvent ALERT = new SecurityEvent(Instant.parse("2026-11-30T00:00:00Z"),
            EventType.ALERT, Outcome.DENY, "alert.brute-force", "plc-1", null, null, null, null, null, "test",
            Map.of());

    private final List<String> got = new CopyOnWriteArrayList<>();
    private final SecurityEvents events = new SecurityEvents(Configs.of(AuthConfig.class,
            Map.of("event.wait.ms", 1000)));

    private EventSink named(String name) {
        return e -> {
            got.add(name);
            return CompletableFuture.completedFuture(null);
        };
    }

    private void bindFourWithTwoBroken(EventSink last) {
        events.addSink(named("first"));
        events.addSink(e -> {
            throw new IllegalStateException("broken sink");
        });
        events.addSink(e -> CompletableFuture.failedFuture(new IllegalStateException("refused")));
        events.addSink(last);
    }

    @Test
    void offerReachesEverySinkWhateverOneDoes() {
        EventSink last = named("last");
        bindFourWithTwoBroken(last);
        events.offer(ALERT);
        assertThat(got).containsExactly("first", "last");

        events.removeSink(last);
        events.offer(ALERT);
        assertThat(got).containsExactly("first", "last", "first");
    }

    @Test
    void recordSaysWhyWhenASinkRefusesButStillHandsTheEventToTheOthers() {
        bindFourWithTwoBroken(named("last"));
        assertThat(events.record(ALERT)).get().asString().contains("failed");
        assertThat(got).containsExactly("first", "last");
    }

    @Test
    void recordIsEmptyWhenEverySinkConfirmsAndActiveFollowsTheSinks() {
        assertThat(events.active()).isFalse();
        assertThat(events.record(ALERT)).isEmpty();
        EventSink only = named("only");
        events.addSink(only);
        assertThat(events.active()).isTrue();
        assertThat(events.record(ALERT)).isEmpty();
        events.publish(ALERT);
        assertThat(got).containsExactly("only", "only");
        events.removeSink(only);
        assertThat(events.active()).isFalse();
    }
}
