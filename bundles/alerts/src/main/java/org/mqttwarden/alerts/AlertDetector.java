package org.mqttwarden.lockout.alert;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Supplier;
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
import org.mqttwarden.api.audit.AuditQuery;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.lockout.LockoutEvent;
import org.mqttwarden.lockout.LockoutGuard;
import org.mqttwarden.lockout.LockoutListener;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
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
 * <p>Configuration: keys {@code alert.*} of the PID {@code org.mqttwarden.lockout}, declared (metatype and
 * defaults) with the lockout keys in {@link LockoutGuard.Config}, applied live. An invalid one is refused with an
 * ERROR and the settings in force stay. With the defaults ({@code alert.mqtt.enabled=false}) it creates no account and
 * connects nowhere.
 */
@Component(service = {EventSink.class, LockoutListener.class, MetricSource.class, AlertService.class},
        configurationPid = "org.mqttwarden.lockout", property = AlertDetector.INTERNAL + "=true")
public final class AlertDetector implements EventSink, LockoutListener, MetricSource, AlertService {

    /** The service property of warden-lockout's own sinks (see {@code AccountChanges}). */
    static final String INTERNAL = "warden.lockout.internal";

    private static final Logger LOG = LoggerFactory.getLogger(AlertDetector.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final int MAX_PENDING = 8192;
    static final long BATCH_DELAY_MS = 20;
    /** How long a judged login lets later identical logins of its user go unjudged. */
    static final long QUIET_MAX_MS = 10 * 60_000L;

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
    private final LongAdder unjudgedLogins = new LongAdder();
    /** Numbers the events that matter to {@link #quiet}, in the order they were accepted. */
    private final AtomicLong sequence = new AtomicLong();
    /** Username to the number of its latest failed login or account change. */
    private final ConcurrentHashMap<String, Long> unsettled = new ConcurrentHashMap<>();
    /** Username to its latest judged successful login. */
    private final ConcurrentHashMap<String, Quiet> judgedLogins = new ConcurrentHashMap<>();
    /** Judged logins numbered below it are void (after the marks overflowed or the settings changed). */
    private volatile long quietFloor;
    private final LongAdder errors = new LongAdder();
    private final AtomicLong mqttFailed = new AtomicLong();
    /** Asked only when the publisher provisions its account, never while components activate. */
    private final Supplier<AccountService> accounts;
    private volatile AlertSettings settings;
    private volatile AlertPublisher publisher;
    private long publishedBefore;
    /** The audit log, when installed: its chain head is published as an anchor with the alerts. */
    private volatile AuditQuery audit;
    private volatile long anchorMillis;
    /** Worker thread only. */
    private long lastAnchorAt = Long.MIN_VALUE;
    private AuditQuery.ChainHead lastAnchor;

    /**
     * @param accounts the account service, taken as service objects and fetched only when the publisher
     *     provisions its account: the account service binds every event sink, this detector included, so
     *     fetching it while this component activates would be a cycle (Felix SCR logs it as an ERROR)
     */
    @Activate
    public AlertDetector(@Reference WardenDatabase database,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            ComponentServiceObjects<AccountService> accounts, LockoutGuard.Config config) {
        this(new SeenClientStore(database), accounts == null ? () -> null : accounts::getService, config,
                Clock.systemUTC());
    }

    AlertDetector(SeenClients seen, Supplier<AccountService> accounts, LockoutGuard.Config config, Clock clock) {
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
        this.anchorMillis = config.alert_mqtt_anchor_minutes() * 60_000L;
        worker.scheduleWithFixedDelay(this::anchor, 15, 60, TimeUnit.SECONDS);
        this.publisher = publisherFor(config);
        LOG.info("Alerts active: {}; MQTT {}", describe(s), publisher == null ? "off"
                : "to " + publisher.settings().url() + " " + publisher.settings().topic() + "/<type>");
    }

    /** Applies new thresholds at once (keeping the windows), and restarts the publisher when its settings changed. */
    @Modified
    void modified(LockoutGuard.Config config) {
        AlertSettings s = AlertSettings.of(config);
        List<String> problems = s.problems();
        if (problems.isEmpty()) {
            settings = s;
            rules.settings(s);
            quietFloor = sequence.incrementAndGet() + 1;
            judgedLogins.clear();
            LOG.info("Alert settings updated: {}", describe(s));
        } else {
            LOG.error("Alert configuration refused, the settings in force stay: {}", String.join("; ", problems));
        }
        anchorMillis = config.alert_mqtt_anchor_minutes() * 60_000L;
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

    private AlertPublisher publisherFor(LockoutGuard.Config c) {
        AlertPublisher.Settings s = publisherSettings(c);
        return s == null ? null : new AlertPublisher(s, c.alert_mqtt_provision() ? accounts : null, mqttFailed);
    }

    static AlertPublisher.Settings publisherSettings(LockoutGuard.Config c) {
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

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAudit(AuditQuery query) {
        audit = query;
    }

    void unbindAudit(AuditQuery query) {
        if (audit == query) {
            audit = null;
        }
    }

    /**
     * Publishes the audit chain's head (id and keyed hash) to {@code <topic>/audit-anchor} every
     * {@code alert.mqtt.anchor.minutes} when it moved: a copy the audit file's writer cannot reach, for
     * {@code audit-verify --anchor}. Runs on the worker; needs the MQTT publisher and warden-audit.
     */
    void anchor() {
        AlertPublisher p = publisher;
        AuditQuery a = audit;
        long every = anchorMillis;
        long now = clock.millis();
        if (p == null || a == null || every <= 0 || (lastAnchorAt != Long.MIN_VALUE && now - lastAnchorAt < every)) {
            return;
        }
        try {
            AuditQuery.ChainHead head = a.chainHead().orElse(null);
            lastAnchorAt = now;
            if (head != null && !head.equals(lastAnchor)) {
                p.offer(new Alert(Instant.ofEpochMilli(now), ANCHOR, Severity.INFO, Outcome.ALLOW, "audit", null,
                        null, null, Map.of("id", Long.toString(head.id()), "hash", head.hash())));
                lastAnchor = head;
            }
        } catch (RuntimeException e) {
            errors.increment();
            LOG.debug("Audit anchor not published: {}", e.toString());
        }
    }

    /** The type of the message carrying the audit chain's head: topic {@code <alert.mqtt.topic>/audit-anchor}. */
    static final String ANCHOR = "audit-anchor";

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

    /**
     * @return a completed stage, at once. Failed logins, ACL denials and account changes are queued for
     *     judging; successful logins too, unless {@linkplain #quiet(SecurityEvent) no rule can fire} on one.
     */
    @Override
    public CompletionStage<Void> accept(SecurityEvent event) {
        EventType t = event.type();
        Outcome o = event.outcome();
        String user = event.username();
        if (t == EventType.AUTH && o == Outcome.ALLOW && user != null) {
            if (quiet(event)) {
                unjudgedLogins.increment();
                return DONE;
            }
            long seq = sequence.incrementAndGet();
            submit(() -> {
                raise(rules.onEvent(event));
                judged(event, seq);
            });
        } else if (t == EventType.AUTH || (t == EventType.ACL && o == Outcome.DENY)
                || (t == EventType.ADMIN_CHANGE && o == Outcome.ALLOW)) {
            // an ACL allow (most of the traffic) never crosses to the alert thread
            if (user != null && (t == EventType.AUTH || t == EventType.ADMIN_CHANGE)) {
                unsettle(user);
            }
            submit(() -> raise(rules.onEvent(event)));
        }
        return DONE;
    }

    /**
     * Whether a successful login can be left unjudged: the same user's previous login, from the same client
     * id and address, was judged (after every failure of the user so far and every change of its account), and
     * nothing of the user happened since. Then no rule can fire: no failures to follow
     * ({@code alert.login-after-failures}), the client id and address are remembered
     * ({@code alert.new-client}). Spares a busy gateway the hand-off of every reconnect of a known device. A
     * login judged longer than {@value #QUIET_MAX_MS} ms ago is judged again (refreshing when its client was
     * last seen).
     */
    private boolean quiet(SecurityEvent e) {
        // read before the floor: a mark cleared by an overflow is seen together with the floor raised before it
        Long u = unsettled.get(e.username());
        Quiet q = judgedLogins.get(e.username());
        if (q == null || q.seq() < quietFloor || (u != null && u >= q.seq())
                || !Objects.equals(q.clientId(), e.clientId()) || !Objects.equals(q.address(), e.address())) {
            return false;
        }
        long now = e.time().toEpochMilli();
        return now >= q.at() && now - q.at() <= QUIET_MAX_MS;
    }

    /** Marks that {@code user}'s next login must be judged: a failure or an account change came in. */
    private void unsettle(String user) {
        long seq = sequence.incrementAndGet();
        unsettled.put(user, seq);
        if (unsettled.size() > settings.maxTracked()) {
            // bounded: everything judged before now is void, then the marks can go
            quietFloor = seq + 1;
            judgedLogins.clear();
            unsettled.clear();
        }
    }

    /** On the alert thread, after a successful login (event number {@code seq}) was judged. */
    private void judged(SecurityEvent e, long seq) {
        String user = e.username();
        unsettled.computeIfPresent(user, (k, v) -> v < seq ? null : v);
        judgedLogins.put(user, new Quiet(e.clientId(), e.address(), seq, e.time().toEpochMilli()));
        if (judgedLogins.size() > settings.maxTracked()) {
            judgedLogins.clear();
        }
    }

    /** A login judged without alert state left behind. */
    private record Quiet(String clientId, String address, long seq, long at) {
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
        LOG.warn("Security alert {} ({}) on {}: {}", a.type(), a.severity().label(), Printable.escape(a.subject()),
                Printable.escape(a.detail().toString()));
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
     *     (held back by the rate limits), {@code events_dropped} (queue full), {@code logins_unjudged} (successful
     *     logins no rule could fire on, not handed to the alert thread), {@code errors},
     *     {@code mqtt_published}, {@code mqtt_failed}, {@code evictions}
     */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        raised.forEach((type, n) -> m.put("raised_" + type.replace("alert.", "").replace('-', '_'), n.sum()));
        m.put("suppressed", limiter.suppressed());
        m.put("events_dropped", dropped.sum());
        m.put("logins_unjudged", unjudgedLogins.sum());
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
