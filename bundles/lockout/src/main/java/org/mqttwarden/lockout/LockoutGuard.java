package org.mqttwarden.lockout;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.lockout.LockoutEvent;
import org.mqttwarden.api.lockout.LockoutListener;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.WardenDatabase;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
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
 * or {@value #BUSY}. Locks and clears become {@link EventType#LOCKOUT} events, published through warden-auth's
 * {@link EventPublisher} to every event sink ({@code lockout.account-locked}, {@code lockout.source-locked} as DENY;
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

    @ObjectClassDefinition(name = "MQTT Warden lockout", description = "Account lockout after failed"
            + " logins and throttling of sources that try many accounts (attack alerts: PID org.mqttwarden.alerts)."
            + " No setting may allow more than 100 failed logins per account in 60 minutes (NIST SP 800-63B"
            + " 5.2.2): such a configuration is refused.")
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
    }

    /**
     * The reason of a login refused because the login budget of untrusted origins is spent: the username
     * never logged in from the attempt's origin (within {@code source.trust.days}) and such logins took
     * {@code login.budget.percent} of the time already. Not a failure; answered like a wrong password.
     */
    public static final String BUSY = LoginGuard.BUSY;

    private static final Logger LOG = LoggerFactory.getLogger(LockoutGuard.class);

    private final Lockouts lockouts;
    private final AtomicReference<ComponentServiceObjects<EventPublisher>> events = new AtomicReference<>();
    private final Fanout<LockoutListener> listeners = new Fanout<>("Lockout listener");

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

    /**
     * warden-auth's one {@link EventPublisher}, through which locks and clears reach every event sink (the
     * audit, alerts). Taken as service objects and fetched only when an event is published: the publisher binds
     * every sink, this bundle's {@link AccountChanges} among them, which needs this guard, so fetching the
     * publisher while this component activates would be a service cycle (Felix SCR fails a component of the
     * cycle with an ERROR, and {@code /health} stays DOWN). Optional, so that a lock is never refused for want
     * of it; greedy, so a replacement binds.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setEvents(ComponentServiceObjects<EventPublisher> publisher) {
        events.set(publisher);
    }

    void unsetEvents(ComponentServiceObjects<EventPublisher> publisher) {
        // a greedy replacement binds the new publisher before it unbinds the old one
        events.compareAndSet(publisher, null);
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
        listeners.each(l -> l.onLockoutEvent(e), e.kind());
        SecurityEvent event = securityEvent(e);
        if (event != null) {
            ComponentServiceObjects<EventPublisher> objects = events.get();
            EventPublisher publisher = objects == null ? null : objects.getService();
            if (publisher != null) {
                try {
                    // the failed login that caused a lock was waited for already: the lock is not waited for again
                    publisher.offer(event);
                } finally {
                    objects.ungetService(publisher);
                }
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
                detail.put("source", e.source());
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
                detail.put("source", e.source());
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
     *     {@code policy_lock_max_minutes},
     *     {@code policy_source_max_failures} (0: sources off), {@code policy_worst_case_failures_per_hour},
     *     {@code policy_login_budget_percent} (0: no budget)
     */
    @Override
    public Map<String, Long> gauges() {
        return lockouts.gauges();
    }
}
