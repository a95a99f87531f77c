package org.mqttwarden.auth;

import java.util.HashMap;
import java.util.Map;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.auth.ClientAddressResolver;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.auth.SecondFactor;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.AccountStore;
import org.mqttwarden.testsupport.Configs;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * warden-auth's components on a store the caller owns, wired as Declarative Services wires them: for the
 * tests and benchmarks of other modules, which get it from warden-auth's test-jar. They see the API services
 * only; what warden-auth's classes are and how they are bound stays inside warden-auth.
 *
 * <p>Configuration is {@code etc/org.mqttwarden.auth.cfg}'s, by property name ({@code bcrypt.cost}), on top
 * of {@link #FAST}. Not thread-safe while being wired; the services it hands out are as thread-safe as in
 * the gateway.
 */
public final class AuthStack {

    /**
     * What every stack starts from: the shipped settings with the cheapest bcrypt cost and no first-start
     * accounts.
     */
    public static final Map<String, Object> FAST = Map.of("bcrypt.cost", 10, "bootstrap.admin", false,
            "bootstrap.shell.admin", false);

    private final SecurityEvents events;
    private final DecisionEngine engine;
    private final AccountAdmin admin;

    private AuthStack(AccountStore store, AuthConfig config) {
        this.events = new SecurityEvents(config);
        this.engine = new DecisionEngine(store, events, config);
        this.admin = new AccountAdmin(store, events, config);
    }

    /**
     * @param sinks bound to it, as DS binds each {@code EventSink} service
     * @return warden-auth's one event publisher with the shipped wait bound, as the service objects a component
     *     of another bundle takes it as (lockout's guard, the alert detector), for such a component tested
     *     without the rest of the stack
     */
    public static ComponentServiceObjects<EventPublisher> eventsTo(EventSink... sinks) {
        SecurityEvents events = new SecurityEvents(Configs.of(AuthConfig.class, FAST));
        for (EventSink sink : sinks) {
            events.addSink(sink);
        }
        return serviceObjects(events);
    }

    /**
     * @return {@code service} as DS hands a reference taken as {@link ComponentServiceObjects} (a singleton:
     *     every {@code getService} returns it, {@code ungetService} does nothing; there is no service reference
     *     outside a framework, so {@code getServiceReference} is null)
     */
    public static <S> ComponentServiceObjects<S> serviceObjects(S service) {
        return new ComponentServiceObjects<>() {
            @Override
            public S getService() {
                return service;
            }

            @Override
            public void ungetService(S s) {
            }

            @Override
            public ServiceReference<S> getServiceReference() {
                return null;
            }
        };
    }

    /** @return the stack on {@code store} with the {@link #FAST} settings */
    public static AuthStack on(AccountStore store) {
        return on(store, Map.of());
    }

    /**
     * @param overrides properties of {@code org.mqttwarden.auth} by name (e.g. {@code "login.guard.required"
     *     -> true}), over {@link #FAST}
     * @return the stack on {@code store}
     * @throws IllegalArgumentException when a key names no property of the configuration
     */
    public static AuthStack on(AccountStore store, Map<String, ?> overrides) {
        Map<String, Object> properties = new HashMap<>(FAST);
        properties.putAll(overrides);
        return new AuthStack(store, Configs.of(AuthConfig.class, properties));
    }

    /** @return the login path ({@code /user}), the service warden-http calls */
    public Authenticator authenticator() {
        return engine;
    }

    /** @return the ACL and superuser path ({@code /acl}, {@code /superuser}) */
    public Authorizer authorizer() {
        return engine;
    }

    /** @return the account administration the shell commands use */
    public AccountService accounts() {
        return admin;
    }

    /** @return the decision path's counters ({@code bcrypt_verifications}, {@code acl_cache_hits}, ...) */
    public MetricSource metrics() {
        return engine;
    }

    /** Binds a login guard, as DS binds warden-lockout's. @return this stack */
    /** Binds a client address resolver, as DS binds warden-broker's. @return this stack */
    public AuthStack resolver(ClientAddressResolver resolver) {
        engine.setAddressResolver(resolver);
        return this;
    }

    public AuthStack guard(LoginGuard guard) {
        engine.addGuard(guard);
        return this;
    }

    /** Binds a second login step, as DS binds warden-otp's TOTP. @return this stack */
    public AuthStack secondFactor(SecondFactor factor) {
        engine.setSecondFactor(factor);
        return this;
    }

    /** Unbinds a second login step, as DS does when its bundle stops. @return this stack */
    public AuthStack noSecondFactor(SecondFactor factor) {
        engine.unsetSecondFactor(factor);
        return this;
    }

    /** Unbinds a login guard, as DS does when its bundle stops. @return this stack */
    public AuthStack unguard(LoginGuard guard) {
        engine.removeGuard(guard);
        return this;
    }

    /** @return the one event publisher of the stack, for components of other bundles that publish events */
    public EventPublisher events() {
        return events;
    }

    /** @return {@link #events()} as the service objects lockout's guard and the alert detector take it as */
    public ComponentServiceObjects<EventPublisher> eventObjects() {
        return serviceObjects(events);
    }

    /**
     * Binds an event sink to the stack's publisher, as DS binds each {@code EventSink} service: it receives
     * every event published, decisions, admin changes and those of other components given {@link #events()}.
     *
     * @return this stack
     */
    public AuthStack sink(EventSink sink) {
        events.addSink(sink);
        return this;
    }

    /** Unbinds an event sink, as DS does when its bundle stops. @return this stack */
    public AuthStack unsink(EventSink sink) {
        events.removeSink(sink);
        return this;
    }
}
