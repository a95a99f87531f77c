package org.mqttwarden.crypto.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.crypto.replay.ReplayGuard.Settings;
import org.mqttwarden.testsupport.TestClock;

class ReplayGuardTest {

    private static final String ALICE = "alice";
    private static final long SKEW = Duration.ofMinutes(5).toMillis();

    private TestClock clock;
    private ReplayGuard guard;

    @BeforeEach
    void setUp() {
        clock = new TestClock();
        guard = new ReplayGuard(Settings.DEFAULTS, clock);
        clock.advance(Duration.ofSeconds(1)); // messages stamped before the guard existed are STALE
    }

    private ReplayVerdict check(String sender, long seq) {
        return guard.check(sender, seq, clock.millis(), false);
    }

    @Test
    void acceptsASequenceInOrder() {
        for (long seq = 0; seq < 5000; seq++) {
            assertThat(check(ALICE, seq)).as("seq %d", seq).isEqualTo(ReplayVerdict.OK);
        }
        assertThat(guard.trackedSenders()).isEqualTo(1);
    }

    @Test
    void acceptsOutOfOrderWithinTheWindowExactlyOnce() {
        List<Long> order = new ArrayList<>();
        for (long seq = 1; seq <= 1024; seq++) {
            order.add(seq);
        }
        Collections.shuffle(order, new Random(14));
        order.add(0, 1024L); // the top first: everything else arrives late, still inside the window
        order.remove(order.lastIndexOf(1024L));
        for (long seq : order) {
            assertThat(check(ALICE, seq)).as("first arrival of %d", seq).isEqualTo(ReplayVerdict.OK);
        }
        for (long seq : order) {
            assertThat(check(ALICE, seq)).as("replay of %d", seq).isEqualTo(ReplayVerdict.REPLAYED);
        }
    }

    @Test
    void refusesAReplayOfEveryAcceptedNumberAsTheWindowSlides() {
        Set<Long> accepted = new HashSet<>();
        for (long seq = 0; seq < 10_000; seq += 3) {
            assertThat(check(ALICE, seq)).isEqualTo(ReplayVerdict.OK);
            accepted.add(seq);
            // the three most recent ones, inside the window
            for (long back = seq; back >= 0 && back > seq - 9; back -= 3) {
                assertThat(check(ALICE, back)).as("replay of %d at %d", back, seq).isEqualTo(ReplayVerdict.REPLAYED);
            }
        }
        for (long seq : accepted) {
            assertThat(check(ALICE, seq)).as("replay of %d", seq).isEqualTo(ReplayVerdict.REPLAYED);
        }
    }

    @Test
    void refusesNumbersBelowTheWindowEvenIfNeverSeen() {
        assertThat(check(ALICE, 5000)).isEqualTo(ReplayVerdict.OK);
        assertThat(check(ALICE, 5000 - 1024)).isEqualTo(ReplayVerdict.REPLAYED);
        assertThat(guard.check(ALICE, 5000 - 1024, clock.millis(), true)).isEqualTo(ReplayVerdict.REPLAYED);
        assertThat(check(ALICE, 0)).isEqualTo(ReplayVerdict.REPLAYED);
        assertThat(check(ALICE, 5000 - 1023)).as("the oldest number inside the window").isEqualTo(ReplayVerdict.OK);
    }

    @Test
    void slidesByHugeJumpsWithoutWalkingTheGap() {
        long seq = 1;
        assertThat(check(ALICE, seq)).isEqualTo(ReplayVerdict.OK);
        // a thousand jumps of 2^40: a window that walked the gap bit by bit would never finish
        for (int i = 0; i < 1000; i++) {
            long jump = seq + (1L << 40);
            assertThat(check(ALICE, jump)).isEqualTo(ReplayVerdict.OK);
            assertThat(check(ALICE, jump - 1)).as("just below, never seen").isEqualTo(ReplayVerdict.OK);
            assertThat(check(ALICE, jump - 1)).isEqualTo(ReplayVerdict.REPLAYED);
            assertThat(check(ALICE, seq)).as("the previous top, now far below").isEqualTo(ReplayVerdict.REPLAYED);
            seq = jump;
        }
        assertThat(check(ALICE, Long.MAX_VALUE)).isEqualTo(ReplayVerdict.OK);
        assertThat(check(ALICE, Long.MAX_VALUE)).isEqualTo(ReplayVerdict.REPLAYED);
        assertThat(check(ALICE, Long.MAX_VALUE - 1023)).isEqualTo(ReplayVerdict.OK);
        assertThat(check(ALICE, Long.MAX_VALUE - 1024)).isEqualTo(ReplayVerdict.REPLAYED);
    }

