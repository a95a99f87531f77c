package org.mqttwarden.lockout;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The origins each username logged in from successfully, and when last: at most {@value #PER_ACCOUNT} per
 * username, the least recently successful forgotten first. Only a successful login adds one, so the map
 * holds no more usernames than there are accounts that logged in; an attacker without a password adds
 * nothing. Thread-safe: one monitor per username.
 */
final class TrustedSources {

    /** Origins remembered per username (as warden_seen_client keeps per account). */
    static final int PER_ACCOUNT = 16;

    /** A stored change: {@code origin} (re)trusted at {@code at}; {@code evicted} forgotten to make room. */
    record Change(Origin origin, long at, Origin evicted) {
    }

    private static final class Entries {
        Origin[] origins = new Origin[0];
        long[] at = new long[0];
        boolean removed;
    }

    private final ConcurrentHashMap<String, Entries> byUsername = new ConcurrentHashMap<>();

    /** @return whether {@code username} logged in from {@code origin} less than {@code ttl} ms before {@code now} */
    boolean trusted(String username, Origin origin, long now, long ttl) {
        if (origin == null || ttl <= 0) {
            return false;
        }
        Entries e = byUsername.get(username);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            for (int i = 0; i < e.origins.length; i++) {
                if (e.origins[i].equals(origin)) {
                    return now - e.at[i] < ttl;
                }
            }
        }
        return false;
    }

    /**
     * Records a successful login.
     *
     * @param refresh how old a remembered time may get before it is renewed (so a device reconnecting often
     *     changes nothing)
     * @return what to store, or {@code null} when nothing changed
     */
    Change succeeded(String username, Origin origin, long now, long refresh) {
        if (origin == null) {
            return null;
        }
        while (true) {
            Entries e = byUsername.computeIfAbsent(username, k -> new Entries());
            synchronized (e) {
                if (e.removed) {
                    continue;
                }
                int oldest = -1;
                for (int i = 0; i < e.origins.length; i++) {
                    if (e.origins[i].equals(origin)) {
                        if (now - e.at[i] < refresh && now >= e.at[i]) {
                            return null;
                        }
                        e.at[i] = now;
                        return new Change(origin, now, null);
                    }
                    if (oldest < 0 || e.at[i] < e.at[oldest]) {
                        oldest = i;
                    }
                }
                if (e.origins.length < PER_ACCOUNT) {
                    e.origins = Arrays.copyOf(e.origins, e.origins.length + 1);
                    e.at = Arrays.copyOf(e.at, e.at.length + 1);
                    e.origins[e.origins.length - 1] = origin;
                    e.at[e.at.length - 1] = now;
                    return new Change(origin, now, null);
                }
                Origin evicted = e.origins[oldest];
                e.origins[oldest] = origin;
                e.at[oldest] = now;
                return new Change(origin, now, evicted);
            }
        }
    }

    /** Puts back what was stored (at start): keeps the most recent {@value #PER_ACCOUNT} per username. */
    void load(String username, Origin origin, long at) {
        succeeded(username, origin, at, Long.MAX_VALUE);
    }

    /** Forgets every origin of {@code username} (its account was removed or created anew). */
    boolean forget(String username) {
        Entries e = byUsername.remove(username);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            e.removed = true;
        }
        return true;
    }

    /** @return the origins remembered, in all */
    long size() {
        long n = 0;
        for (Entries e : byUsername.values()) {
            synchronized (e) {
                n += e.origins.length;
            }
        }
        return n;
    }
}
