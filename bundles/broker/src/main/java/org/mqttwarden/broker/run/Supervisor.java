package org.mqttwarden.broker.run;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Mosquitto child process and its restarts: started with {@code mosquitto -c <conf>} in the broker folder, its
 * output pumped to an {@link OutputCapture} by one thread per run ({@code warden-broker-output}), which also waits
 * for the exit; when it dies while wanted, started again after a delay of 1 s doubling up to the longest
 * configured, the delay going back to 1 s once a run lasted {@link #STABLE} (so a broker that crashes once a day
 * is not restarted a minute late, and one that dies at once does not spin). Time comes from the given clock and
 * delays go through the given scheduler, so tests drive both.
 *
 * <p>Thread-safe: state is guarded by this object's lock, never held while waiting for a process.
 */
final class Supervisor {

    /** Where the restart delays go: the component's executor, or a test's. */
    @FunctionalInterface
    interface Scheduler {
        Future<?> schedule(Runnable task, Duration delay);
    }

    /** The first restart delay. */
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    /** A run at least this long counts as healthy: the next restart delay starts again at {@link #FIRST_DELAY}. */
    static final Duration STABLE = Duration.ofSeconds(30);
    /** How long a SIGTERM is given before SIGKILL (Mosquitto saves persistence and closes clients on SIGTERM). */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final int LOG_TAIL_LINES = 10;
    private static final int LOG_TAIL_BYTES = 8192;

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    private final Clock clock;
    private final Scheduler scheduler;
    private final OutputCapture output;
    private final PidFile pidFile;
    private final Path logFile;
    private final Duration stopGrace;
    private volatile Duration maxDelay;

    private Preflight.Launch launch;
    private Process process;
    private Thread pump;
    private Instant since;
    private int restarts;
    private Integer lastExit;
    private Duration delay = FIRST_DELAY;
    private Future<?> pending;
    private Instant nextRestart;
    private boolean wanted;
    private long generation;
    private List<String> lastOutput = List.of();
    private List<String> lastLog = List.of();

    /** @param stopGrace how long a SIGTERM is given before SIGKILL ({@link #STOP_GRACE} but in tests) */
    Supervisor(Clock clock, Scheduler scheduler, Path brokerDir, Path logFile, Duration maxDelay,
            Duration stopGrace) {
        this.stopGrace = stopGrace;
        this.clock = clock;
        this.scheduler = scheduler;
        this.output = new OutputCapture(brokerDir);
        this.pidFile = new PidFile(brokerDir);
        this.logFile = logFile;
        this.maxDelay = maxDelay;
    }

    PidFile pidFile() {
        return pidFile;
    }

    OutputCapture output() {
        return output;
    }

    /** Takes effect at the next delay. */
    void maxDelay(Duration d) {
        maxDelay = d;
    }

    /** @return whether a process runs or a restart is pending */
    synchronized boolean active() {
        return process != null || pending != null;
    }

    /**
     * Starts Mosquitto as {@code launch} says and keeps it running until {@link #stop}.
     *
     * @return the process
     * @throws IOException when the process cannot be started (nothing runs then)
     */
    synchronized Process start(Preflight.Launch launch) throws IOException {
        if (process != null || pending != null) {
            throw new IllegalStateException("the broker already runs");
        }
        this.launch = launch;
        generation++;
        restarts = 0;
        lastExit = null;
        lastOutput = List.of();
        lastLog = List.of();
        delay = FIRST_DELAY;
        Process p = launch();
        wanted = true;
        return p;
    }

