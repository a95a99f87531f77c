package org.mqttwarden.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;

import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.auth.ClientAddressResolver;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.EngineStats;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.auth.SecondFactor;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.AccountStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers go-auth's three questions, {@code /user}, {@code /superuser} and {@code /acl}, as the API services
 * {@link Authenticator} and {@link Authorizer}, with its counters as {@link MetricSource} {@code engine}.
 * This component holds the configuration and the bindings; the work is done by one class per job:
 * {@link Logins} (passwords and guards), {@link AclDecisions} (ACL and superuser), {@link StoreSnapshots}
 * (what is read from the store, per revision, so a change made through {@code AccountService} is in force
 * for the next request), {@link DecisionEvents} (a {@code SecurityEvent} per answer for the sinks present,
 * with the client's address when a {@link ClientAddressResolver} knows it) and {@link EngineCounters}.
 *
 * <p>The login and ACL paths share one snapshot of the store, so an account read for a login is not read
 * again for its first ACL question; that is why both are one component.
 */
@Component(service = {Authenticator.class, Authorizer.class, EngineStats.class, MetricSource.class},
        configurationPid = "org.mqttwarden.auth")
@Designate(ocd = AuthConfig.class)
public final class DecisionEngine implements Authenticator, Authorizer, EngineStats, MetricSource {

    private static final Logger LOG = LoggerFactory.getLogger(DecisionEngine.class);
    private static final CacheBounds BOUNDS = CacheBounds.FOR_THIS_JVM;

    private final EngineCounters counters = new EngineCounters();
    private final DecisionEvents events;
    private final Logins logins;
    private final AclDecisions acl;

    @Activate
    public DecisionEngine(@Reference AccountStore store, @Reference EventPublisher publisher, AuthConfig config) {
        this(store, publisher, config, Clock.systemUTC());
    }

    DecisionEngine(AccountStore store, EventPublisher publisher, AuthConfig config, Clock clock) {
        StoreSnapshots snapshots = new StoreSnapshots(store, BOUNDS, counters);
        this.events = new DecisionEvents(clock, publisher);
        this.logins = new Logins(store, snapshots, events, counters, clock, new SecureRandom());
        this.acl = new AclDecisions(snapshots, events, counters);
        configure(config);
    }

    @Modified
    void modified(AuthConfig config) {
        configure(config);
        LOG.info("Authentication settings updated (bcrypt cost {}, remembered verifications {} s)",
                config.bcrypt_cost(), config.verified_ttl_seconds());
    }

    private void configure(AuthConfig config) {
        logins.configure(config, BOUNDS.verified());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addGuard(LoginGuard guard) {
        logins.addGuard(guard);
    }

    void removeGuard(LoginGuard guard) {
        logins.removeGuard(guard);
    }

    /**
     * The address resolver with the highest ranking, when any (greedy: a better one replaces it).
     * Asked only where a guard call or an event is built; decisions never depend on it.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setAddressResolver(ClientAddressResolver resolver) {
        events.setAddressResolver(resolver);
    }

    void unsetAddressResolver(ClientAddressResolver resolver) {
        events.unsetAddressResolver(resolver);
    }

    /**
     * The second login step of enrolled accounts (warden-otp's TOTP), when installed. Greedy: a better ranked one
     * replaces it. Without one, enrolled accounts log in with their password alone.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSecondFactor(SecondFactor factor) {
        logins.setSecondFactor(factor);
    }

    void unsetSecondFactor(SecondFactor factor) {
        logins.unsetSecondFactor(factor);
    }

    // ---- Authenticator

    /**
     * Answers the login when it costs no bcrypt: a generated secret (fast hash, whatever the account) or
     * a remembered verification of an account already cached. Else null, and nothing recorded.
     */
    @Override
    public Decision authenticateFast(Credentials credentials) {
        return logins.authenticateFast(credentials);
    }

    /**
     * Refuses at once, without blocking, an attempt a guard sheds: a typed password (its check would be
     * slow) that is not remembered. Its event is emitted and not waited for. Else null, nothing recorded.
     */
    @Override
    public Decision authenticateNow(Credentials credentials) {
        return logins.authenticateNow(credentials);
    }

    @Override
    public Decision authenticate(Credentials credentials) {
        return logins.authenticate(credentials);
    }

    @Override
    public Decision explain(ClientRef client, String topic, Access access) {
        return acl.explain(client, topic, access);
    }

    @Override
    public Decision superuser(String username) {
        return acl.superuser(username);
    }

    @Override
    public Decision superuserNow(String username) {
        return acl.superuserNow(username);
    }

    // ---- Authorizer

    @Override
    public Decision authorizeNow(ClientRef client, String topic, Access access) {
        return acl.authorizeNow(client, topic, access);
    }

    @Override
    public Decision authorize(ClientRef client, String topic, Access access) {
        return acl.authorize(client, topic, access);
    }

    // ---- counters

    /** @return {@code engine}: on {@code /metrics} the counters are {@code warden_engine_<name>_total} */
    @Override
    public String name() {
        return "engine";
    }

    @Override
    public Map<String, Long> counters() {
        return counters.values();
    }
}
