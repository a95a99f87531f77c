package org.mqttwarden.broker.watch;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * What only the broker's log shows, turned into {@link EventType#ALERT} events: many new TCP connections from one
 * address ({@value #CONNECTION_FLOOD}; Warden sees only those that reach a login, not port scans, half-open
 * connections or clients dropped before CONNECT) and repeated protocol errors from one address
 * ({@value #PROTOCOL_ERRORS}: malformed packets, fuzzing). Each is counted in a sliding window per address and
 * raised once per window and address, so a flood makes one event per window, not one per line. At most
 * {@value #MAX_ADDRESSES} addresses are tracked (the least recently seen are forgotten), so a flood from many
 * addresses costs bounded memory. Fed on the watcher's thread only; not thread-safe.
 */
final class LogSensors {

    /** Reason of a connection flood (api.event's Reasons). */
    static final String CONNECTION_FLOOD = org.mqttwarden.api.event.Reasons.BROKER_CONNECTION_FLOOD;
    /** Reason of repeated protocol errors (api.event's Reasons). */
    static final String PROTOCOL_ERRORS = org.mqttwarden.api.event.Reasons.BROKER_PROTOCOL_ERRORS;
    /** The events' actor. */
    static final String ACTOR = "warden-broker";

    static final int MAX_ADDRESSES = 10_000;

    /** The thresholds: {@code watch.flood.connections}, {@code watch.protocol.errors} (0: off) in a window. */
    record Thresholds(int connections, int protocolErrors, int windowSeconds) {
    }

    /** The times of one address's recent lines of one kind, at most the threshold of them. */
    private static final class Window {
        final ArrayDeque<Long> times = new ArrayDeque<>();
        long quietUntil;
    }

    private final Clock clock;
    private final Consumer<SecurityEvent> events;
    private final Thresholds thresholds;
    private final Map<String, Window> connections = lru();
    private final Map<String, Window> errors = lru();
    final LongAdder raised = new LongAdder();

    LogSensors(Clock clock, Thresholds thresholds, Consumer<SecurityEvent> events) {
        this.clock = clock;
        this.thresholds = thresholds;
        this.events = events;
    }

    private static Map<String, Window> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
                return size() > MAX_ADDRESSES;
            }
        };
    }

    /** Counts one line; {@code address} is the line's address as {@link Connections} knew it (null: unknown). */
    void count(LogLine line, String address) {
        if (address == null) {
            return;
        }
        if (line.kind() == LogLine.Kind.ACCEPTED) {
            count(connections, address, thresholds.connections(), CONNECTION_FLOOD);
        } else if (line.kind() == LogLine.Kind.PROTOCOL_ERROR) {
            count(errors, address, thresholds.protocolErrors(), PROTOCOL_ERRORS);
        }
    }

    private void count(Map<String, Window> windows, String address, int threshold, String reason) {
        if (threshold <= 0) {
            return;
        }
        long now = clock.millis();
        long span = thresholds.windowSeconds() * 1000L;
        Window w = windows.computeIfAbsent(address, a -> new Window());
        w.times.addLast(now);
        while (w.times.size() > threshold || !w.times.isEmpty() && w.times.peekFirst() <= now - span) {
            w.times.removeFirst();
        }
        if (w.times.size() >= threshold && now >= w.quietUntil) {
            w.quietUntil = now + span;
            raised.increment();
            Map<String, String> detail = new TreeMap<>();
            detail.put("count", Integer.toString(w.times.size()));
            detail.put("window_seconds", Integer.toString(thresholds.windowSeconds()));
            detail.put("severity", "warning");
            detail.put("subject", address);
            detail.put("source", "broker log");
            events.accept(new SecurityEvent(Instant.ofEpochMilli(now), EventType.ALERT, Outcome.DENY, reason, null,
                    null, null, address, null, null, ACTOR, detail));
        }
    }
}
