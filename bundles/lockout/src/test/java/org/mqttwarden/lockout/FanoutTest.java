package org.mqttwarden.lockout;

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

/** One sink that throws, or fails its stage, keeps no other sink from the event. */
class FanoutTest {

    private static final SecurityEvent EVENT = new SecurityEvent(Instant.parse("2026-11-30T00:00:00Z"),
            EventType.ALERT, Outcome.DENY, "alert.brute-force", "plc-1", null, null, null, null, null, "test",
            Map.of());

    @Test
    void aSinkThatThrowsOrFailsIsIsolatedFromTheOthers() {
        List<String> got = new CopyOnWriteArrayList<>();
        Fanout<EventSink> sinks = new Fanout<>("Event sink");
        sinks.add(e -> {
            got.add("first");
            return CompletableFuture.completedFuture(null);
        });
        sinks.add(e -> {
            throw new IllegalStateException("broken sink");
        });
        sinks.add(e -> CompletableFuture.failedFuture(new IllegalStateException("refused")));
        EventSink last = e -> {
            got.add("last");
            return CompletableFuture.completedFuture(null);
        };
        sinks.add(last);

        sinks.offer(s -> s.accept(EVENT), EVENT.reason());
        assertThat(got).containsExactly("first", "last");

        sinks.remove(last);
        sinks.offer(s -> s.accept(EVENT), EVENT.reason());
        assertThat(got).containsExactly("first", "last", "first");
    }

    @Test
    void eachCallsEveryServiceInBindingOrderWhateverOneThrows() {
        List<Integer> called = new CopyOnWriteArrayList<>();
        Fanout<Integer> numbers = new Fanout<>("Number");
        for (int i = 0; i < 4; i++) {
            numbers.add(i);
        }
        numbers.each(n -> {
            called.add(n);
            if (n == 1) {
                throw new IllegalArgumentException("one");
            }
        }, "test");
        assertThat(called).containsExactly(0, 1, 2, 3);
    }
}
