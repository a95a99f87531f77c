package org.mqttwarden.crypto.replay;

import java.util.Arrays;

/**
 * One sender's anti-replay state: the highest sequence number accepted and a bitmap of which of the numbers just
 * below it were accepted, as in IPsec (RFC 4303 section 3.4.3). The bitmap is a ring indexed by the sequence
 * number modulo its size, so moving the window forward clears only the bits that leave it (at most the window's
 * size, whatever the jump) and never shifts or loops over a gap.
 *
 * <p>Not thread-safe: {@link ReplayGuard} calls it under its lock, which is what makes check-and-record atomic.
 */
final class SenderWindow {

    /** The outcome of {@link #offer}, before the guard applies the DUP flag. */
    enum Seen { NEW, AGAIN_IN_WINDOW, BELOW_WINDOW }

    private final long[] bits;
    private final int size;
    private final long floorMillis;
    private long highest;
    private long newestAcceptedMillis;

    /**
     * A window whose first accepted message is {@code sequence}.
     *
     * @param size        window size in sequence numbers, a power of two and a multiple of 64
     * @param floorMillis timestamps at or below this are refused for the life of this window (see {@link ReplayGuard})
     */
    SenderWindow(int size, long floorMillis, long sequence, long timestampMillis) {
        this.bits = new long[size >>> 6];
        this.size = size;
        this.floorMillis = floorMillis;
        this.highest = sequence;
        this.newestAcceptedMillis = timestampMillis;
        set(sequence);
    }

    long floorMillis() {
        return floorMillis;
    }

    /** The newest timestamp of any message this window accepted: what the guard must remember if it forgets us. */
    long newestAcceptedMillis() {
        return newestAcceptedMillis;
    }

    long highest() {
        return highest;
    }

    /**
     * Checks {@code sequence} and records it if new.
     *
     * @return {@link Seen#NEW} if it was accepted and recorded now; otherwise nothing changed
     */
    Seen offer(long sequence, long timestampMillis) {
        if (sequence > highest) {
            advanceTo(sequence);
        } else if (highest - sequence >= size) {
            return Seen.BELOW_WINDOW;
        } else if (isSet(sequence)) {
            return Seen.AGAIN_IN_WINDOW;
        } else {
            set(sequence);
        }
        newestAcceptedMillis = Math.max(newestAcceptedMillis, timestampMillis);
        return Seen.NEW;
    }

    /** Moves the top of the window to {@code sequence}, clearing the bits of the numbers that enter it. */
    private void advanceTo(long sequence) {
        // both are >= 0, so the difference cannot overflow
        if (sequence - highest >= size) {
            Arrays.fill(bits, 0L);
        } else {
            long p = highest + 1;
            while (p <= sequence) {
                int bit = (int) (p & (size - 1));
                if ((bit & 63) == 0 && sequence - p >= 63) {
                    bits[bit >>> 6] = 0L;
                    p += 64;
                } else {
                    bits[bit >>> 6] &= ~(1L << (bit & 63));
                    p++;
                }
            }
        }
        highest = sequence;
        set(sequence);
    }

    private boolean isSet(long sequence) {
        int bit = (int) (sequence & (size - 1));
        return (bits[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    private void set(long sequence) {
        int bit = (int) (sequence & (size - 1));
        bits[bit >>> 6] |= 1L << (bit & 63);
    }
}
