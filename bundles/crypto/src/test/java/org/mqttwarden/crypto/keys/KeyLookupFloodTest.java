package org.mqttwarden.crypto.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.crypto.envelope.EnvelopeCodec;
import org.mqttwarden.store.EtcKeyFiles;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestClock;

/**
 * The key store as the receiving path uses it, under attack and under change: a flood of key ids an attacker chose
 * costs no allocation and no database access, and envelopes keep opening on many threads while keys rotate.
 */
class KeyLookupFloodTest {

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private final TestClock clock = new TestClock();
    private GatewayKeyStore keys;

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        keys = new GatewayKeyStore(db, new EtcKeyFiles(dir), Configs.of(CryptoConfig.class, Map.of()), clock);
        keys.create("plant");
    }

    @AfterEach
    void stop() {
        db.close();
    }

    @Test
    void aFloodOfUnknownKeyIdsAllocatesNothingAndIsNeverFound() {
        SecureRandom random = new SecureRandom();
        String[] ids = new String[100_000];
        for (int i = 0; i < ids.length; i++) {
            byte[] raw = new byte[8];
            random.nextBytes(raw);
            ids[i] = HexFormat.of().formatHex(raw);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int found = 0;
        for (int round = 0; round < 3; round++) { // the first rounds warm the code up
            long before = threads.getThreadAllocatedBytes(thread);
            for (String id : ids) {
                if (keys.find(id).isPresent()) {
                    found++;
                }
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            if (round == 2) {
                // one object per look-up would be at least 1.6 MB
                assertThat(allocated).as("bytes allocated by 100 000 look-ups").isLessThan(64 * 1024);
            }
        }
        assertThat(found).isZero();
        assertThat(keys.list()).hasSize(1);
    }

    @Test
    void envelopesKeepOpeningOnEightThreadsWhileTheirPrefixRotates() throws Exception {
        EnvelopeCodec codec = new EnvelopeCodec();
        List<byte[]> sealed = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int rotation = 0; rotation < 20; rotation++) {
                EncryptionKey k = keys.encryptionKey("plant/temp").orElseThrow();
                sealed.add(codec.seal(k.key(), k.keyId(), "gw", rotation, clock.millis(), "plant/temp",
                        ("m" + rotation).getBytes(StandardCharsets.UTF_8)));
                List<byte[]> snapshot = List.copyOf(sealed);
                CyclicBarrier go = new CyclicBarrier(9);
                List<Future<Integer>> opened = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    opened.add(pool.submit(() -> {
                        go.await(10, TimeUnit.SECONDS);
                        int ok = 0;
                        for (int i = 0; i < 50; i++) {
                            for (byte[] e : snapshot) {
                                if (codec.open(keys, "plant/temp", e).state() == MessageState.OK) {
                                    ok++;
                                }
                            }
                        }
                        return ok;
                    }));
                }
                go.await(10, TimeUnit.SECONDS);
                clock.advance(Duration.ofMinutes(1));
                keys.rotate("plant");
                for (Future<Integer> f : opened) {
                    assertThat(f.get(30, TimeUnit.SECONDS)).as("rotation %d", rotation)
                            .isEqualTo(50 * snapshot.size());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(keys.list()).hasSize(21);
    }
}