    @Test
    void aJumpSmallerThanTheWindowKeepsWhatIsStillInside() {
        for (long seq = 0; seq < 64; seq++) {
            assertThat(check(ALICE, seq)).isEqualTo(ReplayVerdict.OK);
        }
        assertThat(check(ALICE, 1000)).isEqualTo(ReplayVerdict.OK);
        for (long seq = 0; seq < 64; seq++) {
            assertThat(check(ALICE, seq)).as("accepted before the jump: %d", seq).isEqualTo(ReplayVerdict.REPLAYED);
        }
        for (long seq = 64; seq < 1000; seq++) {
            assertThat(check(ALICE, seq)).as("skipped by the jump: %d", seq).isEqualTo(ReplayVerdict.OK);
        }
    }

    /** The bitmap ring against a plain set of every accepted number, over random walks with every kind of step. */
    @Test
    void agreesWithAReferenceModelOnRandomTraffic() {
        Random random = new Random(4303);
        for (int windowSize : new int[] {64, 128, 1024}) {
            ReplayGuard small = new ReplayGuard(new Settings(windowSize, Duration.ofMinutes(5), 10), clock,
                    Instant.EPOCH);
            Set<Long> seen = new HashSet<>();
            long highest = -1;
            for (int i = 0; i < 200_000; i++) {
                long seq = switch (random.nextInt(6)) {
                    case 0 -> highest + 1;
                    case 1 -> highest + 1 + random.nextInt(3 * windowSize);
                    case 2, 3 -> Math.max(0, highest - random.nextInt(windowSize + 64));
                    case 4 -> Math.max(0, highest - random.nextInt(8));
                    default -> highest + random.nextInt(70);
                };
                ReplayVerdict expected = highest >= 0 && seq <= highest
                        && (highest - seq >= windowSize || seen.contains(seq))
                        ? ReplayVerdict.REPLAYED : ReplayVerdict.OK;
                assertThat(small.check(ALICE, seq, clock.millis(), false))
                        .as("window %d, step %d, seq %d, highest %d", windowSize, i, seq, highest)
                        .isEqualTo(expected);
                if (expected == ReplayVerdict.OK) {
                    seen.add(seq);
                    highest = Math.max(highest, seq);
                }
            }
        }
    }

    /**
     * A QoS 1 redelivery (DUP set) of an accepted message is a DUPLICATE, never delivered again; the same bytes
     * without DUP are a replay; DUP never makes an old or stale message acceptable, nor hides an old replay.
     */
    @Test
    void namesARedeliveryWithTheDupFlagADuplicate() {
        assertThat(check(ALICE, 10)).isEqualTo(ReplayVerdict.OK);
        long stamp = clock.millis();
        assertThat(guard.check(ALICE, 10, stamp, true)).isEqualTo(ReplayVerdict.DUPLICATE);
        assertThat(guard.check(ALICE, 10, stamp, true)).as("again").isEqualTo(ReplayVerdict.DUPLICATE);
        assertThat(guard.check(ALICE, 10, stamp, false)).isEqualTo(ReplayVerdict.REPLAYED);

        assertThat(guard.check(ALICE, 11, stamp, true)).as("DUP on a first arrival: it was lost before")
                .isEqualTo(ReplayVerdict.OK);
        assertThat(check(ALICE, 20)).isEqualTo(ReplayVerdict.OK);
        assertThat(guard.check(ALICE, 11, stamp, true)).as("older, still inside the window")
                .isEqualTo(ReplayVerdict.DUPLICATE);

        assertThat(check(ALICE, 20 + 1024)).isEqualTo(ReplayVerdict.OK);
        assertThat(guard.check(ALICE, 20, stamp, true)).as("below the window: a replay whatever the flag")
                .isEqualTo(ReplayVerdict.REPLAYED);

        clock.advance(Duration.ofMinutes(6));
        assertThat(guard.check(ALICE, 20 + 1024, stamp, true)).as("held back beyond the skew")
                .isEqualTo(ReplayVerdict.STALE);
        assertThat(ReplayVerdict.DUPLICATE.messageState()).isEmpty();
    }

    @Test
    void refusesTimestampsOutsideTheSkewEitherWay() {
        guard = new ReplayGuard(Settings.DEFAULTS, clock, Instant.EPOCH); // only the skew, no start floor
        long now = clock.millis();
        assertThat(guard.check(ALICE, 1, now - SKEW - 1, false)).isEqualTo(ReplayVerdict.STALE);
        assertThat(guard.check(ALICE, 2, now + SKEW + 1, false)).isEqualTo(ReplayVerdict.STALE);
        assertThat(guard.check(ALICE, 3, Long.MIN_VALUE, false)).isEqualTo(ReplayVerdict.STALE);
        assertThat(guard.check(ALICE, 4, Long.MAX_VALUE, false)).isEqualTo(ReplayVerdict.STALE);
        assertThat(guard.trackedSenders()).as("stale messages make no sender tracked").isZero();

        clock.advance(Duration.ofMinutes(10));
        now = clock.millis();
        assertThat(guard.check(ALICE, 5, now - SKEW, false)).as("exactly the skew behind").isEqualTo(ReplayVerdict.OK);
        assertThat(guard.check(ALICE, 6, now + SKEW, false)).as("exactly the skew ahead").isEqualTo(ReplayVerdict.OK);
    }