    private Process launch() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(launch.mosquitto().toString(), "-c", launch.conf().toString())
                .directory(launch.dir().toFile()).redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        process = p;
        since = clock.instant();
        nextRestart = null;
        output.mark("--- warden: started " + launch.mosquitto() + " -c " + launch.conf() + " (pid " + p.pid()
                + ") at " + since + " ---");
        try {
            pidFile.write(p.toHandle());
        } catch (IOException e) {
            LOG.warn("Could not write {}: a gateway that crashes will not find this broker (pid {}) on its next"
                    + " start: {}", pidFile.path(), p.pid(), e.toString());
        }
        Thread t = new Thread(() -> watch(p), "warden-broker-output");
        t.setDaemon(true);
        pump = t;
        t.start();
        LOG.info("Mosquitto started (pid {}) with {}", p.pid(), launch.conf());
        return p;
    }

    /** The pump thread: copies the output until it ends, then reports the exit. */
    private void watch(Process p) {
        output.pump(p.getInputStream());
        int code;
        try {
            code = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        exited(p, code);
    }

    private synchronized void exited(Process p, int code) {
        if (p != process) {
            return;
        }
        process = null;
        lastExit = code;
        pidFile.delete();
        if (!wanted) {
            return;
        }
        Duration up = Duration.between(since, clock.instant());
        lastOutput = output.tail();
        lastLog = logTail();
        LOG.warn("Mosquitto (pid {}) exited with code {} after {} s; restarting it in {} s", p.pid(), code,
                up.toSeconds(), (up.compareTo(STABLE) >= 0 ? FIRST_DELAY : delay).toSeconds());
        scheduleRestart(up);
    }

    private void scheduleRestart(Duration up) {
        if (up.compareTo(STABLE) >= 0) {
            delay = FIRST_DELAY;
        }
        Duration d = delay;
        Duration doubled = delay.multipliedBy(2);
        delay = doubled.compareTo(maxDelay) > 0 ? maxDelay : doubled;
        if (d.compareTo(maxDelay) > 0) {
            d = maxDelay;
        }
        nextRestart = clock.instant().plus(d);
        long gen = generation;
        pending = scheduler.schedule(() -> restart(gen), d);
    }

    private synchronized void restart(long gen) {
        if (!wanted || gen != generation || process != null) {
            return;
        }
        pending = null;
        restarts++;
        try {
            launch();
        } catch (IOException e) {
            LOG.warn("Mosquitto could not be restarted with {}: {}", launch.mosquitto(), e.toString());
            since = clock.instant();
            scheduleRestart(Duration.ZERO);
        }
    }

    /**
     * Stops restarting, sends SIGTERM, and SIGKILL when the process has not exited within the stop grace;
     * returns once it is gone and its output is written (bounded).
     *
     * @return what was stopped: empty when nothing ran and no restart was pending
     */
    Optional<ManagedBroker.Stopped> stop() throws InterruptedException {
        Process p;
        Thread t;
        boolean wasPending;
        synchronized (this) {
            wanted = false;
            generation++;
            wasPending = pending != null;
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
            nextRestart = null;
            p = process;
            t = pump;
        }
        if (p == null) {
            return wasPending ? Optional.of(new ManagedBroker.Stopped(0, false, false)) : Optional.empty();
        }
        boolean killed = terminate(p.toHandle(), stopGrace);
        if (t != null) {
            t.join(KILL_WAIT.toMillis());
        }
        synchronized (this) {
            if (process == p) {
                process = null;
                lastExit = p.isAlive() ? null : p.exitValue();
            }
            pidFile.delete();
        }
        LOG.info("Mosquitto (pid {}) stopped{}", p.pid(), killed ? " with SIGKILL: it ignored SIGTERM for "
                + stopGrace.toSeconds() + " s" : "");
        return Optional.of(new ManagedBroker.Stopped(p.pid(), false, killed));
    }

    /**
     * SIGTERM, then SIGKILL after {@code grace}.
     *
     * @return whether SIGKILL was needed
     */
    static boolean terminate(ProcessHandle h, Duration grace) throws InterruptedException {
        h.destroy();
        if (awaitExit(h, grace)) {
            return false;
        }
        h.destroyForcibly();
        awaitExit(h, KILL_WAIT);
        return true;
    }

    private static boolean awaitExit(ProcessHandle h, Duration d) throws InterruptedException {
        try {
            h.onExit().get(d.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return !h.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.isAlive();
        }
    }

    /** @return the state, with the given lint summary and last refusal */
    synchronized BrokerStatus status(String lint, Optional<String> refusal) {
        BrokerStatus.State state = process != null ? BrokerStatus.State.RUNNING
                : pending != null ? BrokerStatus.State.RESTARTING : BrokerStatus.State.STOPPED;
        return new BrokerStatus(state, process == null ? OptionalLong.empty() : OptionalLong.of(process.pid()),
                process == null ? Optional.empty() : Optional.of(since), restarts,
                lastExit == null ? OptionalInt.empty() : OptionalInt.of(lastExit), Optional.ofNullable(nextRestart),
                lastOutput, lastLog, refusal, lint);
    }

    /** @return the last lines of the broker's log file, read from its end (bounded), for the status of a death */
    private List<String> logTail() {
        if (logFile == null || !Files.isRegularFile(logFile)) {
            return List.of();
        }
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, LOG_TAIL_BYTES);
            byte[] b = new byte[n];
            f.seek(len - n);
            f.readFully(b);
            List<String> lines = new ArrayList<>(new String(b, StandardCharsets.UTF_8).lines().toList());
            if (n < len && !lines.isEmpty()) {
                lines.remove(0); // cut in the middle
            }
            return List.copyOf(lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return List.of();
        }
    }
}
