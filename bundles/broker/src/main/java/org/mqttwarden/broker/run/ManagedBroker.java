package org.mqttwarden.broker.run;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.mqttwarden.api.http.GoAuthBackend;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.broker.config.BrokerConfig;
import org.mqttwarden.broker.config.BrokerPaths;
import org.mqttwarden.broker.lint.LintOptions;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managed broker (PID {@code org.mqttwarden.broker}): Mosquitto as a child process of the gateway, with the
 * configuration in the broker folder ({@link BrokerPaths}). Started by {@code warden:broker-start} or, with
 * {@code managed = true}, when the gateway starts (from the component's own thread, never in activate, so a slow
 * lint or disk never holds up Karaf's start); restarted with back-off when it dies ({@link Supervisor}); stopped with
 * SIGTERM, then SIGKILL, by {@code warden:broker-stop} and whenever the component goes away (the gateway stopping,
 * the bundle updated or uninstalled). {@link Preflight} refuses, with one sentence, what Mosquitto could not start
 * with.
 *
 * <p>Never two brokers: in this gateway, starts and stops are serialised and a start is refused while one runs;
 * across gateway lives, a pid file in the broker folder names the running broker. A broker left running by a
 * gateway that crashed is <em>refused, not adopted</em>: it is not this JVM's child, so its exit code cannot be
 * read, its output went to a pipe that died with the old gateway (its next write to it kills it with SIGPIPE), and
 * it may run a configuration older than the one on disk; adopting it would promise supervision that cannot be
 * given. {@code warden:broker-stop} stops it (after checking the pid still names that very Mosquitto), and the
 * next start is a managed one.
 */
@Component(configurationPid = {"org.mqttwarden.broker", GoAuthBackend.PID}, service = ManagedBroker.class,
        immediate = true)
public final class ManagedBroker {

    /**
     * What {@link #stop} stopped.
     *
     * @param pid the process stopped; 0 when only a pending restart was cancelled
     * @param leftOver whether it was a broker left by an earlier gateway
     * @param killed whether it needed SIGKILL (it ignored SIGTERM for {@link Supervisor#STOP_GRACE})
     */
    public record Stopped(long pid, boolean leftOver, boolean killed) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ManagedBroker.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    private final ScheduledThreadPoolExecutor executor;
    private final Supervisor.Scheduler scheduler;
    private final Clock clock;
    /** Replaced, stopped first, when broker.dir or watch.log changes. */
    private volatile Supervisor supervisor;
    /** Lints with warden-http's response mode (its PID is this component's second), so a matching setup passes. */
    private volatile Preflight preflight = new Preflight(LintOptions.defaults());
    /** Serialises starts and stops (held while a process starts or stops, never by a status). */
    private final Object control = new Object();
    private final Duration stopGrace;
    private volatile BrokerConfig config;
    private volatile BrokerPaths paths;
    private volatile String refusal;

    /** As DS makes it when warden-http runs its defaults. */
    public ManagedBroker(BrokerConfig config) {
        this(config, Map.of());
    }

    @Activate
    public ManagedBroker(BrokerConfig config, Map<String, Object> properties) {
        this(config, Clock.systemUTC(), null);
        preflight = new Preflight(lintOptions(properties));
    }

    /** @return the linter's options with warden-http's {@code response.mode}; the defaults when it is not valid */
    static LintOptions lintOptions(Map<String, ?> properties) {
        Object mode = properties.get(GoAuthBackend.RESPONSE_MODE);
        try {
            return mode == null ? LintOptions.defaults()
                    : LintOptions.defaults().withWardenResponseMode(mode.toString().trim());
        } catch (IllegalArgumentException e) {
            return LintOptions.defaults(); // warden-http refuses it too, and says so
        }
    }

    /**
     * @param scheduler where restart delays go; {@code null}: the component's own thread
     *     ({@code warden-broker-supervisor})
     */
    ManagedBroker(BrokerConfig config, Clock clock, Supervisor.Scheduler scheduler) {
        this(config, clock, scheduler, Supervisor.STOP_GRACE);
    }

    /** @param stopGrace how long SIGTERM is given before SIGKILL */
    ManagedBroker(BrokerConfig config, Clock clock, Supervisor.Scheduler scheduler, Duration stopGrace) {
        this.stopGrace = stopGrace;
        this.config = config;
        this.paths = BrokerPaths.of(config);
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "warden-broker-supervisor");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.clock = clock;
        this.scheduler = scheduler != null ? scheduler
                : (task, delay) -> executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        this.supervisor = new Supervisor(clock, this.scheduler, paths.dir(), paths.log(), maxDelay(config),
                stopGrace);
        if (config.managed()) {
            executor.execute(this::startManaged);
        }
    }

    /**
     * Takes a changed configuration without restarting the broker (the log watcher's {@code watch.*} keys share the
     * PID): a new longest delay applies to the next restart; {@code managed} switched on starts the broker; a new
     * broker folder or log file stops the broker of the old folder, and starts the new one when managed.
     */
    @Modified
    void modified(BrokerConfig changed, Map<String, Object> properties) {
        preflight = new Preflight(lintOptions(properties));
        modified(changed);
    }

    void modified(BrokerConfig changed) {
        BrokerPaths old = paths;
        BrokerPaths now = BrokerPaths.of(changed);
        boolean moved = !old.dir().equals(now.dir()) || !old.log().equals(now.log());
        boolean start = changed.managed() && (moved || !config.managed());
        config = changed;
        if (moved) {
            executor.execute(() -> {
                synchronized (control) {
                    try {
                        if (supervisor.stop().isPresent()) {
                            LOG.info("Mosquitto of {} stopped: the broker folder is now {}", old.dir(), now.dir());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    paths = now;
                    supervisor = new Supervisor(clock, scheduler, now.dir(), now.log(), maxDelay(changed),
                            stopGrace);
                }
            });
        } else {
            supervisor.maxDelay(maxDelay(changed));
        }
        if (start) {
            executor.execute(this::startManaged);
        }
    }

    /** Stops the broker (SIGTERM, then SIGKILL) and the component's thread, bounded. */
    @Deactivate
    void deactivate() {
        try {
            synchronized (control) {
                supervisor.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            executor.shutdownNow();
            try {
                executor.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Starts Mosquitto with the configuration in the broker folder and keeps it running.
     *
     * @param force start despite CRITICAL lint findings (never despite a missing plugin, binary or a port in use)
     * @param approval asked once every check passed, before anything starts: empty to go on, or why not (the audit
     *     record of the start could not be made); nothing starts then
     * @return the process id
     * @throws BrokerRefusedException why it was not started, in one sentence; nothing was started
     */
    public long start(boolean force, Supplier<Optional<String>> approval) throws BrokerRefusedException {
        synchronized (control) {
            try {
                BrokerPaths p = paths;
                Optional<BrokerStatus> running = runningNow();
                if (running.isPresent()) {
                    BrokerStatus s = running.get();
                    throw new BrokerRefusedException(s.state() == BrokerStatus.State.LEFT_OVER
                            ? leftOverSentence(s)
                            : "The broker already runs (" + (s.pid().isPresent() ? "pid " + s.pid().getAsLong()
                                    : "restarting") + "): warden:broker-stop stops it.");
                }
                Preflight.Launch launch = preflight.check(p, force);
                Optional<String> no = approval.get();
                if (no.isPresent()) {
                    throw new BrokerRefusedException("Nothing was started: " + no.get() + ".");
                }
                try {
                    long pid = supervisor.start(launch).pid();
                    refusal = null;
                    return pid;
                } catch (IOException e) {
                    throw new BrokerRefusedException("Mosquitto could not be started (" + Printable.escape(
                            e.getMessage()) + "): check that " + Printable.escape(launch.mosquitto().toString())
                            + " runs.");
                }
            } catch (BrokerRefusedException e) {
                refusal = e.getMessage();
                throw e;
            }
        }
    }

    /**
     * Stops the managed broker (SIGTERM, SIGKILL after {@link Supervisor#STOP_GRACE}) or one an earlier gateway left
     * running from this folder, and cancels a pending restart.
     *
     * @param approval as for {@link #start}; asked only when there is something to stop
     * @return what was stopped; empty when nothing ran
     * @throws BrokerRefusedException when the approval said no; nothing was stopped
     */
    public Optional<Stopped> stop(Supplier<Optional<String>> approval) throws BrokerRefusedException,
            InterruptedException {
        synchronized (control) {
            Optional<ProcessHandle> leftOver = supervisor.active() ? Optional.empty()
                    : supervisor.pidFile().running();
            if (!supervisor.active() && leftOver.isEmpty()) {
                return Optional.empty();
            }
            Optional<String> no = approval.get();
            if (no.isPresent()) {
                throw new BrokerRefusedException("Nothing was stopped: " + no.get() + ".");
            }
            if (leftOver.isPresent()) {
                ProcessHandle h = leftOver.get();
                boolean killed = Supervisor.terminate(h, stopGrace);
                supervisor.pidFile().delete();
                LOG.info("Mosquitto left running by an earlier gateway (pid {}) stopped", h.pid());
                return Optional.of(new Stopped(h.pid(), true, killed));
            }
            return supervisor.stop();
        }
    }

    /** @return the broker's state now, with the configuration's lint summary */
    public BrokerStatus status() {
        String lint = preflight.lintSummary(paths.mosquittoConf());
        BrokerStatus s = supervisor.status(lint, Optional.ofNullable(refusal));
        if (s.state() == BrokerStatus.State.STOPPED) {
            Optional<ProcessHandle> leftOver = supervisor.pidFile().running();
            if (leftOver.isPresent()) {
                ProcessHandle h = leftOver.get();
                return new BrokerStatus(BrokerStatus.State.LEFT_OVER, OptionalLong.of(h.pid()),
                        h.info().startInstant(), 0, OptionalInt.empty(), Optional.empty(), List.of(), List.of(),
                        s.refusal(), lint);
            }
        }
        return s;
    }

    /** @return the broker folder's paths under the current configuration */
    public BrokerPaths paths() {
        return paths;
    }

    /** @return the sentence that refuses a start while a broker of an earlier gateway runs */
    static String leftOverSentence(BrokerStatus s) {
        return "A Mosquitto left running by an earlier gateway (pid " + s.pid().orElse(0) + ") still runs from"
                + " this broker folder and is not supervised: warden:broker-stop stops it, then warden:broker-start"
                + " starts a managed one.";
    }

    private Optional<BrokerStatus> runningNow() {
        if (supervisor.active()) {
            return Optional.of(supervisor.status("", Optional.empty()));
        }
        return supervisor.pidFile().running().map(h -> new BrokerStatus(BrokerStatus.State.LEFT_OVER,
                OptionalLong.of(h.pid()), h.info().startInstant(), 0, OptionalInt.empty(), Optional.empty(),
                List.of(), List.of(), Optional.empty(), ""));
    }

    /**
     * The start of a managed broker when the gateway starts (or {@code managed} is switched on): a gateway where no
     * broker is set up says so at INFO; any other refusal is a WARN, the broker staying stopped.
     */
    private void startManaged() {
        if (supervisor.active()) {
            return;
        }
        if (!Files.isRegularFile(paths.mosquittoConf())) {
            LOG.info("The managed broker is not started: there is no configuration at {} (warden:broker-init"
                    + " writes one)", paths.mosquittoConf());
            refusal = "There is no broker configuration at " + Printable.escape(paths.mosquittoConf().toString())
                    + ": run warden:broker-init to write one.";
            return;
        }
        try {
            start(false, Optional::empty);
        } catch (BrokerRefusedException e) {
            LOG.warn("The managed broker is not started: {}", e.getMessage());
        }
    }

    private static Duration maxDelay(BrokerConfig c) {
        return Duration.ofSeconds(Math.max(1, Math.min(3600, c.restart_backoff_max_seconds())));
    }
}
