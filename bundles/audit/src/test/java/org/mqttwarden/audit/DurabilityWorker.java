package org.mqttwarden.audit;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * The child process of {@link AuditDurabilityTest}: opens the audit log at {@code args[0]} and, from
 * {@value #THREADS} threads, records allows and denials until it is killed, printing
 * {@code ACK <thread>:<n>} once the stage of denial {@code n} has completed. Stops on its own after
 * {@code args[1]} seconds, or as soon as nobody reads its output any more.
 */
final class DurabilityWorker {

    static final int THREADS = 8;
    static final String ACK = "ACK ";
    static final String REASON = "auth.bad-password";
    static final String SEQ = "seq";

    private static final int ALLOWS_PER_DENIAL = 3;

    private DurabilityWorker() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        PrintStream out = System.out;
        AuditLog log = Events.open(file);
        List<Thread> threads = new ArrayList<>(THREADS);
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads.add(new Thread(() -> emit(log, thread, deadline, out), "durability-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        log.close();
        System.exit(0);
    }

    private static void emit(AuditLog log, int thread, long deadline, PrintStream out) {
        String user = "worker-" + thread;
        for (int n = 0; System.nanoTime() < deadline && !out.checkError(); n++) {
            for (int i = 0; i < ALLOWS_PER_DENIAL; i++) {
                log.accept(allow(user, n, i));
            }
            String seq = thread + ":" + n;
            try {
                log.accept(deny(user, seq)).toCompletableFuture().join();
            } catch (CompletionException e) {
                System.err.println("Denial " + seq + " not recorded: " + e.getCause());
                continue;
            }
            synchronized (out) {
                out.print(ACK + seq + "\n");
                out.flush();
            }
        }
    }

    private static SecurityEvent allow(String user, int n, int i) {
        return new SecurityEvent(Instant.now(), EventType.ACL, Outcome.ALLOW, "acl.rule", user, Set.of("sensor"),
                user + "-client", null, user + "/temp", Access.WRITE, null, Map.of("rule", n + "." + i));
    }

    private static SecurityEvent deny(String user, String seq) {
        return new SecurityEvent(Instant.now(), EventType.AUTH, Outcome.DENY, REASON, user, Set.of(),
                user + "-client", "192.0.2.7", null, null, null, Map.of(SEQ, seq));
    }
}
