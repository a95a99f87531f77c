package org.mqttwarden.alerts;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest alerts raised, in memory, for {@code warden:alert-list} without an audit log: a ring of at most
 * {@code alert.recent.max}, the oldest dropped first (a list in time order, not a cache: nothing is looked up
 * by key). Thread-safe.
 */
final class RecentAlerts {

    private final ArrayDeque<Alert> recent = new ArrayDeque<>();

    /** Keeps {@code a}, dropping the oldest beyond {@code max}. */
    synchronized void add(Alert a, int max) {
        recent.addLast(a);
        while (recent.size() > max) {
            recent.removeFirst();
        }
    }

    /**
     * @param since only alerts at or after this instant; {@code null} for all kept
     * @param limit at most this many, the newest ones
     * @return the alerts kept, oldest first
     */
    synchronized List<Alert> since(Instant since, int limit) {
        List<Alert> out = new ArrayList<>();
        for (Alert a : recent) {
            if (since == null || !a.time().isBefore(since)) {
                out.add(a);
            }
        }
        return out.subList(Math.max(0, out.size() - Math.max(0, limit)), out.size());
    }
}
