package org.mqttwarden.lockout.alert;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The bounded sliding-window structures of {@link AlertRules}. Not thread-safe: the rules hold their own lock. */
final class Windows {

    private Windows() {
    }

    /** A map of at most {@code cap} entries, the least recently used evicted first. */
    static final class Lru<K, V> extends LinkedHashMap<K, V> {
        private static final long serialVersionUID = 1L;
        private int cap;
        private long evictions;

        Lru(int cap) {
            super(16, 0.75f, true);
            this.cap = cap;
        }

        void cap(int c) {
            this.cap = c;
        }

        long evictions() {
            return evictions;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            if (size() > cap) {
                evictions++;
                return true;
            }
            return false;
        }
    }

    /** The times of the latest events, at most as many as the threshold needs. */
    static final class Stamps {
        private final ArrayDeque<Long> times = new ArrayDeque<>();

        /** Records an event at {@code t}, keeping the latest {@code cap}. */
        void add(long t, int cap) {
            times.addLast(t);
            while (times.size() > Math.max(1, cap)) {
                times.removeFirst();
            }
        }

        /** @return how many of the kept events happened after {@code from} */
        int countAfter(long from) {
            int n = 0;
            Iterator<Long> it = times.descendingIterator();
            while (it.hasNext() && it.next() > from) {
                n++;
            }
            return n;
        }
    }

    /** Distinct keys with the time each was last seen, at most {@code cap}, the least recently seen dropped. */
    static final class Distinct {
        private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

        void add(String key, long t, int cap) {
            seen.remove(key);
            seen.put(key, t);
            Iterator<String> it = seen.keySet().iterator();
            while (seen.size() > Math.max(1, cap) && it.hasNext()) {
                it.next();
                it.remove();
            }
        }

        /** @return how many keys were seen after {@code from} */
        int countAfter(long from) {
            int n = 0;
            for (long t : seen.values()) {
                n += t > from ? 1 : 0;
            }
            return n;
        }

        /** @return up to {@code max} of the keys seen after {@code from}, the latest last, each cut to 64 chars */
        String sample(long from, int max) {
            List<String> keys = new ArrayList<>();
            for (Map.Entry<String, Long> e : seen.entrySet()) {
                if (e.getValue() > from) {
                    String k = e.getKey();
                    keys.add(k.length() > 64 ? k.substring(0, 64) + "..." : k);
                }
            }
            return String.join(",", keys.subList(Math.max(0, keys.size() - max), keys.size()));
        }
    }
}
