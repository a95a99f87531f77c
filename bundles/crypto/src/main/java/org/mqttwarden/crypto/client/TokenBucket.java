package org.mqttwarden.crypto.client;

/**
 * A token bucket on the monotonic clock ({@link System#nanoTime()}, not the wall clock a test may freeze): holds at
 * most {@code burst} tokens, refills {@code perSecond} a second. Thread-safe.
 */
final class TokenBucket {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    TokenBucket(int perSecond, int burst) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** @return whether a token was there, and took it */
    synchronized boolean take() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
