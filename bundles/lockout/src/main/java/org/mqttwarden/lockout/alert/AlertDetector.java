package org.mqttwarden.lockout.alert;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.lockout.LockoutEvent;
import org.mqttwarden.lockout.LockoutListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects attack patterns ({@link AlertRules}) in the security events of the decision engine (as an
 * {@link EventSink}) and the locks of the lockout rules (as a {@link LockoutListener}), and raises each alert,
 * after rate limiting ({@link AlertLimiter}), three ways: an {@link EventType#ALERT} {@link SecurityEvent} to
 * every other sink (the audit log keeps it), a WARN in the Karaf log, and, when {@code alert.mqtt.enabled}, an
 * MQTT message ({@link AlertPublisher}).
 *
 * <p>Nothing here runs on the decision path: {@link #accept} and {@link #onLockoutEvent} hand the event to a
 * bounded queue and return a completed stage at once; one thread ({@code warden-alerts}) judges, remembers the
 * client ids seen per account (database) and raises. A full queue drops the event and counts it
 * ({@code events_dropped}). The sink is registered with {@code warden.lockout.internal=true}, so neither
 * {@code LockoutGuard} nor this component publishes to it: alerts cannot loop.
 *
 * <p>Configuration: keys {@code alert.*} of the PID {@code org.mqttwarden.lockout}, shared with
 * {@code LockoutGuard} (which owns the metatype of that PID: this component's keys are documented in the
 * feature's default configuration and the README), applied live. An invalid one is refused with an ERROR and
 * the settings in force stay. With the defaults ({@code alert.mqtt.enabled=false}) it creates no account and
 * connects nowhere.
 */
@Component(service = {EventSink.class, LockoutListener.class, MetricSource.class, AlertService.class},
        configurationPid = "org.mqttwarden.lockout", property = AlertDetector.INTERNAL + "=true")
public final class AlertDetector implements EventSink, LockoutListener, MetricSource, AlertService {

    /** The service property of warden-lockout's own sinks (see {@code AccountChanges}). */
    static final String INTERNAL = "warden.lockout.internal";

    @ObjectClassDefinition(name = "MQTT Warden alerts", description = "Attack detection of warden-lockout.")
    public @interface Config {
        @AttributeDefinition(description = "Failed logins of one username in the window that raise"
                + " alert.brute-force (a lock raises it too). 0: only locks.")
        int alert_brute_failures() default 10;

        int alert_brute_window_minutes() default 15;

        @AttributeDefinition(description = "Distinct usernames failing from one client id or address in the"
                + " window that raise alert.password-spraying. 0: off.")
        int alert_spray_usernames() default 5;

        int alert_spray_window_minutes() default 15;

        @AttributeDefinition(description = "Distinct usernames failing gateway-wide that, with enough distinct"
                + " sources, raise alert.credential-stuffing. 0: off.")
        int alert_stuffing_accounts() default 20;

        int alert_stuffing_sources() default 10;

        int alert_stuffing_window_minutes() default 15;

        @AttributeDefinition(description = "Denied publishes and subscribes of one client id in the window that"
                + " raise alert.denied-burst. 0: off.")
        int alert_denied_count() default 10;

        int alert_denied_window_seconds() default 60;

        @AttributeDefinition(description = "Whether denied reads (deliveries) count towards alert.denied-burst.")
        boolean alert_denied_read() default false;

        @AttributeDefinition(description = "Failed logins in the window after which a successful login raises"
                + " alert.login-after-failures. 0: off.")
        int alert_login_failures() default 3;

        int alert_login_window_minutes() default 15;

        @AttributeDefinition(description = "Raise alert.new-client for a login from a client id or address not"
                + " seen before for the account (not on its first login).")
        boolean alert_new_client() default true;

        int alert_seen_per_account() default 16;

        @AttributeDefinition(description = "At most one alert per type and subject in this many minutes.")
        int alert_cooldown_minutes() default 5;

        @AttributeDefinition(description = "At most this many alerts per minute; the rest become one"
                + " alert.suppressed.")
        int alert_max_per_minute() default 60;

        int alert_max_tracked() default 10_000;

        int alert_recent_max() default 500;

        boolean alert_mqtt_enabled() default false;

        String alert_mqtt_url() default "tcp://127.0.0.1:1883";

        String alert_mqtt_topic() default "warden/alerts";

        String alert_mqtt_username() default "warden-alerts";

        String alert_mqtt_client_id() default "warden-alerts";

        @AttributeDefinition(description = "The service account's credentials file (0600); empty:"
                + " ${karaf.etc}/warden-alerts.credentials.")
        String alert_mqtt_credentials_file() default "";

        @AttributeDefinition(description = "For ssl:// URLs: PEM file of the CA to trust; empty: the JVM's.")
        String alert_mqtt_ca_file() default "";

        @AttributeDefinition(description = "Whether to create the service account (role warden-alerts, write on"
                + " <topic>/#) when the broker authenticates through this Warden.")
        boolean alert_mqtt_provision() default true;

        int alert_mqtt_queue() default 1000;

        long alert_mqtt_expiry_seconds() default 3600;
    }

    private static final Logger LOG = LoggerFactory.getLogger(AlertDetector.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final int MAX_PENDING = 8192;
    static final long BATCH_DELAY_MS = 20;

    private final Clock clock;
    private final AlertRules rules;
    private final AlertLimiter limiter;
    private final ScheduledThreadPoolExecutor worker;
    private final AtomicInteger pending = new AtomicInteger();
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> inbox =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean batchScheduled =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final List<EventSink> sinks = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Alert> recent = new ArrayDeque<>();
    private final Map<String, LongAdder> raised = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicLong mqttFailed = new AtomicLong();
    private final AccountService accounts;
    private volatile AlertSettings settings;
    private volatile AlertPublisher publisher;
    private long publishedBefore;

    @Activate
    public AlertDetector(@Reference WardenDatabase database,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            AccountService accounts, Config config) {
        this(new SeenClientStore(database), accounts, config, Clock.systemUTC());
    }

    AlertDetector(SeenClients seen, AccountService accounts, Config config, Clock clock) {
        this.clock = clock;
        this.accounts = accounts;
        AlertSettings s = AlertSettings.of(config);
        List<String> problems = s.problems();
        if (!problems.isEmpty()) {
            LOG.error("Alert configuration refused, the defaults apply instead: {}", String.join("; ", problems));
            s = AlertSettings.DEFAULTS;
        }
        this.settings = s;
        this.rules = new AlertRules(s, seen);
        this.limiter = new AlertLimiter(s);
        this.worker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "warden-alerts");
            t.setDaemon(true);
            return t;
        });
        worker.scheduleWithFixedDelay(this::tick, 10, 10, TimeUnit.SECONDS);
        this.publisher = publisherFor(config);
        LOG.info("Alerts active: {}; MQTT {}", describe(s), publisher == null ? "off"
                : "to " + publisher.settings().url() + " " + publisher.settings().topic() + "/<type>");
    }

    /** Applies new thresholds at once (keeping the windows), and restarts the publisher when its settings changed. */
    @Modified
    void modified(Config config) {
        AlertSettings s = AlertSettings.of(config);
        List<String> problems = s.problems();
        if (problems.isEmpty()) {
            settings = s;
            rules.settings(s);
            LOG.info("Alert settings updated: {}", describe(s));
        } else {
            LOG.error("Alert configuration refused, the settings in force stay: {}", String.join("; ", problems));
        }
        AlertPublisher.Settings next = publisherSettings(config);
        AlertPublisher current = publisher;
        if (!Objects.equals(next, current == null ? null : current.settings())) {
            publisher = null;
            if (current != null) {
                publishedBefore += current.published();
                current.close();
            }
            publisher = publisherFor(config);
            LOG.info("Alert MQTT publishing {}", publisher == null ? "off" : "to " + next.url());
        }
    }

    @Deactivate
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        AlertPublisher p = publisher;
        publisher = null;
        if (p != null) {
            p.close();
        }
    }

    private static String describe(AlertSettings s) {
        return "brute force " + s.bruteFailures() + "/" + s.bruteWindowMinutes() + " min, spraying "
                + s.sprayUsernames() + " usernames/" + s.sprayWindowMinutes() + " min, stuffing "
                + s.stuffingAccounts() + " usernames from " + s.stuffingSources() + " sources/"
                + s.stuffingWindowMinutes() + " min, denied " + s.deniedCount() + "/" + s.deniedWindowSeconds()
                + " s, login after " + s.loginFailures() + " failures, new client " + (s.newClient() ? "on" : "off")
                + "; cooldown " + s.cooldownMinutes() + " min, at most " + s.maxPerMinute() + "/min";
    }

    private AlertPublisher publisherFor(Config c) {
        AlertPublisher.Settings s = publisherSettings(c);
        return s == null ? null : new AlertPublisher(s, c.alert_mqtt_provision() ? accounts : null, mqttFailed);
    }

    static AlertPublisher.Settings publisherSettings(Config c) {
        if (!c.alert_mqtt_enabled()) {
            return null;
        }
        String file = c.alert_mqtt_credentials_file();
        Path credentials = file == null || file.isBlank()
                ? Paths.get(System.getProperty("karaf.etc", "etc"), "warden-alerts.credentials") : Paths.get(file);
        String topic = c.alert_mqtt_topic().endsWith("/") ? c.alert_mqtt_topic().substring(0,
                c.alert_mqtt_topic().length() - 1) : c.alert_mqtt_topic();
        return new AlertPublisher.Settings(c.alert_mqtt_url(), topic, c.alert_mqtt_username(),
                c.alert_mqtt_client_id(), credentials, c.alert_mqtt_ca_file() == null ? "" : c.alert_mqtt_ca_file(),
                c.alert_mqtt_queue(), c.alert_mqtt_expiry_seconds());
    }

    /** Every sink but warden-lockout's own (this one, AccountChanges): the audit log among them. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(!(" + INTERNAL + "=true))")
    void addSink(EventSink sink) {
        sinks.add(sink);
    }

    void removeSink(EventSink sink) {
        sinks.remove(sink);
    }

    // ---- input, never blocking

    /** @return a completed stage, at once; AUTH, ACL and account changes are queued for judging */
    @Override
    public CompletionStage<Void> accept(SecurityEvent event) {
        EventType t = event.type();
        // only what a rule looks at crosses to the alert thread: an ACL allow (most of the traffic) never does
        boolean wanted = t == EventType.AUTH || (t == EventType.ACL && event.outcome() == Outcome.DENY)
                || (t == EventType.ADMIN_CHANGE && event.outcome() == Outcome.ALLOW);
        if (wanted) {
            submit(() -> raise(rules.onEvent(event)));
        }
        return DONE;
    }

    @Override
    public void onLockoutEvent(LockoutEvent event) {
        if (event.kind() == LockoutEvent.Kind.ACCOUNT_LOCKED) {
            submit(() -> raise(rules.onLockout(event)));
        }
    }

    /**
     * Queues {@code task} for the alert thread. Tasks are run in batches at most every
     * {@value #BATCH_DELAY_MS} ms: a busy gateway wakes the thread a few dozen times a second, not
     * once per login (a context switch a login would pay on a small gateway).
     */
    private void submit(Runnable task) {
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            dropped.increment();
            return;
        }
        inbox.add(task);
        if (batchScheduled.compareAndSet(false, true)) {
            try {
                worker.schedule(this::runBatch, BATCH_DELAY_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                batchScheduled.set(false);
                int lost = 0;
                while (inbox.poll() != null) {
                    lost++;
                }
                pending.addAndGet(-lost);
                dropped.add(lost);
            }
        }
    }

    /** On the alert thread: runs every queued task, in order. */
    private void runBatch() {
        // cleared first: a task queued from now on schedules the next batch
        batchScheduled.set(false);
        Runnable task;
        while ((task = inbox.poll()) != null) {
            pending.decrementAndGet();
            try {
                task.run();
            } catch (RuntimeException e) {
                errors.increment();
                LOG.warn("Alert detection failed: {}", e.toString());
            }
        }
    }

    private void tick() {
        try {
            raise(limiter.flush(clock.millis()));
        } catch (RuntimeException e) {
            LOG.warn("Alert summary failed: {}", e.toString());
        }
    }

    // ---- output (on the worker thread)

    private void raise(List<Alert> candidates) {
        for (Alert c : candidates) {
            for (Alert a : limiter.admit(c, settings)) {
                emit(a);
            }
        }
    }

    private void emit(Alert a) {
        raised.computeIfAbsent(a.type(), k -> new LongAdder()).increment();
        LOG.warn("Security alert {} ({}) on {}: {}", a.type(), a.severity().label(), a.subject(), a.detail());
        synchronized (recent) {
            recent.addLast(a);
            while (recent.size() > settings.recentMax()) {
                recent.removeFirst();
            }
        }
        SecurityEvent event = a.toEvent();
        for (EventSink sink : sinks) {
            try {
                sink.accept(event).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        LOG.warn("Event sink {} did not record {}: {}", sink.getClass().getName(), a.type(),
                                failure.toString());
                    }
                });
            } catch (RuntimeException ex) {
                LOG.warn("Event sink {} failed on {}: {}", sink.getClass().getName(), a.type(), ex.toString());
            }
        }
        AlertPublisher p = publisher;
        if (p != null) {
            p.offer(a);
        }
    }

    /** Waits until every event queued so far has been judged (tests). */
    public void drain() throws Exception {
        worker.submit(this::runBatch).get(10, TimeUnit.SECONDS);
    }

    // ---- AlertService

    @Override
    public List<Alert> recent(Instant since, int limit) {
        List<Alert> out = new ArrayList<>();
        synchronized (recent) {
            for (Alert a : recent) {
                if (since == null || !a.time().isBefore(since)) {
                    out.add(a);
                }
            }
        }
        return out.subList(Math.max(0, out.size() - Math.max(0, limit)), out.size());
    }

    // ---- /metrics

    /** @return {@code alerts}: on {@code /metrics}, {@code warden_alerts_<name>[_total]} */
    @Override
    public String name() {
        return "alerts";
    }

    /**
     * @return {@code raised_<type>} per alert type raised (e.g. {@code raised_brute_force}), {@code suppressed}
     *     (held back by the rate limits), {@code events_dropped} (queue full), {@code errors},
     *     {@code mqtt_published}, {@code mqtt_failed}, {@code evictions}
     */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        raised.forEach((type, n) -> m.put("raised_" + type.replace("alert.", "").replace('-', '_'), n.sum()));
        m.put("suppressed", limiter.suppressed());
        m.put("events_dropped", dropped.sum());
        m.put("errors", errors.sum());
        AlertPublisher p = publisher;
        m.put("mqtt_published", publishedBefore + (p == null ? 0 : p.published()));
        m.put("mqtt_failed", mqttFailed.get());
        m.put("evictions", rules.evictions());
        return m;
    }

    /** @return {@code queue_depth}, {@code tracked_keys} */
    @Override
    public Map<String, Long> gauges() {
        return Map.of("queue_depth", (long) pending.get(), "tracked_keys", rules.tracked());
    }
}
