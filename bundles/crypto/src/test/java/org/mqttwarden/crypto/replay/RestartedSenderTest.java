package org.mqttwarden.crypto.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.crypto.replay.ReplayGuard.Settings;
import org.mqttwarden.testsupport.TestClock;

/** The sender's counter and the receiver's guard together: a restarted sender is not taken for a replayer. */
class RestartedSenderTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();

    @Test
    void aSenderRestartedCleanlyOrAfterACrashIsAcceptedAndItsOldMessagesAreNot() throws IOException {
        ReplayGuard receiver = new ReplayGuard(Settings.DEFAULTS, clock);
        clock.advance(Duration.ofSeconds(1));
        Path file = dir.resolve("device-7.seq");
        List<Long> sent = new ArrayList<>();
        for (int life = 0; life < 6; life++) {
            SequenceCounter counter = SequenceCounter.open(file, SequenceCounter.DEFAULT_BLOCK, clock);
            for (int i = 0; i < 1500; i++) {
                long seq = counter.next();
                sent.add(seq);
                assertThat(receiver.check("device-7", seq, clock.millis(), false)).as("life %d, seq %d", life, seq)
                        .isEqualTo(ReplayVerdict.OK);
            }
            if (life % 2 == 0) {
                counter.close();
            } // else: dropped without close, as after a crash or kill -9
            clock.advance(Duration.ofMillis(10));
        }
        for (long seq : sent) {
            assertThat(receiver.check("device-7", seq, clock.millis(), false)).isEqualTo(ReplayVerdict.REPLAYED);
        }
    }

    @Test
    void threadsDrawingFromOneCounterNeverGetTheSameNumber() throws Exception {
        int threads = 4;
        int each = 5000;
        try (SequenceCounter counter = SequenceCounter.open(dir.resolve("shared.seq"), 100, clock)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<List<Long>>> drawn = new ArrayList<>();
            try {
                for (int t = 0; t < threads; t++) {
                    drawn.add(pool.submit(() -> {
                        List<Long> mine = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            mine.add(counter.next());
                        }
                        return mine;
                    }));
                }
                Set<Long> all = new HashSet<>();
                for (Future<List<Long>> f : drawn) {
                    List<Long> mine = f.get(60, TimeUnit.SECONDS);
                    assertThat(mine).as("each thread's numbers rise").isSorted();
                    all.addAll(mine);
                }
                assertThat(all).hasSize(threads * each);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
