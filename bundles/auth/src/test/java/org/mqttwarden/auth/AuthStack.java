package org.mqttwarden.auth;

import java.util.HashMap;
import java.util.Map;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.AccountStore;
import org.mqttwarden.testsupport.Configs;

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

    private final DecisionEngine engine;
    private final AccountAdmin admin;

    private AuthStack(AccountStore store, AuthConfig config) {
        this.engine = new DecisionEngine(store, config);
        this.admin = new AccountAdmin(store, config);
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
    public AuthStack guard(LoginGuard guard) {
        engine.addGuard(guard);
        return this;
    }

    /** Unbinds a login guard, as DS does when its bundle stops. @return this stack */
    public AuthStack unguard(LoginGuard guard) {
        engine.removeGuard(guard);
        return this;
    }

    /** Binds an event sink to every component, as DS binds each {@code EventSink} service. @return this stack */
    public AuthStack sink(EventSink sink) {
        return decisionSink(sink).adminSink(sink);
    }

    /** Binds an event sink to the decisions (logins, superuser, ACL) only. @return this stack */
    public AuthStack decisionSink(EventSink sink) {
        engine.addSink(sink);
        return this;
    }

    /** Binds an event sink to the admin changes only. @return this stack */
    public AuthStack adminSink(EventSink sink) {
        admin.addSink(sink);
        return this;
    }

    /** Unbinds an event sink from every component it was bound to. @return this stack */
    public AuthStack unsink(EventSink sink) {
        engine.removeSink(sink);
        admin.removeSink(sink);
        return this;
    }
}