    @Test
    void aStaleMessageDoesNotMoveTheWindow() {
        guard = new ReplayGuard(Settings.DEFAULTS, clock, Instant.EPOCH); // only the skew, no start floor
        assertThat(check(ALICE, 10)).isEqualTo(ReplayVerdict.OK);
        assertThat(guard.check(ALICE, 1_000_000, clock.millis() + SKEW + 1, false)).isEqualTo(ReplayVerdict.STALE);
        assertThat(guard.check(ALICE, 2_000_000, clock.millis() - SKEW - 1, false)).isEqualTo(ReplayVerdict.STALE);
        // had the window moved to 1 000 000, these would be below it
        assertThat(check(ALICE, 9)).isEqualTo(ReplayVerdict.OK);
        assertThat(check(ALICE, 11)).isEqualTo(ReplayVerdict.OK);
        assertThat(check(ALICE, 1_000_000)).as("never recorded").isEqualTo(ReplayVerdict.OK);
    }

    /**
     * Eight threads deliver the same messages at the same moment (a barrier per message), to new senders and to
     * known ones: each message is OK exactly once, the other seven get a refusal.
     */
    @Test
    void eightThreadsRacingTheSameMessagesGetExactlyOneOkEach() throws Exception {
        int threads = 8;
        int rounds = 4000;
        int senders = 40;
        AtomicIntegerArray oks = new AtomicIntegerArray(rounds);
        AtomicIntegerArray others = new AtomicIntegerArray(rounds);
        CyclicBarrier together = new CyclicBarrier(threads);
        long stamp = clock.millis();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean dup = t % 2 == 1;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        together.await(30, TimeUnit.SECONDS);
                        // the first rounds race to create each sender, the later ones race on its window
                        ReplayVerdict verdict = guard.check("racer-" + round % senders, round / senders, stamp, dup);
                        (verdict == ReplayVerdict.OK ? oks : others).incrementAndGet(round);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int round = 0; round < rounds; round++) {
            assertThat(oks.get(round)).as("OKs in round %d", round).isEqualTo(1);
            assertThat(others.get(round)).as("refusals in round %d", round).isEqualTo(threads - 1);
        }
        assertThat(guard.trackedSenders()).isEqualTo(senders);
    }

    /**
     * A flood of 100 000 senders (one a millisecond) keeps at most maxSenders tracked; an evicted sender's old
     * messages are STALE (the low-water mark of its bucket), not accepted as new, even once it is tracked again.
     */
    @Test
    void boundsMemoryUnderASenderFloodWithoutReopeningReplays() {
        long before = clock.millis();
        assertThat(check("victim", 1)).isEqualTo(ReplayVerdict.OK);
        assertThat(check("victim", 2)).isEqualTo(ReplayVerdict.OK);
        for (int i = 0; i < 100_000; i++) {
            clock.advance(Duration.ofMillis(1));
            assertThat(check("flood-" + i, i)).as("flood-%d", i).isEqualTo(ReplayVerdict.OK);
            assertThat(guard.trackedSenders()).isLessThanOrEqualTo(10_000);
        }
        assertThat(guard.trackedSenders()).isEqualTo(10_000);
        assertThat(guard.evictedSenders()).isEqualTo(100_000 + 1 - 10_000);
        assertThat(clock.millis() - before).as("all inside the skew").isLessThan(SKEW);
        assertThat(guard.lowWaterMark("victim").toEpochMilli()).isGreaterThanOrEqualTo(before);

        // the victim was evicted: its recorded messages, replayed inside the skew, are still refused
        assertThat(guard.check("victim", 1, before, false)).isEqualTo(ReplayVerdict.STALE);
        assertThat(guard.check("victim", 2, before, true)).isEqualTo(ReplayVerdict.STALE);
        assertThat(guard.check("victim", 3, before, false)).as("never sent, but no newer than the mark")
                .isEqualTo(ReplayVerdict.STALE);

        assertThat(check("victim", 3)).as("the victim's next message").isEqualTo(ReplayVerdict.OK);
        assertThat(guard.check("victim", 2, before, false)).as("still refused once tracked again")
                .isEqualTo(ReplayVerdict.STALE);
        assertThat(check("newcomer", 1)).as("a newcomer stamped now").isEqualTo(ReplayVerdict.OK);
        assertThat(guard.trackedSenders()).isEqualTo(10_000);
    }

    /** The price of forgetting: a newcomer whose clock is not past its bucket's mark waits until it is. */
    @Test
    void aNewcomerStampedAtTheMarkOfItsBucketWaits() {
        ReplayGuard small = new ReplayGuard(new Settings(64, Duration.ofMinutes(5), 1), clock, Instant.EPOCH);
        long stamp = clock.millis();
        assertThat(small.check("gone", 1, stamp, false)).isEqualTo(ReplayVerdict.OK);
        assertThat(small.check("other", 1, stamp - 1, false)).isEqualTo(ReplayVerdict.OK); // evicts "gone"
        assertThat(small.lowWaterMark("gone")).isEqualTo(Instant.ofEpochMilli(stamp));
        assertThat(small.check("gone", 2, stamp, false)).isEqualTo(ReplayVerdict.STALE);
        assertThat(small.check("gone", 2, stamp + 1, false)).isEqualTo(ReplayVerdict.OK);
    }

    @Test
    void aTrackedSenderIsNotEvictedByTheFloodWhileItKeepsTalking() {
        ReplayGuard small = new ReplayGuard(new Settings(64, Duration.ofMinutes(5), 100), clock, Instant.EPOCH);
        for (int i = 0; i < 10_000; i++) {
            clock.advance(Duration.ofMillis(1));
            assertThat(small.check("flood-" + i, 0, clock.millis(), false)).isEqualTo(ReplayVerdict.OK);
            assertThat(small.check(ALICE, i, clock.millis(), false)).isEqualTo(ReplayVerdict.OK);
        }
        assertThat(small.check(ALICE, 9_990, clock.millis(), false)).as("its window survived")
                .isEqualTo(ReplayVerdict.REPLAYED);
        assertThat(small.trackedSenders()).isEqualTo(100);
    }

    @Test
    void aNewGuardRefusesWhatAPreviousOneMayHaveAccepted() {
        long earlier = clock.millis();
        clock.advance(Duration.ofMinutes(1));
        ReplayGuard restarted = new ReplayGuard(Settings.DEFAULTS, clock);
        assertThat(restarted.check(ALICE, 7, earlier, false)).isEqualTo(ReplayVerdict.STALE);
        assertThat(restarted.check(ALICE, 7, clock.millis(), false)).as("stamped at the very start")
                .isEqualTo(ReplayVerdict.STALE);
        clock.advance(Duration.ofMillis(1));
        assertThat(restarted.check(ALICE, 8, clock.millis(), false)).isEqualTo(ReplayVerdict.OK);

        ReplayGuard lenient = new ReplayGuard(Settings.DEFAULTS, clock, Instant.EPOCH);
        assertThat(lenient.check(ALICE, 7, earlier, false)).as("queued while down, accepted when asked to")
                .isEqualTo(ReplayVerdict.OK);
        assertThat(new ReplayGuard(Settings.DEFAULTS, clock, Instant.MIN).check(ALICE, 7, earlier, false))
                .as("no floor at all").isEqualTo(ReplayVerdict.OK);
    }

    @Test
    void refusesANegativeSequenceNumberAsMalformed() {
        assertThat(check(ALICE, -1)).isEqualTo(ReplayVerdict.MALFORMED);
        assertThat(check(ALICE, Long.MIN_VALUE)).isEqualTo(ReplayVerdict.MALFORMED);
        assertThat(guard.trackedSenders()).isZero();
    }

    @Test
    void sendersAreIndependent() {
        assertThat(check(ALICE, 5)).isEqualTo(ReplayVerdict.OK);
        assertThat(check("bob", 5)).isEqualTo(ReplayVerdict.OK);
        assertThat(check("bob", 5)).isEqualTo(ReplayVerdict.REPLAYED);
        assertThat(check(ALICE, 6)).isEqualTo(ReplayVerdict.OK);
    }

    @Test
    void mapsVerdictsToMessageStates() {
        assertThat(ReplayVerdict.OK.messageState()).contains(MessageState.OK);
        assertThat(ReplayVerdict.REPLAYED.messageState()).contains(MessageState.REPLAYED);
        assertThat(ReplayVerdict.STALE.messageState()).contains(MessageState.STALE);
        assertThat(ReplayVerdict.MALFORMED.messageState()).contains(MessageState.MALFORMED);
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> new Settings(1000, Duration.ofMinutes(5), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new Settings(32, Duration.ofMinutes(5), 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Settings(1024, Duration.ZERO, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("skew");
        assertThatThrownBy(() -> new Settings(1024, Duration.ofMinutes(5), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("senders");
    }
}
