package org.mqttwarden.otp.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * At most {@code limit} hits per key (a source address, a username) in a window of one minute that opens with the
 * key's first hit, counted in a table of at most {@code capacity} keys, so a flood of distinct keys costs bounded
 * memory. When the table is full of keys whose windows are still open, a new key is refused until the oldest
 * window closes: the limiter fails closed rather than forget a counter an attacker would like reset.
 *
 * <p>Keys are kept in the order their windows opened, so the closed windows are always at the head and are dropped
 * from there, at no cost per hit beyond the ones dropped. Time is the injected clock's; a window that opened after
 * "now" (the clock went back) is closed, as the server's own clock is no attacker's to move. Thread-safe (one
 * lock, held for a few map operations).
 */
final class RateLimit {

    /** How long a window lasts. */
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final int limit;
    private final int capacity;
    private final Clock clock;
    /** Open windows by key, oldest first. */
    private final LinkedHashMap<String, Window> windows = new LinkedHashMap<>();

    private static final class Window {
        final Instant opened;
        int hits = 1;

        Window(Instant opened) {
            this.opened = opened;
        }
    }

    /**
     * @param limit hits a key may make per window, at least 1
     * @param capacity keys kept at most, at least 1
     */
    RateLimit(int limit, int capacity, Clock clock) {
        if (limit < 1 || capacity < 1) {
            throw new IllegalArgumentException("limit and capacity must be at least 1");
        }
        this.limit = limit;
        this.capacity = capacity;
        this.clock = clock;
    }

    /**
     * Counts a hit of {@code key} when it is allowed.
     *
     * @return 0 when the hit is allowed (and counted); otherwise the whole seconds, at least 1, after which the key
     *     (or, when the table is full, a new key) may try again; a refused hit is not counted
     */
    synchronized long hit(String key) {
        Instant now = clock.instant();
        dropClosed(now);
        Window w = windows.get(key);
        if (w != null && closed(w, now)) {
            // only after the clock went back can a closed window be behind an open one
            windows.remove(key);
            w = null;
        }
        if (w == null) {
            if (windows.size() >= capacity) {
                return retryAfter(windows.values().iterator().next(), now);
            }
            windows.put(key, new Window(now));
            return 0;
        }
        if (w.hits < limit) {
            w.hits++;
            return 0;
        }
        return retryAfter(w, now);
    }

    /** @return keys held now, closed windows included until the next hit drops them */
    synchronized int size() {
        return windows.size();
    }

    int limit() {
        return limit;
    }

    private void dropClosed(Instant now) {
        Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator();
        while (it.hasNext()) {
            if (!closed(it.next().getValue(), now)) {
                return;
            }
            it.remove();
        }
    }

    private static boolean closed(Window w, Instant now) {
        return !now.isBefore(w.opened.plus(WINDOW)) || now.isBefore(w.opened);
    }

    private static long retryAfter(Window w, Instant now) {
        long millis = Duration.between(now, w.opened.plus(WINDOW)).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }
}
