package org.mqttwarden.alerts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The bounded sliding-window structures of {@link AlertRules}, and the one kind of bounded map the alerts keep
 * their per-key state in ({@link #bounded}). Not thread-safe: the rules hold their own lock.
 */
final class Windows {

    private Windows() {
    }

    /**
     * @return a map of at most {@code max} keys (Caffeine's size bound: the least used are evicted first),
     *     evicting on the writer's thread (so the bound holds when a write returns) and counting evictions
     */
    static <V> Cache<String, V> bounded(int max) {
        return Caffeine.newBuilder().maximumSize(max).executor(Runnable::run).recordStats().build();
    }

    /** Changes the bound of a map made by {@link #bounded}, evicting at once what is beyond it. */
    static void cap(Cache<String, ?> cache, int max) {
        cache.policy().eviction().ifPresent(e -> {
            if (e.getMaximum() != max) {
                e.setMaximum(max);
            }
        });
    }

    /** @return the keys a map made by {@link #bounded} evicted for its bound, since its creation */
    static long evictions(Cache<String, ?> cache) {
        return cache.stats().evictionCount();
    }

    /** @return the keys in a map made by {@link #bounded}, once pending evictions are done */
    static long size(Cache<String, ?> cache) {
        cache.cleanUp();
        return cache.estimatedSize();
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
