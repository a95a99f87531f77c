package org.mqttwarden.lockout;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.WardenDatabase;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LoginGuard} of warden-lockout: account lockout by origin, per-source throttling and the login
 * budget of untrusted origins (see {@link Lockouts} for the rules), its state in the Warden database, its
 * configuration applied live.
 *
 * <p>A denial is, on the wire, exactly a wrong password (the decision engine sees to that); its reason
 * goes to the audit log: {@code lockout.locked}, {@code lockout.throttled}, {@code lockout.source-throttled}
 * or {@value #BUSY}. Locks and clears become {@link EventType#LOCKOUT} events for every
 * {@link EventSink} ({@code lockout.account-locked}, {@code lockout.source-locked} as DENY;
 * {@code lockout.cleared}, {@code lockout.source-cleared} as ALLOW) and, with every counted failure,
 * {@link LockoutEvent}s for every {@link LockoutListener}.
 *
 * <p>A configuration that would let an attacker make more than {@value Policy#HOURLY_CEILING} failed logins
 * per account in 60 minutes, or is otherwise invalid, is refused: the rules in force stay (the defaults at
 * activation) and an ERROR names the keys.
 */
@Component(service = {LoginGuard.class, LockoutService.class, MetricSource.class},
        configurationPid = "org.mqttwarden.lockout")
@Designate(ocd = LockoutGuard.Config.class)
public final class LockoutGuard implements LoginGuard, LockoutService, MetricSource {

    @ObjectClassDefinition(name = "MQTT Warden lockout and alerts", description = "Account lockout after failed"
            + " logins, throttling of sources that try many accounts, and attack alerts (keys alert.*). No setting"
            + " may allow more than 100 failed logins per account in 60 minutes (NIST SP 800-63B 5.2.2): such a"
            + " configuration is refused.")
    public @interface Config {
        @AttributeDefinition(description = "Failed logins in a row, within the window, that lock an account from"
                + " the sources they came from: from all sources it is not trusted from, or from one trusted"
                + " source.", min = "1", max = "100")
        int account_max_failures() default 5;

        @AttributeDefinition(description = "How long a run of failed logins is counted from its first one, in"
                + " minutes.", min = "1", max = "10080")
        int account_window_minutes() default 15;

        @AttributeDefinition(description = "How long the first lock lasts, in minutes; each further lock (without"
                + " a successful login between) lasts twice as long.", min = "1", max = "525600")
        int lock_minutes() default 15;

        @AttributeDefinition(description = "The longest lock, in minutes. The lock history is forgotten this long"
                + " after a lock ends without a failure since.", min = "1", max = "525600")
        int lock_max_minutes() default 1440;

        @AttributeDefinition(description = "Locks last until an admin (warden:lockout-clear), a password change or"
                + " an OTP unlock clears them.")
        boolean lock_permanent() default false;

        @AttributeDefinition(description = "Failed logins from one source (client id; address when known), across"
                + " all usernames, that lock the source. 0: sources are not throttled.", min = "0",
                max = "1000000")
        int source_max_failures() default 20;

        @AttributeDefinition(description = "How long a source's run of failed logins is counted from its first"
                + " one, in minutes.", min = "1", max = "10080")
        int source_window_minutes() default 15;

        @AttributeDefinition(description = "How long a source stays locked, in minutes.", min = "1", max = "525600")
        int source_lock_minutes() default 15;

        @AttributeDefinition(description = "A successful login makes its source (client id, plus address when"
                + " known) trusted for the username for this many days (stored, the last 16 per account): its"
                + " failures count in a run of their own, so failures from other sources do not lock the username"
                + " out of it; it is exempt from the source's lock across usernames and needs no login budget."
                + " 0: nothing is trusted.", min = "0", max = "3650")
        int source_trust_days() default 30;

        @AttributeDefinition(description = "Usernames without an account tracked at most (in memory, never in the"
                + " database); beyond, the least recently failed are forgotten.", min = "100", max = "10000000")
        int max_tracked_unknown() default 50_000;

        @AttributeDefinition(description = "Sources tracked at most (in memory); beyond, the least recently failed"
                + " are forgotten.", min = "100", max = "10000000")
        int max_tracked_sources() default 50_000;

        @AttributeDefinition(description = "The share of time, in percent, that logins from sources a username"
                + " never logged in from (within source.trust.days) may take, gateway-wide: 5 allows 50 ms of"
                + " such login work (bcrypt) per second, so that with the refusals themselves a flood keeps within"
                + " 10 % of the broker's time. Beyond it they are refused at once (login.busy, like a wrong"
                + " password), whether the account exists or not; trusted sources and generated secrets are never"
                + " refused for it. 0: no budget.", min = "0", max = "100")
        int login_budget_percent() default 5;

        @AttributeDefinition(description = "What one login refused for the budget costs the broker, in"
                + " microseconds (go-auth's round trip for an answer given at once; about 50 on a 2-core gateway,"
                + " see BENCHMARKS.md section 11). Each refusal is charged to the budget, so under a flood the"
                + " password work admitted shrinks as the refusals grow and both together keep within"
                + " login.budget.percent. 0: refusals are free.", min = "0", max = "100000")
        int login_budget_refusal_micros() default 50;

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

    /**
     * The reason of a login refused because the login budget of untrusted origins is spent: the username
     * never logged in from the attempt's origin (within {@code source.trust.days}) and such logins took
     * {@code login.budget.percent} of the time already. Not a failure; answered like a wrong password.
     */
    public static final String BUSY = LoginGuard.BUSY;

    private static final Logger LOG = LoggerFactory.getLogger(LockoutGuard.class);

    private final Lockouts lockouts;
    private final List<EventSink> sinks = new CopyOnWriteArrayList<>();
    private final List<LockoutListener> listeners = new CopyOnWriteArrayList<>();

    @Activate
    public LockoutGuard(@Reference WardenDatabase database, Config config) {
        this(database, config, Clock.systemUTC(), System::nanoTime);
    }

    /** For tests: the login budget's time is the clock's, in nanoseconds. */
    LockoutGuard(WardenDatabase database, Config config, Clock clock) {
        this(database, config, clock, () -> {
            Instant t = clock.instant();
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        });
    }

    private final LongAdder configsRefused = new LongAdder();

    /** @param nanos the login budget's time: monotonic nanoseconds */
    LockoutGuard(WardenDatabase database, Config config, Clock clock, LongSupplier nanos) {
        Policy policy = Policy.of(config);
        List<String> problems = policy.problems();
        if (!problems.isEmpty()) {
            LOG.error("Lockout configuration refused, the defaults apply instead: {}", String.join("; ", problems));
            policy = Policy.DEFAULTS;
        }
        this.lockouts = new Lockouts(new LockoutStore(database), policy, clock, nanos, this::publish);
        LOG.info("Lockout active: {}", describe(policy));
    }

    /** Applies a new configuration at once, keeping every count and lock; refuses an invalid one. */
    @Modified
    void modified(Config config) {
        Policy policy = Policy.of(config);
        List<String> problems = policy.problems();
        if (!problems.isEmpty()) {
            configsRefused.increment();
            LOG.error("Lockout configuration refused, the rules in force stay ({}): {}", describe(lockouts.policy()),
                    String.join("; ", problems));
            return;
        }
        lockouts.policy(policy);
        LOG.info("Lockout settings updated: {}", describe(policy));
    }

    private static String describe(Policy p) {
        return p.maxFailures() + " failures in " + p.windowMinutes() + " min lock an account for " + p.lockMinutes()
                + " min" + (p.permanent() ? " (permanent)" : ", doubling up to " + p.lockMaxMinutes() + " min")
                + "; at most " + p.worstCaseFailuresPerHour() + " failures per account per hour; sources: "
                + (p.sourcesTracked() ? p.sourceMaxFailures() + " failures in " + p.sourceWindowMinutes()
                        + " min lock for " + p.sourceLockMinutes() + " min" : "off") + "; login budget of untrusted"
                + " sources: " + (p.budgeted()
                        ? p.loginBudgetPercent() + " %, " + p.loginBudgetRefusalMicros() + " microseconds per refusal"
                        : "off");
    }

    /** Every sink but this bundle's own ({@link AccountChanges}, which only listens). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(!(" + AccountChanges.INTERNAL + "=true))")
    void addSink(EventSink sink) {
        sinks.add(sink);
    }

    void removeSink(EventSink sink) {
        sinks.remove(sink);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(LockoutListener listener) {
        listeners.add(listener);
    }

    void removeListener(LockoutListener listener) {
        listeners.remove(listener);
    }

    // ---- LoginGuard

    /**
     * @return an allow, or a denial when the username is locked from the attempt's origin, a source of the
     *     attempt is locked, the failures and attempts in flight already reach the limit, or the attempt's
     *     origin is not trusted for the username and the login budget is spent; costs no I/O
     */
    @Override
    public Decision check(ClientRef client) {
        return lockouts.check(client, true);
    }

    /** Sheds an attempt from an untrusted origin whose check would be slow while the login budget is spent. */
    @Override
    public boolean shed(ClientRef client, boolean slowCheck) {
        return lockouts.shed(client, slowCheck);
    }

    /** As {@link #check(ClientRef)}; a check that is cheap (a generated secret) needs no login budget. */
    @Override
    public Decision check(ClientRef client, boolean slowCheck) {
        return lockouts.check(client, slowCheck);
    }

    @Override
    public void outcome(ClientRef client, boolean success, String reason) {
        lockouts.outcome(client, success, reason);
    }

    // ---- LockoutService

    @Override
    public List<LockoutEntry> list() {
        return lockouts.list();
    }

    @Override
    public boolean clearAccount(String username, String actor, String cause) {
        return lockouts.clearAccount(username, actor, cause);
    }

    @Override
    public boolean clearSource(SourceKey source, String actor) {
        return lockouts.clearSource(source, actor);
    }

    // ---- events

    private void publish(LockoutEvent e) {
        for (LockoutListener l : listeners) {
            try {
                l.onLockoutEvent(e);
            } catch (RuntimeException ex) {
                LOG.warn("Lockout listener {} failed on {}: {}", l.getClass().getName(), e.kind(), ex.toString());
            }
        }
        SecurityEvent event = securityEvent(e);
        if (event == null) {
            return;
        }
        for (EventSink sink : sinks) {
            try {
                sink.accept(event).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        LOG.warn("Event sink {} did not record {}: {}", sink.getClass().getName(), event.reason(),
                                failure.toString());
                    }
                });
            } catch (RuntimeException ex) {
                LOG.warn("Event sink {} failed on {}: {}", sink.getClass().getName(), event.reason(), ex.toString());
            }
        }
    }

    /** @return the security event of a lock or a clear; {@code null} for a counted failure (an AUTH event has it) */
    static SecurityEvent securityEvent(LockoutEvent e) {
        Map<String, String> detail = new HashMap<>();
        String reason;
        Outcome outcome;
        switch (e.kind()) {
            case ACCOUNT_LOCKED -> {
                reason = "lockout.account-locked";
                outcome = Outcome.DENY;
                detail.put("failures", Integer.toString(e.failures()));
                detail.put("hour_failures", Integer.toString(e.hourFailures()));
                detail.put("lock_count", Integer.toString(e.lockCount()));
                detail.put("until", e.until() == null ? "permanent" : e.until().toString());
                detail.put("cause", e.cause() == null ? "failures" : e.cause());
                if (e.scope() != null) {
                    detail.put("scope", e.scope());
                }
                if (e.account() != null) {
                    detail.put("account", e.account() ? "yes" : "no");
                }
            }
            case SOURCE_LOCKED -> {
                reason = "lockout.source-locked";
                outcome = Outcome.DENY;
                detail.put("source", e.source().toString());
                detail.put("failures", Integer.toString(e.failures()));
                detail.put("until", e.until() == null ? "permanent" : e.until().toString());
            }
            case ACCOUNT_CLEARED -> {
                reason = "lockout.cleared";
                outcome = Outcome.ALLOW;
                detail.put("cause", e.cause() == null ? "admin" : e.cause());
            }
            case SOURCE_CLEARED -> {
                reason = "lockout.source-cleared";
                outcome = Outcome.ALLOW;
                detail.put("source", e.source().toString());
                detail.put("cause", e.cause() == null ? "admin" : e.cause());
            }
            default -> {
                return null;
            }
        }
        return new SecurityEvent(e.time(), EventType.LOCKOUT, outcome, reason, e.username(), null, e.clientId(),
                e.address(), null, null, e.actor(), detail);
    }

    // ---- /metrics

    /** @return {@code lockout}: on {@code /metrics} the numbers are {@code warden_lockout_<name>[_total]} */
    @Override
    public String name() {
        return "lockout";
    }

    /**
     * @return {@code failures_counted}, {@code account_locks} (from some or all origins), {@code source_locks},
     *     {@code denied_locked}, {@code denied_throttled}, {@code denied_source}, {@code clears},
     *     {@code evictions}, {@code store_errors}, {@code budget_refused} (logins refused as {@value #BUSY}),
     *     {@code budget_spent_ms} (login work of untrusted origins measured, in ms), {@code config_refused}
     *     (configurations refused while active: the rules in force stayed) (since activation)
     */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>(lockouts.counters());
        c.put("config_refused", configsRefused.sum());
        return c;
    }

    /**
     * @return {@code tracked_usernames}, {@code tracked_unknown}, {@code tracked_sources},
     *     {@code trusted_sources} (origins remembered for their accounts), {@code budget_available_ms}
     *     (negative: a debt being paid back), and the rules in force (a refused configuration leaves them
     *     unchanged): {@code policy_account_max_failures}, {@code policy_lock_minutes},
     *     {@code policy_source_max_failures} (0: sources off), {@code policy_worst_case_failures_per_hour},
     *     {@code policy_login_budget_percent} (0: no budget)
     */
    @Override
    public Map<String, Long> gauges() {
        return lockouts.gauges();
    }

    Lockouts lockouts() {
        return lockouts;
    }
}
