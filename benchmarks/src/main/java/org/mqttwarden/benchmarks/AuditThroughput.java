package org.mqttwarden.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import org.mqttwarden.api.audit.AuditQuery;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.audit.AuditLog;
import org.mqttwarden.store.SqliteDatabaseFiles;
import org.mqttwarden.testsupport.Configs;

/**
 * Sustained write rate of the audit log on this machine, through its public API, on a fresh SQLite
 * file: (1) asynchronous events (ACL allows recorded one by one, {@code allow.mode=all}) from 4
 * producer threads, timed until the log has drained them; (2) security-relevant events (denials)
 * from 16 threads that each wait for their commit, as the decision path does, with the latency of
 * that wait. Stops by itself: fixed counts. With {@code warmUps} > 0 both phases first run that many
 * times on throwaway files, so the measured run is not also the JIT's warm-up (the default, 0, is a
 * cold start, as section 6 of BENCHMARKS.md first measured).
 *
 * <pre>java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *     org.mqttwarden.benchmarks.AuditThroughput [asyncEvents] [durableEventsPerThread] [warmUps]</pre>
 */
public final class AuditThroughput {

    private AuditThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int async = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        int durablePerThread = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int warmUps = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        Path dir = Files.createTempDirectory("warden-audit-bench");
        System.out.printf("AuditThroughput, %d cores, java %s, file %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), dir);
        for (int w = 1; w <= warmUps; w++) {
            System.out.printf("warm-up %d of %d (fresh files, not the measurement):%n", w, warmUps);
            measure(Files.createDirectory(dir.resolve("warm-up-" + w)), async, durablePerThread);
        }
        if (warmUps > 0) {
            System.out.println("measured, on fresh files, after the warm-up:");
        }
        measure(dir, async, durablePerThread);
    }

    /** Both phases, each on a fresh file in {@code dir}. */
    private static void measure(Path dir, int async, int durablePerThread) throws Exception {
        AuditLog log = open(dir.resolve("async.db"));
        AtomicLong refused = new AtomicLong();
        long t0 = System.nanoTime();
        run(4, thread -> {
            for (int i = thread; i < async; i += 4) {
                log.accept(event(Outcome.ALLOW, "dev-" + (i % 1000), "plant/line" + (i % 50) + "/temp"))
                        .exceptionally(e -> {
                            refused.incrementAndGet();
                            return null;
                        });
            }
        });
        long produced = System.nanoTime() - t0;
        long writtenWhileOffering = log.counters().get("events_written");
        log.close();
        long drained = System.nanoTime() - t0;
        AuditLog reopened = open(dir.resolve("async.db"));
        AuditQuery.VerifyResult check = reopened.verify();
        reopened.close();
        long rows = check.rowsChecked();
        System.out.printf("chain verified: %s%n", check.ok());
        System.out.printf("async: %d events offered in %.2f s, %d refused (queue full), %d written; all drained"
                + " after %.2f s -> %.0f events/s sustained%n", async, produced / 1e9, refused.get(), rows,
                drained / 1e9, rows / (drained / 1e9));
        System.out.printf("  of which %d written while the producers ran (%.0f/s), %d after, with the writer alone"
                + " (%.0f/s)%n", writtenWhileOffering, writtenWhileOffering / (produced / 1e9),
                rows - writtenWhileOffering, (rows - writtenWhileOffering) / ((drained - produced) / 1e9));

        AuditLog durable = open(dir.resolve("durable.db"));
        int threads = 16;
        long[][] waits = new long[threads][durablePerThread];
        t0 = System.nanoTime();
        run(threads, thread -> {
            for (int i = 0; i < durablePerThread; i++) {
                long s = System.nanoTime();
                CompletableFuture<Void> done = durable.accept(event(Outcome.DENY, "intruder-" + thread,
                        "plant/secret/" + i)).toCompletableFuture();
                done.join();
                waits[thread][i] = System.nanoTime() - s;
            }
        });
        long elapsed = System.nanoTime() - t0;
        durable.close();
        long[] all = Arrays.stream(waits).flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf("durable: %d denials from %d threads, each waiting for its commit, in %.2f s -> %.0f"
                + " events/s; wait p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", all.length, threads, elapsed / 1e9,
                all.length / (elapsed / 1e9), all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6,
                all[all.length - 1] / 1e6);
    }

    private interface Body {
        void run(int thread) throws Exception;
    }

    private static void run(int threads, Body body) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            new Thread(() -> {
                try {
                    body.run(thread);
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            }, "producer-" + t).start();
        }
        done.await();
    }

    private static SecurityEvent event(Outcome outcome, String user, String topic) {
        return new SecurityEvent(Instant.now(), EventType.ACL, outcome,
                outcome == Outcome.ALLOW ? "acl.allow" : "acl.deny", user, Set.of("sensor"), "client-" + user, null,
                topic, outcome == Outcome.ALLOW ? Access.READ : Access.WRITE, null, Map.of("rule", "#1"));
    }

    private static AuditLog open(Path file) {
        // the shipped defaults but a larger queue and batch, every allow a row, and every denial a row as before
        // issue 10: the durable phase measures one commit per denial
        return new AuditLog(Configs.of(AuditLog.Config.class, Map.of("path", file.toString(),
                "queue.size", 65_536, "batch.max", 2048, "shutdown.timeout.ms", 120_000, "allow.mode", "all",
                "refusal.mode", "all")), new SqliteDatabaseFiles());
    }
}
