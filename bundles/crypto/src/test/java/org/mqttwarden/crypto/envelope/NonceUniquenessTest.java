package org.mqttwarden.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * 10^6 v2 seals from one codec shared by four threads: no two carry the same 96-bit nonce. Within a codec the
 * 32-bit fixed field never changes, so the nonces are distinct exactly when their 64-bit counters are; the counters
 * are compared sorted (8 MB of longs, not a million objects).
 */
class NonceUniquenessTest {

    private static final int THREADS = 4;
    private static final int PER_THREAD = 250_000;

    @Test
    void noNonceRepeatsOverAMillionSealsFromConcurrentThreads() throws Exception {
        EnvelopeKey key = EnvelopeKey.of(new byte[32]);
        EnvelopeCodec codec = new EnvelopeCodec();
        int offset = EnvelopeCodec.FIXED_HEADER_BYTES + 2 + 1;
        long[] counters = new long[THREADS * PER_THREAD];
        int[] prefixes = new int[THREADS];
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    byte[] empty = new byte[0];
                    int prefix = 0;
                    for (int i = 0; i < PER_THREAD; i++) {
                        byte[] envelope = codec.seal(key, "k1", "s", i, 0, "t", empty);
                        ByteBuffer nonce = ByteBuffer.wrap(envelope, offset, 12);
                        int p = nonce.getInt();
                        if (i > 0 && p != prefix) {
                            throw new AssertionError("the fixed field changed within one codec");
                        }
                        prefix = p;
                        counters[thread * PER_THREAD + i] = nonce.getLong();
                    }
                    prefixes[thread] = prefix;
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(prefixes).containsOnly(prefixes[0]);
        Arrays.sort(counters);
        int repeats = 0;
        for (int i = 1; i < counters.length; i++) {
            if (counters[i] == counters[i - 1]) {
                repeats++;
            }
        }
        assertThat(repeats).isZero();
    }

    @Test
    void twoCodecsStartAtUnrelatedNonces() {
        EnvelopeKey key = EnvelopeKey.of(new byte[32]);
        int offset = EnvelopeCodec.FIXED_HEADER_BYTES + 2 + 1;
        byte[] a = new EnvelopeCodec().seal(key, "k1", "s", 1, 0, "t", new byte[0]);
        byte[] b = new EnvelopeCodec().seal(key, "k1", "s", 1, 0, "t", new byte[0]);

        assertThat(Arrays.copyOfRange(a, offset, offset + 12)).isNotEqualTo(Arrays.copyOfRange(b, offset, offset + 12));
    }
}
