package org.mqttwarden.lockout;

import java.util.Arrays;

/**
 * Failed logins of one account over the trailing hour, in one-minute buckets: small (a few longs),
 * never undercounting. A failure in minute {@code m} counts until the start of minute {@code m + 61},
 * so the count covers a little more than the last 60 minutes, never less. Not thread-safe: its owner
 * guards it.
 */
final class HourCounter {

    private static final long[] NONE = new long[0];
    /** Buckets kept: the current minute and the 60 before it. */
    private static final int SPAN = 60;

    /** Oldest first; each is {@code minute << 20 | count}. */
    private long[] buckets = NONE;

    private static long minute(long millis) {
        return Math.floorDiv(millis, 60_000L);
    }

    /** Counts one failure at {@code now}. */
    void add(long now) {
        prune(now);
        long m = minute(now);
        int n = buckets.length;
        if (n > 0 && (buckets[n - 1] >>> 20) == m) {
            if ((buckets[n - 1] & 0xFFFFF) < 0xFFFFF) {
                buckets[n - 1]++;
            }
            return;
        }
        if (n > 0 && (buckets[n - 1] >>> 20) > m) {
            // the clock went back: count it in the newest bucket, never lose it
            buckets[n - 1]++;
            return;
        }
        buckets = Arrays.copyOf(buckets, n + 1);
        buckets[n] = m << 20 | 1;
    }

    /** @return failures counted at {@code now} (those of the last 60 to 61 minutes) */
    int total(long now) {
        long oldest = minute(now) - SPAN;
        int sum = 0;
        for (long b : buckets) {
            if ((b >>> 20) >= oldest) {
                sum += (int) (b & 0xFFFFF);
            }
        }
        return sum;
    }

    /** @return the first moment after {@code now} at which fewer than {@code limit} failures are counted */
    long releaseTime(long now, int limit) {
        long oldest = minute(now) - SPAN;
        int sum = total(now);
        for (long b : buckets) {
            long m = b >>> 20;
            if (m < oldest) {
                continue;
            }
            if (sum < limit) {
                break;
            }
            sum -= (int) (b & 0xFFFFF);
            if (sum < limit) {
                return (m + SPAN + 1) * 60_000L;
            }
        }
        return now;
    }

    boolean isEmpty(long now) {
        return total(now) == 0;
    }

    void clear() {
        buckets = NONE;
    }

    private void prune(long now) {
        long oldest = minute(now) - SPAN;
        int drop = 0;
        while (drop < buckets.length && (buckets[drop] >>> 20) < oldest) {
            drop++;
        }
        if (drop > 0) {
            buckets = drop == buckets.length ? NONE : Arrays.copyOfRange(buckets, drop, buckets.length);
        }
    }

    /** @return the buckets as stored: {@code minute:count} pairs, comma-separated, oldest first */
    String encode(long now) {
        prune(now);
        StringBuilder sb = new StringBuilder();
        for (long b : buckets) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(b >>> 20).append(':').append(b & 0xFFFFF);
        }
        return sb.toString();
    }

    /** Reads what {@link #encode} wrote; ignores malformed pairs (a damaged row only loses counts). */
    static HourCounter decode(String text) {
        HourCounter c = new HourCounter();
        if (text == null || text.isBlank()) {
            return c;
        }
        long[] out = new long[SPAN + 1];
        int n = 0;
        for (String pair : text.split(",")) {
            int colon = pair.indexOf(':');
            if (colon < 1 || n == out.length) {
                continue;
            }
            try {
                long m = Long.parseLong(pair.substring(0, colon).trim());
                long count = Long.parseLong(pair.substring(colon + 1).trim());
                if (m >= 0 && m < (1L << 43) && count > 0 && (n == 0 || m > (out[n - 1] >>> 20))) {
                    out[n++] = m << 20 | Math.min(count, 0xFFFFF);
                }
            } catch (NumberFormatException e) {
                // skipped
            }
        }
        c.buckets = Arrays.copyOf(out, n);
        return c;
    }
}
