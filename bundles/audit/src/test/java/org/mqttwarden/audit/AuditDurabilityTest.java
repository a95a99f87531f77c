package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.audit.AuditQuery.VerifyResult;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.event.Outcome;

/**
 * Group commit under a SIGKILL: a child JVM ({@link DurabilityWorker}) records denials from several
 * threads and acknowledges each once its stage has completed; the test kills it mid-load and finds
 * every acknowledged denial in the file, with the hash chain intact after WAL recovery.
 */
class AuditDurabilityTest {

    private static final int ENOUGH_ACKS = 3000;
    private static final int MEANINGFUL_ACKS = 500;
    private static final Duration LOAD_TIME = Duration.ofSeconds(20);
    private static final int WORKER_LIFETIME_S = 60;
    private static final int SIGKILL_EXIT = 128 + 9;

    @TempDir
    Path dir;

    Process child;
    AuditLog log;

    @AfterEach
    void close() {
        if (child != null) {
            child.destroyForcibly();
        }
        if (log != null) {
            log.close();
        }
    }

    @Test
    void keepsEveryAcknowledgedDenialWhenTheProcessIsKilled() throws Exception {
        Path file = dir.resolve("audit.db");
        Path errors = dir.resolve("worker.err");
        child = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                DurabilityWorker.class.getName(), file.toString(), Integer.toString(WORKER_LIFETIME_S))
                .redirectError(errors.toFile()).start();
        child.getOutputStream().close();
        AckReader acks = new AckReader(child.getInputStream());
        Thread reading = new Thread(acks, "durability-acks");
        reading.setDaemon(true);
        reading.start();

        acks.awaitAtLeast(ENOUGH_ACKS, LOAD_TIME);
        assertThat(child.isAlive()).as("worker still under load when killed; stderr:%n%s", read(errors)).isTrue();
        child.destroyForcibly();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("worker died").isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(SIGKILL_EXIT);
        reading.join(10_000);
        assertThat(acks.atEof()).as("read the worker's output to the end").isTrue();

        Set<String> acked = acks.seqs();
        assertThat(acked).as("acknowledged denials; stderr:%n%s", read(errors)).hasSizeGreaterThan(MEANINGFUL_ACKS);
        log = Events.open(file);
        List<String> stored = new ArrayList<>();
        for (AuditRecord r : Logs.all(log)) {
            if (r.outcome() == Outcome.DENY && DurabilityWorker.REASON.equals(r.reason())) {
                stored.add(r.detail().get(DurabilityWorker.SEQ));
            }
        }
        Set<String> missing = new HashSet<>(acked);
        stored.forEach(missing::remove);
        assertThat(missing).as("acknowledged but not in the file (%d acked, %d denials stored)", acked.size(),
                stored.size()).isEmpty();
        assertThat(new HashSet<>(stored)).as("each denial stored once").hasSize(stored.size());
        VerifyResult chain = log.verify();
        assertThat(chain.ok()).as("hash chain after recovery: %s", chain).isTrue();
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** Collects the {@code ACK} lines of the worker's output; a line cut short by the kill is ignored. */
    private static final class AckReader implements Runnable {

        private final InputStream in;
        private final Set<String> seqs = new HashSet<>();
        private boolean eof;

        AckReader(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            StringBuilder line = new StringBuilder();
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    String chunk = new String(buffer, 0, n, StandardCharsets.US_ASCII);
                    for (int i = 0; i < chunk.length(); i++) {
                        char c = chunk.charAt(i);
                        if (c == '\n') {
                            accept(line.toString());
                            line.setLength(0);
                        } else {
                            line.append(c);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                synchronized (this) {
                    eof = true;
                    notifyAll();
                }
            }
        }

        private synchronized void accept(String line) {
            if (line.startsWith(DurabilityWorker.ACK)) {
                seqs.add(line.substring(DurabilityWorker.ACK.length()));
                notifyAll();
            }
        }

        /** Waits until {@code n} acknowledgements have come, the output ended, or {@code max} passed. */
        synchronized void awaitAtLeast(int n, Duration max) throws InterruptedException {
            long deadline = System.nanoTime() + max.toNanos();
            for (long left = max.toNanos(); seqs.size() < n && !eof && left > 0; left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        synchronized boolean atEof() {
            return eof;
        }

        synchronized Set<String> seqs() {
            return Set.copyOf(seqs);
        }
    }
}
