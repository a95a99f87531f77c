package org.mqttwarden.http;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the gateway has finished starting, found out on a thread of its own: every
 * {@link #PERIOD_MS} it runs its checks in order and keeps the first that is not ready, which
 * {@link #now()} hands to {@code /health} without waiting. Once every check passes, the gateway is
 * ready for the life of this object and the thread ends: from then on {@code /health} is about
 * liveness (stalled decisions, the store), and a readiness check costs nothing.
 */
final class GatewayReadiness implements Readiness {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayReadiness.class);
    /** How often the checks run while the gateway starts. */
    static final long PERIOD_MS = 250;
    /** After this long without being ready, one WARN says what the gateway still waits for. */
    static final long PATIENCE_MS = 60_000;

    /** One part of readiness, asked on the readiness thread; it may read files and the framework, briefly. */
    @FunctionalInterface
    interface Check {
        /**
         * @return empty when this part is ready; else what it waits for or what failed
         * @throws Exception when the part cannot be checked: counted as not ready, said in the detail
         */
        Optional<NotReady> check() throws Exception;
    }

    private final List<Check> checks;
    private final ScheduledExecutorService thread;
    private volatile Optional<NotReady> state = Optional.of(NotReady.starting("readiness check", "not run yet"));
    private long started;
    private boolean warned;

    GatewayReadiness(List<Check> checks) {
        this.checks = List.copyOf(checks);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warden-http-readiness");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts checking: the first round at once, then every {@link #PERIOD_MS} until ready. */
    void start() {
        started = System.nanoTime();
        thread.scheduleWithFixedDelay(this::round, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Stops checking; {@link #now()} keeps its last answer. */
    void stop() {
        thread.shutdownNow();
    }

    /** @return empty once ready; else the first check not ready at the last round (at most {@link #PERIOD_MS} old) */
    @Override
    public Optional<NotReady> now() {
        return state;
    }

    private void round() {
        for (Check check : checks) {
            Optional<NotReady> result;
            try {
                result = check.check();
            } catch (Exception | LinkageError e) {
                result = Optional.of(NotReady.starting("readiness check", "a check failed: " + e));
            }
            if (result.isPresent()) {
                if (!result.equals(state)) {
                    LOG.debug("Not ready: {}", result.get().json());
                }
                state = result;
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                if (!warned && waited >= PATIENCE_MS) {
                    warned = true;
                    LOG.warn("The gateway is not ready {} s after the HTTP backend started; /health answers 503 {}",
                            waited / 1000, result.get().json());
                }
                return;
            }
        }
        state = Optional.empty();
        LOG.info("The gateway is ready ({} ms after the HTTP backend started): /health answers 200",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        thread.shutdown();
    }
}
