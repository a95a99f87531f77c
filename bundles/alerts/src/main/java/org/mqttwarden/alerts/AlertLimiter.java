package org.mqttwarden.alerts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.github.benmanes.caffeine.cache.Cache;
import org.mqttwarden.api.event.Outcome;

/**
 * Keeps an attack from flooding the operator. Two limits, on the alerts' own times:
 * <ul>
 * <li>per (type, subject), at most one alert per {@link AlertSettings#cooldownMinutes() cooldown}; the ones
 * held back are counted and the next alert let through carries {@code suppressed=<n>} in its detail;</li>
 * <li>gateway-wide, at most {@link AlertSettings#maxPerMinute()} alerts per calendar minute; the overflow is
 * counted, and when the minute is over one {@value AlertRules#SUPPRESSED} alert (warning, subject
 * {@code gateway}) says how many of which type were dropped. It is let through regardless of the cap.</li>
 * </ul>
 * The per-key memory is bounded ({@link AlertSettings#maxTracked()}, the least used forgotten first).
 */
final class AlertLimiter {

    private static final class Key {
        long last;
        int suppressed;

        Key(long last) {
            this.last = last;
        }
    }

    private final Cache<String, Key> keys;
    private long minute = Long.MIN_VALUE;
    private int inMinute;
    private final Map<String, Integer> overflow = new TreeMap<>();
    private long suppressedTotal;

    AlertLimiter(AlertSettings s) {
        this.keys = Windows.bounded(s.maxTracked());
    }

    /** @return the alerts to raise now: {@code a} (perhaps with its suppressed count), a summary, both or none */
    synchronized List<Alert> admit(Alert a, AlertSettings s) {
        Windows.cap(keys, s.maxTracked());
        List<Alert> out = new ArrayList<>(2);
        long now = a.time().toEpochMilli();
        rollover(now, out);
        String k = a.type() + '\n' + a.subject();
        Key key = keys.getIfPresent(k);
        long cooldown = s.cooldownMinutes() * 60_000L;
        if (key != null && now - key.last < cooldown) {
            key.suppressed++;
            suppressedTotal++;
            return out;
        }
        if (inMinute >= s.maxPerMinute()) {
            overflow.merge(a.type(), 1, Integer::sum);
            suppressedTotal++;
            return out;
        }
        inMinute++;
        out.add(key != null && key.suppressed > 0 ? a.with("suppressed", Integer.toString(key.suppressed)) : a);
        keys.put(k, new Key(now));
        return out;
    }

    /** @return the summary of a minute that is over, when it dropped alerts (called by a timer) */
    synchronized List<Alert> flush(long now) {
        List<Alert> out = new ArrayList<>(1);
        rollover(now, out);
        return out;
    }

    /** @return alerts held back, by cooldown or cap, since creation */
    synchronized long suppressed() {
        return suppressedTotal;
    }

    private void rollover(long now, List<Alert> out) {
        long m = Math.floorDiv(now, 60_000L);
        if (m <= minute) {
            return;
        }
        if (!overflow.isEmpty()) {
            int total = overflow.values().stream().mapToInt(Integer::intValue).sum();
            Map<String, String> d = new TreeMap<>();
            d.put("suppressed", Integer.toString(total));
            d.put("minute", Instant.ofEpochMilli(minute * 60_000L).toString());
            d.put("by_type", overflow.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(",")));
            out.add(new Alert(Instant.ofEpochMilli(now), AlertRules.SUPPRESSED, Severity.WARNING, Outcome.DENY,
                    "gateway", null, null, null, d));
            overflow.clear();
        }
        minute = m;
        inMinute = 0;
    }
}
