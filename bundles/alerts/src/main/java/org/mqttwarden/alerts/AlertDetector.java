package org.mqttwarden.alerts;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.audit.AuditQuery;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.lockout.LockoutEvent;
import org.mqttwarden.api.lockout.LockoutListener;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.api.text.Printable;
import org.osgi.service.component.ComponentServiceObjects;
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
 * {@link EventSink}) and the locks of warden-lockout (as a {@link LockoutListener}, when it is installed), and
 * raises each alert, after rate limiting ({@link AlertLimiter}), three ways: an {@link EventType#ALERT}
 * {@link SecurityEvent} published through warden-auth's {@link EventPublisher} (the audit log keeps it), a WARN in the Karaf log, and, when
 * {@code alert.mqtt.enabled}, an MQTT message ({@link MqttOutput}).
 *
 * <p>Nothing here runs on the decision path: {@link #accept} and {@link #onLockoutEvent} hand the event to the
 * alert thread ({@link JudgeQueue}) and return a completed stage at once, and most reconnects of known devices
 * are not even handed over ({@link QuietLogins}); the alert thread judges, remembers the client ids seen per
 * account (database) and raises. Its own ALERT events reach this sink too and are ignored: alerts cannot
 * loop.
 *
 * <p>Without warden-lockout, every rule still works from the security events; only the brute-force alert of a
 * lock ({@code cause=account-locked}) is missing, the failure count raising {@code alert.brute-force} instead.
 *
 * <p>Configuration: PID {@value #PID}, applied live; an invalid one is refused with an ERROR and the settings in
 * force stay. The {@code alert.*} keys once in {@code org.mqttwarden.lockout} are still read from there where
 * {@value #PID} does not set them ({@link MovedAlertKeys} says so in a WARN). The metatype of {@value #PID} is
 * declared by {@link AlertsMetatype} (a component reading two PIDs cannot designate one). With the defaults
 * ({@code alert.mqtt.enabled=false}) it creates no account and connects nowhere.
 */
@Component(service = {EventSink.class, LockoutListener.class, MetricSource.class, AlertService.class},
        configurationPid = {MovedAlertKeys.LOCKOUT_PID, AlertDetector.PID})
public final class AlertDetector implements EventSink, LockoutListener, MetricSource, AlertService {

    /** The configuration PID of the alerts. */
    public static final String PID = "org.mqttwarden.alerts";

    @ObjectClassDefinition(name = "MQTT Warden alerts", description = "Attack alerts (brute force, password"
            + " spraying, credential stuffing, denied bursts, logins after failures, new clients) to the audit log,"
            + " the Karaf log and, optionally, MQTT. Keys set here win over the same keys left in"
            + " org.mqttwarden.lockout, where they were before.")
    public @interface Config {
        @AttributeDefinition(description = "Failed logins of one username in the window that raise"
                + " alert.brute-force (a lock raises it too). 0: only locks.")
        int alert_brute_failures() default 10;

        @AttributeDefinition(description = "Window of alert.brute.failures, in minutes.")
        int alert_brute_window_minutes() default 15;

        @AttributeDefinition(description = "Distinct usernames failing from one client id or address in the"
                + " window that raise alert.password-spraying. 0: off.")
        int alert_spray_usernames() default 5;

        @AttributeDefinition(description = "Window of alert.spray.usernames, in minutes.")
        int alert_spray_window_minutes() default 15;

        @AttributeDefinition(description = "Distinct usernames failing gateway-wide that, with enough distinct"
                + " sources, raise alert.credential-stuffing. 0: off.")
        int alert_stuffing_accounts() default 20;

        @AttributeDefinition(description = "Distinct sources (address when known, else client id) that, with"
                + " alert.stuffing.accounts usernames failing, raise alert.credential-stuffing. 0: off.")
        int alert_stuffing_sources() default 10;

        @AttributeDefinition(description = "Window of credential stuffing, in minutes.")
        int alert_stuffing_window_minutes() default 15;

        @AttributeDefinition(description = "Denied publishes and subscribes of one client id in the window that"
                + " raise alert.denied-burst. 0: off.")
        int alert_denied_count() default 10;

        @AttributeDefinition(description = "Window of alert.denied.count, in seconds.")
        int alert_denied_window_seconds() default 60;

        @AttributeDefinition(description = "Whether denied reads (deliveries) count towards alert.denied-burst.")
        boolean alert_denied_read() default false;

        @AttributeDefinition(description = "Protected messages rejected by warden-crypto's message verifier"
                + " (tampered, replayed, stale, under an unknown key, malformed) gateway-wide in the window that"
                + " raise alert.message-burst. 0: off.")
        int alert_message_count() default 5;

        @AttributeDefinition(description = "Window of alert.message.count, in seconds.")
        int alert_message_window_seconds() default 60;

        @AttributeDefinition(description = "Failed logins in the window after which a successful login raises"
                + " alert.login-after-failures. 0: off.")
        int alert_login_failures() default 3;

        @AttributeDefinition(description = "Window of alert.login.failures, in minutes.")
        int alert_login_window_minutes() default 15;

        @AttributeDefinition(description = "Raise alert.new-client for a login from a client id or address not"
                + " seen before for the account (not on its first login).")
        boolean alert_new_client() default true;

        @AttributeDefinition(description = "Client ids (and, apart, addresses) remembered per account for"
                + " alert.new-client; the least recently used are forgotten first.")
        int alert_seen_per_account() default 16;

        @AttributeDefinition(description = "At most one alert per type and subject in this many minutes.")
        int alert_cooldown_minutes() default 5;

        @AttributeDefinition(description = "At most this many alerts per minute; the rest become one"
                + " alert.suppressed.")
        int alert_max_per_minute() default 60;

        @AttributeDefinition(description = "Usernames, sources and client ids tracked at most by each"
                + " detector (memory bound; least recently active forgotten first).")
        int alert_max_tracked() default 10_000;

        @AttributeDefinition(description = "Alerts kept in memory for warden:alert-list when no audit log is"
                + " installed.")
        int alert_recent_max() default 500;

        @AttributeDefinition(description = "Whether to publish each alert as an MQTT 5 message (QoS 1, user"
                + " properties type and severity) to <alert.mqtt.topic>/<type>.")
        boolean alert_mqtt_enabled() default false;

        @AttributeDefinition(description = "The broker to publish alerts to (tcp:// or ssl://).")
        String alert_mqtt_url() default "tcp://127.0.0.1:1883";

        @AttributeDefinition(description = "Topic prefix of the alert messages.")
        String alert_mqtt_topic() default "warden/alerts";

        @AttributeDefinition(description = "The MQTT username the alerts are published as.")
        String alert_mqtt_username() default "warden-alerts";

        @AttributeDefinition(description = "The MQTT client id the alerts are published with.")
        String alert_mqtt_client_id() default "warden-alerts";

        @AttributeDefinition(description = "The service account's credentials file (0600); empty:"
                + " ${karaf.etc}/warden-alerts.credentials.")
        String alert_mqtt_credentials_file() default "";

        @AttributeDefinition(description = "For ssl:// URLs: PEM file of the CA to trust; empty: the JVM's.")
        String alert_mqtt_ca_file() default "";

        @AttributeDefinition(description = "Whether to create the service account (role warden-alerts, write on"
                + " <topic>/#) when the broker authenticates through this Warden.")
        boolean alert_mqtt_provision() default true;

        @AttributeDefinition(description = "Alerts waiting to be published at most; beyond, and while the"
                + " broker is unreachable, alerts are dropped (counted in warden_alerts_mqtt_failed_total; the audit"
                + " and the Karaf log keep every alert).")
        int alert_mqtt_queue() default 1000;

        @AttributeDefinition(description = "MQTT 5 message expiry of alert messages, in seconds.")
        long alert_mqtt_expiry_seconds() default 3600;

        @AttributeDefinition(description = "How often the audit chain's head (its newest row's id and keyed hash)"
                + " is published to <alert.mqtt.topic>/audit-anchor when alerts go to MQTT and warden-audit is"
                + " installed, in minutes (only when it moved): a copy outside the gateway for audit-verify"
                + " --anchor. 0: never.", min = "0", max = "1440")
        int alert_mqtt_anchor_minutes() default 10;
    }

    private static final Logger LOG = LoggerFactory.getLogger(AlertDetector.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Clock clock;
    private final AlertRules rules;
    private final AlertLimiter limiter;
    private final JudgeQueue queue = new JudgeQueue();
    private final QuietLogins quiet;
    private final RecentAlerts recent = new RecentAlerts();
    private final MqttOutput mqtt;
    private final AtomicReference<ComponentServiceObjects<EventPublisher>> events = new AtomicReference<>();
    private final Map<String, LongAdder> raised = new ConcurrentHashMap<>();
    private final LongAdder unjudgedLogins = new LongAdder();
    private volatile AlertSettings settings;

    /**
     * @param database where the client ids seen per account are remembered; {@code null}: no new-client alerts
     * @param accounts the account service, taken as service objects and fetched only when the publisher
     *     provisions its account: the account service binds every event sink, this detector included, so
     *     fetching it while this component activates would be a cycle (Felix SCR logs it as an ERROR)
     */
    @Activate
    public AlertDetector(@Reference WardenDatabase database,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            ComponentServiceObjects<AccountService> accounts, Config config) {
        this(new SeenClientStore(database),
                accounts == null ? () -> null : accounts::getService, config, Clock.systemUTC());
    }

    AlertDetector(SeenClients seen, Supplier<AccountService> accounts, Config config, Clock clock) {
        this.clock = clock;
        AlertSettings s = AlertSettings.of(config);
        List<String> problems = s.problems();
        if (!problems.isEmpty()) {
            LOG.error("Alert configuration refused, the defaults apply instead: {}", String.join("; ", problems));
            s = AlertSettings.DEFAULTS;
        }
        this.settings = s;
        this.rules = new AlertRules(s, seen);
        this.limiter = new AlertLimiter(s);
        this.quiet = new QuietLogins(s.maxTracked());
        this.mqtt = new MqttOutput(clock, accounts);
        mqtt.configure(config);
        queue.every(this::tick, 10, 10);
        queue.every(this::anchor, 15, 60);
        LOG.info("Alerts active: {}; MQTT {}", describe(s), mqtt.describe());
    }

    /** Applies new thresholds at once (keeping the windows), and restarts the publisher when its settings changed. */
    @Modified
    void modified(Config config) {
        AlertSettings s = AlertSettings.of(config);
        List<String> problems = s.problems();
        if (problems.isEmpty()) {
            settings = s;
            rules.settings(s);
            quiet.reset(s.maxTracked());
            LOG.info("Alert settings updated: {}", describe(s));
        } else {
            LOG.error("Alert configuration refused, the settings in force stay: {}", String.join("; ", problems));
        }
        if (mqtt.configure(config)) {
            LOG.info("Alert MQTT publishing {}", mqtt.describe());
        }
    }

    @Deactivate
    public void close() {
        queue.close();
        mqtt.close();
    }

    private static String describe(AlertSettings s) {
        return "brute force " + s.bruteFailures() + "/" + s.bruteWindowMinutes() + " min, spraying "
                + s.sprayUsernames() + " usernames/" + s.sprayWindowMinutes() + " min, stuffing "
                + s.stuffingAccounts() + " usernames from " + s.stuffingSources() + " sources/"
                + s.stuffingWindowMinutes() + " min, denied " + s.deniedCount() + "/" + s.deniedWindowSeconds()
                + " s, login after " + s.loginFailures() + " failures, new client " + (s.newClient() ? "on" : "off")
                + "; cooldown " + s.cooldownMinutes() + " min, at most " + s.maxPerMinute() + "/min";
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAudit(AuditQuery query) {
        mqtt.audit(query);
    }

    void unbindAudit(AuditQuery query) {
        mqtt.unbindAudit(query);
    }

    /** The anchor timer's task (on the alert thread): see {@link MqttOutput#anchor()}. */
    void anchor() {
        try {
            mqtt.anchor();
        } catch (RuntimeException e) {
            queue.error();
            LOG.debug("Audit anchor not published: {}", e.toString());
        }
    }

    /**
     * warden-auth's one {@link EventPublisher}, through which alerts reach every event sink (the audit log
     * among them). Taken as service objects and fetched only when an alert is raised: the publisher binds every
     * sink, this detector among them, so fetching the publisher while this component activates would be a
     * service cycle (Felix SCR fails a component of the cycle with an ERROR). Optional, so that detection goes on
     * without it; greedy, so a replacement binds.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void setEvents(ComponentServiceObjects<EventPublisher> publisher) {
        events.set(publisher);
    }

    public void unsetEvents(ComponentServiceObjects<EventPublisher> publisher) {
        // a greedy replacement binds the new publisher before it unbinds the old one
        events.compareAndSet(publisher, null);
    }

    // ---- input, never blocking

    /**
     * @return a completed stage, at once. Failed logins, ACL denials and account changes are queued for
     *     judging; successful logins too, unless {@linkplain QuietLogins#quiet no rule can fire} on one.
     */
    @Override
    public CompletionStage<Void> accept(SecurityEvent event) {
        EventType t = event.type();
        Outcome o = event.outcome();
        String user = event.username();
        if (t == EventType.AUTH && o == Outcome.ALLOW && user != null) {
            if (quiet.quiet(event)) {
                unjudgedLogins.increment();
                return DONE;
            }
            long seq = quiet.next();
            queue.submit(() -> {
                raise(rules.onEvent(event));
                quiet.judged(event, seq);
            });
        } else if (t == EventType.AUTH || (t == EventType.ACL && o == Outcome.DENY)
                || (t == EventType.ADMIN_CHANGE && o == Outcome.ALLOW)
                || (t == EventType.MESSAGE && o == Outcome.DENY)) {
            // an ACL allow (most of the traffic) never crosses to the alert thread
            if (user != null && (t == EventType.AUTH || t == EventType.ADMIN_CHANGE)) {
                quiet.unsettle(user);
            }
            queue.submit(() -> raise(rules.onEvent(event)));
        }
        return DONE;
    }

    /** Hands a lock by warden-lockout to the alert thread; returns at once. */
    @Override
    public void onLockoutEvent(LockoutEvent event) {
        if (event.kind() == LockoutEvent.Kind.ACCOUNT_LOCKED) {
            queue.submit(() -> raise(rules.onLockout(event)));
        }
    }

    private void tick() {
        try {
            raise(limiter.flush(clock.millis()));
        } catch (RuntimeException e) {
            LOG.warn("Alert summary failed: {}", e.toString());
        }
    }

    // ---- output (on the alert thread)

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
        recent.add(a, settings.recentMax());
        ComponentServiceObjects<EventPublisher> objects = events.get();
        EventPublisher publisher = objects == null ? null : objects.getService();
        if (publisher != null) {
            try {
                // raised on the alert thread from decisions already recorded: nothing waits for its confirmation
                publisher.offer(a.toEvent());
            } finally {
                objects.ungetService(publisher);
            }
        }
        mqtt.offer(a);
    }

    // ---- AlertService

    @Override
    public List<Alert> recent(Instant since, int limit) {
        return recent.since(since, limit);
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
        m.put("events_dropped", queue.dropped());
        m.put("logins_unjudged", unjudgedLogins.sum());
        m.put("errors", queue.errors());
        m.put("mqtt_published", mqtt.published());
        m.put("mqtt_failed", mqtt.failed());
        m.put("evictions", rules.evictions());
        return m;
    }

    /**
     * @return {@code queue_depth} (events handed to the alert thread and not yet judged to the end: 0 when every
     *     event accepted so far has been judged and its alerts raised), {@code tracked_keys}
     */
    @Override
    public Map<String, Long> gauges() {
        return Map.of("queue_depth", (long) queue.depth(), "tracked_keys", rules.tracked());
    }
}
