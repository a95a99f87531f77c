package org.mqttwarden.crypto.replay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The receiver's replay check: decides, for an authenticated message, whether it is fresh and new, and records it
 * so that it is accepted exactly once. Call it only after the message's tag verified: the sender id, sequence
 * number and timestamp are trusted only then, and recording a forgery's number would let a forger block the sender.
 *
 * <h2>Rules, in the order they are applied</h2>
 * <ol>
 * <li>A negative sequence number is {@link ReplayVerdict#MALFORMED} (senders number from 0 to 2<sup>63</sup>-1).</li>
 * <li>A timestamp more than {@link Settings#maxSkew()} before or after this guard's clock is
 * {@link ReplayVerdict#STALE}. This is checked first and records nothing, so a stale message can neither move a
 * sender's window nor make the guard track (and evict for it) a sender.</li>
 * <li>A timestamp not after the sender's <em>floor</em> is {@link ReplayVerdict#STALE}: see "Forgetting" below.</li>
 * <li>Per sender, a sliding window of {@link Settings#windowSize()} sequence numbers below the highest accepted
 * one (RFC 4303 section 3.4.3): a number above the highest moves the window, whatever the jump; one inside it that
 * was not accepted yet is {@link ReplayVerdict#OK} once (out of order delivery); one accepted before is
 * {@link ReplayVerdict#REPLAYED}, or {@link ReplayVerdict#DUPLICATE} if the MQTT DUP flag is set; one below the
 * window is {@link ReplayVerdict#REPLAYED}, DUP or not.</li>
 * </ol>
 *
 * <h2>DUP: a duplicate, not an attack</h2>
 * A QoS 1 message the broker redelivers carries the DUP flag, and its envelope is byte for byte the one already
 * accepted. It is never delivered twice; the guard only names it {@code DUPLICATE} rather than {@code REPLAYED} so
 * an audit does not raise alarms on every reconnect. The DUP flag lives in the MQTT fixed header, outside the
 * authenticated envelope, so a compromised broker can set it at will: that is why it only relabels a message that
 * would be dropped anyway, and only a recent one (inside both windows). A message older than the window is a
 * replay whatever its flags. Known limit: MQTT 5 does not forward a publisher's DUP flag to subscribers (3.3.1.1),
 * so a publisher's own QoS 1 retry that the broker took twice reaches subscribers twice without DUP and is judged
 * {@code REPLAYED}; only the sequence number and time tell such a case from an attack, and that judgement belongs to
 * whoever raises alerts (a single REPLAYED of the newest number within seconds is the harmless pattern).
 *
 * <h2>Forgetting, and why it does not reopen replays</h2>
 * Memory is bounded: at most {@link Settings#maxSenders()} senders are tracked, and the least recently heard one is
 * evicted for a new one. A forgotten sender's window is gone, so the guard keeps a <em>low-water mark</em> instead:
 * the newest timestamp any evicted sender had accepted, kept in one of {@value #MARK_BUCKETS} buckets chosen by a
 * hash of the sender id (32 KiB, however many senders come and go), and never below the moment the guard was
 * created, or the {@code notBefore} given to it, since a new guard knows nothing of what a previous one accepted.
 * A sender the guard starts tracking gets its bucket's mark as its floor, and any message of it timestamped at or
 * before the floor is {@code STALE}. Every message an evicted sender had accepted is at or before its bucket's mark,
 * so none of them is accepted again, however often it is evicted and tracked anew. The price: a new or returning
 * sender whose clock is behind the mark of its bucket is refused until its clock passes it. Since the evicted
 * sender is the one heard from least recently, its newest timestamp is usually older than a newcomer's, so this
 * bites only under sender churn at the bound with clocks apart, or when a future-dated message (within the skew)
 * was evicted, and then for at most the skew; the buckets keep one sender's mark from blocking everyone. Messages
 * still in flight from before an eviction are lost. Senders the guard tracks are not affected. Under normal load
 * (fewer senders than the bound) nothing is ever evicted.
 *
 * <p>Thread-safe: one lock covers look-up, check, record and eviction, so concurrent deliveries of the same
 * message yield exactly one {@code OK}. The work under the lock is a map look-up and a few word operations on a
 * bitmap (at most {@code windowSize / 64} words cleared per message).
 */
public final class ReplayGuard {

    /**
     * How the guard judges and how much it remembers.
     *
     * @param windowSize how many sequence numbers below the highest accepted one may still arrive (out of order):
     *                   a power of two from 64 to 65 536; 1024 by default. Memory per sender is {@code windowSize/8}
     *                   bytes plus the sender id.
     * @param maxSkew    how far a timestamp may be from this guard's clock, either way; 5 minutes by default
     * @param maxSenders how many senders are tracked at most before the least recently heard one is forgotten;
     *                   10 000 by default
     */
    public record Settings(int windowSize, Duration maxSkew, int maxSenders) {

        /** 1024 sequence numbers, 5 minutes either way, 10 000 senders. */
        public static final Settings DEFAULTS = new Settings(1024, Duration.ofMinutes(5), 10_000);

        public Settings {
            Objects.requireNonNull(maxSkew, "maxSkew");
            if (windowSize < 64 || windowSize > 65_536 || Integer.bitCount(windowSize) != 1) {
                throw new IllegalArgumentException(
                        "The replay window size must be a power of two from 64 to 65536, not " + windowSize + ".");
            }
            if (maxSkew.isNegative() || maxSkew.isZero() || maxSkew.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(
                        "The allowed clock skew must be more than zero and at most a day, not " + maxSkew + ".");
            }
            if (maxSenders < 1) {
                throw new IllegalArgumentException(
                        "The number of senders tracked must be at least 1, not " + maxSenders + ".");
            }
        }
    }

    /** How many low-water marks are kept for evicted senders: a power of two. */
    static final int MARK_BUCKETS = 4096;

    private final Settings settings;
    private final Clock clock;
    private final long maxSkewMillis;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. Access order: the eldest entry is the sender heard from least recently. */
    private final LinkedHashMap<String, SenderWindow> senders;
    /** Guarded by {@link #lock}: the newest timestamp accepted from an evicted sender, per bucket of sender ids. */
    private final long[] marks = new long[MARK_BUCKETS];
    private final long notBeforeMillis;
    /** Guarded by {@link #lock}. */
    private long evictions;

    /**
     * A guard that refuses anything timestamped at or before the moment it is created: it cannot know what a
     * previous instance accepted, so it does not accept replays of it (see the class comment for the price).
     */
    public ReplayGuard(Settings settings, Clock clock) {
        this(settings, clock, clock.instant());
    }

    /**
     * A guard that accepts messages timestamped after {@code notBefore} from senders it does not know yet. Give an
     * earlier instant (for example when the receiver was last stopped) to accept messages queued while it was down,
     * knowing that replays of what a previous instance accepted after that instant would be accepted too.
     * {@link Instant#EPOCH} (or earlier) sets no floor but the skew.
     */
    public ReplayGuard(Settings settings, Clock clock, Instant notBefore) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxSkewMillis = settings.maxSkew().toMillis();
        this.notBeforeMillis = notBefore.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : notBefore.toEpochMilli();
        Arrays.fill(marks, Long.MIN_VALUE);
        this.senders = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SenderWindow> eldest) {
                if (size() <= settings.maxSenders()) {
                    return false;
                }
                int bucket = bucket(eldest.getKey());
                marks[bucket] = Math.max(marks[bucket], eldest.getValue().newestAcceptedMillis());
                evictions++;
                return true;
            }
        };
    }

    /**
     * Judges one authenticated message and, if it is {@link ReplayVerdict#OK}, records it, atomically.
     *
     * @param senderId        the sender id from the authenticated envelope
     * @param sequence        its sequence number (0 to 2<sup>63</sup>-1)
     * @param timestampMillis its timestamp, milliseconds since the epoch
     * @param dup             the MQTT DUP flag of the PUBLISH that carried it (unauthenticated)
     * @return {@code OK} if the application may have the message (it will never be {@code OK} again); otherwise why
     *         it is dropped
     */
    public ReplayVerdict check(String senderId, long sequence, long timestampMillis, boolean dup) {
        Objects.requireNonNull(senderId, "senderId");
        if (sequence < 0) {
            return ReplayVerdict.MALFORMED;
        }
        long now = clock.millis();
        if (timestampMillis < now - maxSkewMillis || timestampMillis > now + maxSkewMillis) {
            return ReplayVerdict.STALE;
        }
        synchronized (lock) {
            SenderWindow window = senders.get(senderId);
            if (window == null) {
                long floor = floorFor(senderId);
                if (timestampMillis <= floor) {
                    return ReplayVerdict.STALE;
                }
                senders.put(senderId, new SenderWindow(settings.windowSize(), floor, sequence, timestampMillis));
                return ReplayVerdict.OK;
            }
            if (timestampMillis <= window.floorMillis()) {
                return ReplayVerdict.STALE;
            }
            return switch (window.offer(sequence, timestampMillis)) {
                case NEW -> ReplayVerdict.OK;
                case AGAIN_IN_WINDOW -> dup ? ReplayVerdict.DUPLICATE : ReplayVerdict.REPLAYED;
                case BELOW_WINDOW -> ReplayVerdict.REPLAYED;
            };
        }
    }

    /** How many senders are tracked now (at most {@link Settings#maxSenders()}). */
    public int trackedSenders() {
        synchronized (lock) {
            return senders.size();
        }
    }

    /** How many senders were forgotten to make room since this guard was created. */
    public long evictedSenders() {
        synchronized (lock) {
            return evictions;
        }
    }

    /**
     * The floor a sender would get if the guard started tracking it now (see the class comment): its messages must be
     * timestamped after this instant. The creation time or {@code notBefore}, raised by evictions of senders whose
     * ids share its bucket.
     */
    public Instant lowWaterMark(String senderId) {
        synchronized (lock) {
            return Instant.ofEpochMilli(floorFor(senderId));
        }
    }

    private long floorFor(String senderId) {
        return Math.max(notBeforeMillis, marks[bucket(senderId)]);
    }

    private static int bucket(String senderId) {
        int h = senderId.hashCode() * 0x9E3779B9; // spread the bits of similar ids (sensor-1, sensor-2 ...)
        return (h ^ (h >>> 16)) & (MARK_BUCKETS - 1);
    }

    /** The settings in force. */
    public Settings settings() {
        return settings;
    }
}
