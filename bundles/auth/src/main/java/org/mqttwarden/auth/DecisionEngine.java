package org.mqttwarden.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.mqttwarden.api.auth.LoginReason;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.auth.ClientAddressResolver;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.EngineStats;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.auth.WardenUnavailableException;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.AccountStore;
import org.mqttwarden.api.store.StoredAccount;
import org.mqttwarden.auth.acl.AclIndex;
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
 * Answers go-auth's three questions: {@code /user} (password), {@code /superuser} and {@code /acl}.
 *
 * <p>Accounts, roles and the ACL index are cached and rebuilt when the store's revision moves, so a
 * change made through {@code AccountService} is in force for the next request. Every answer
 * becomes a {@link SecurityEvent} for the sinks present. go-auth sends no client address; when a
 * {@link ClientAddressResolver} is present, the address it knows for the client id goes to the
 * login guards and into the events (never into the decision).
 */
@Component(service = {Authenticator.class, Authorizer.class, EngineStats.class, MetricSource.class,
        DecisionEngine.class},
        configurationPid = "org.mqttwarden.auth")
@Designate(ocd = AuthConfig.class)
public final class DecisionEngine implements Authenticator, Authorizer, EngineStats, MetricSource {

    private static final Logger LOG = LoggerFactory.getLogger(DecisionEngine.class);
    private static final CacheBounds BOUNDS = CacheBounds.FOR_THIS_JVM;

    private static final Decision SHED = Decision.deny(LoginGuard.BUSY, "shed by a login guard before any check");
    private static final Decision SUPERUSER_UNKNOWN = Decision.deny("superuser.unknown-user", "no such account");
    private static final Decision SUPERUSER_DISABLED = Decision.deny("superuser.disabled", "account disabled");
    private static final Decision SUPERUSER_YES = Decision.allow("superuser.yes", "holds a superuser role");
    private static final Decision SUPERUSER_NO = Decision.deny("superuser.no", "holds no superuser role");

    private record AclKey(String username, String clientId, String topic, Access access) {
    }

    /** Everything derived from one revision of the store. */
    private record State(long revision, AclIndex index, Map<String, Role> roles,
            ConcurrentHashMap<String, Optional<StoredAccount>> accounts, ConcurrentHashMap<AclKey, Decision> decisions) {
    }

    private final AccountStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final EventDispatcher events;
    private final List<LoginGuard> guards = new CopyOnWriteArrayList<>();
    private final AtomicReference<ClientAddressResolver> addressResolver = new AtomicReference<>();
    private volatile PasswordHasher hasher;
    private volatile VerifiedCredentials verified;
    private volatile boolean guardRequired;
    private volatile State state;
    private volatile String dummyHash;
    /** An unknown user's generated-form password is checked against this fast hash of a secret no one has. */
    private final String dummyFastHash;
    private final LongAdder aclCacheHits = new LongAdder();
    private final LongAdder aclCacheMisses = new LongAdder();
    private final LongAdder rememberedLogins = new LongAdder();
    private final LongAdder bcryptVerifications = new LongAdder();
    private final LongAdder fastVerifications = new LongAdder();
    private final LongAdder rehashes = new LongAdder();
    private final LongAdder indexBuilds = new LongAdder();

    @Activate
    public DecisionEngine(@Reference AccountStore store, AuthConfig config) {
        this(store, config, Clock.systemUTC());
    }

    DecisionEngine(AccountStore store, AuthConfig config, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.events = new EventDispatcher(config.event_wait_ms());
        this.dummyFastHash = DeviceSecrets.hash(DeviceSecrets.generate(random), random);
        configure(config);
    }

    @Modified
    void modified(AuthConfig config) {
        configure(config);
        LOG.info("Authentication settings updated (bcrypt cost {}, remembered verifications {} s)",
                config.bcrypt_cost(), config.verified_ttl_seconds());
    }

    private void configure(AuthConfig config) {
        PasswordHasher old = this.hasher;
        this.hasher = PasswordHasher.configured(config.bcrypt_cost(), random);
        if (old == null || old.cost() != hasher.cost()) {
            this.dummyHash = null;
        }
        this.verified = new VerifiedCredentials(config.verified_ttl_seconds() * 1000L, BOUNDS.verified(), random,
                clock);
        this.guardRequired = config.login_guard_required();
        this.events.waitMillis(config.event_wait_ms());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addGuard(LoginGuard guard) {
        guards.add(guard);
    }

    void removeGuard(LoginGuard guard) {
        guards.remove(guard);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSink(EventSink sink) {
        events.add(sink);
    }

    void removeSink(EventSink sink) {
        events.remove(sink);
    }

    /**
     * The address resolver with the highest ranking, when any (greedy: a better one replaces it).
     * Asked only where a guard call or an event is built; decisions never depend on it.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setAddressResolver(ClientAddressResolver resolver) {
        addressResolver.set(resolver);
    }

    void unsetAddressResolver(ClientAddressResolver resolver) {
        // a greedy replacement binds the new resolver before it unbinds the old one
        addressResolver.compareAndSet(resolver, null);
    }

    /** @return the client's address as given, else as the resolver knows it, else null */
    private String addressOf(ClientRef client) {
        String given = client.address();
        return given != null ? given : ClientAddresses.resolve(addressResolver.get(), client.clientId());
    }

    /** @return the client with its address filled in when a guard or a sink will see it */
    private ClientRef withAddress(ClientRef client) {
        if (client.address() != null || (guards.isEmpty() && !events.active())) {
            return client;
        }
        String address = addressOf(client);
        return address == null ? client : new ClientRef(client.username(), client.clientId(), address);
    }

    // ---- /user

    /**
     * Answers the login when it costs no bcrypt: a generated secret (fast hash, whatever the account) or
     * a remembered verification of an account already cached. Else null, and nothing recorded.
     */
    @Override
    public Decision authenticateFast(Credentials credentials) {
        return DeviceSecrets.isGenerated(credentials.password()) || remembered(credentials)
                ? authenticate(credentials) : null;
    }

    /**
     * Refuses at once, without blocking, an attempt a guard sheds: a typed password (its check would be
     * slow) that is not remembered. Its event is emitted and not waited for. Else null, nothing recorded.
     */
    @Override
    public Decision authenticateNow(Credentials credentials) {
        String password = credentials.password();
        if (guards.isEmpty() || DeviceSecrets.isGenerated(password) || !Validation.plausiblePassword(password)
                || Validation.usernameProblem(credentials.username()) != null || remembered(credentials)) {
            return null;
        }
        ClientRef client = withAddress(credentials.client());
        for (LoginGuard guard : guards) {
            if (guard.shed(client, true)) {
                return authEvent(client, null, SHED);
            }
        }
        return null;
    }

    /** @return whether the account is cached and this password was verified for it recently (no I/O) */
    private boolean remembered(Credentials credentials) {
        State s = cachedState();
        Optional<StoredAccount> account = s == null ? null : s.accounts.get(credentials.username());
        return account != null && account.isPresent() && verified.isRemembered(account.get(), credentials.password());
    }

    @Override
    public Decision authenticate(Credentials credentials) {
        ClientRef client = withAddress(credentials.client());
        String problem = Validation.usernameProblem(credentials.username());
        if (problem != null) {
            return authEvent(client, null, Decision.deny(LoginReason.INVALID_USERNAME.code(), problem));
        }
        if (!Validation.plausiblePassword(credentials.password())) {
            return authEvent(client, null, Decision.deny(LoginReason.INVALID_PASSWORD.code(), "empty or over 128 characters"));
        }
        if (guardRequired && guards.isEmpty()) {
            authEvent(client, null, new Decision(false, LoginReason.GUARD_MISSING.code(), "login guard required but absent"),
                    Outcome.ERROR);
            throw new WardenUnavailableException("A login guard is required (login.guard.required) but none is"
                    + " installed");
        }
        List<LoginGuard> asked = new ArrayList<>(guards.size());
        try {
            return guardedLogin(credentials, client, asked);
        } finally {
            // every guard whose check allowed is told one outcome, also when the login ends in an exception
            tellGuards(asked, client, false, LoginReason.ERROR.code());
        }
    }

    /** The login after the input checks; a guard whose check allows stays in {@code asked} until it is told. */
    private Decision guardedLogin(Credentials credentials, ClientRef client, List<LoginGuard> asked) {
        boolean generated = DeviceSecrets.isGenerated(credentials.password());
        for (LoginGuard guard : guards) {
            Decision pre = guard.check(client, !generated);
            if (!pre.allowed()) {
                tellGuards(asked, client, false, pre.reason());
                return authEvent(client, null, pre);
            }
            asked.add(guard);
        }
        State s = current();
        StoredAccount account = account(s, credentials.username()).orElse(null);
        Decision decision;
        if (account == null) {
            spendDummyCheck(credentials.password(), generated);
            decision = Decision.deny(LoginReason.UNKNOWN_USER.code(), "no such account");
        } else if (verified.isRemembered(account, credentials.password())) {
            rememberedLogins.increment();
            decision = Decision.allow(LoginReason.OK_REMEMBERED.code(), "verified within the remembered period");
        } else if (!verifyCounted(credentials.password(), account.passwordHash(), generated)) {
            decision = Decision.deny(LoginReason.BAD_PASSWORD.code(), "wrong password");
        } else if (!account.enabled()) {
            decision = Decision.deny(LoginReason.DISABLED.code(), "account disabled");
        } else {
            decision = Decision.allow(LoginReason.OK.code(), "password verified");
            account = rehashIfNeeded(account, credentials.password());
            verified.remember(account, credentials.password());
        }
        tellGuards(asked, client, decision.allowed(), decision.reason());
        return authEvent(client, account, decision);
    }

    /** Tells each guard in {@code asked} the outcome, then forgets them (so none is told twice). */
    private static void tellGuards(List<LoginGuard> asked, ClientRef client, boolean success, String reason) {
        for (LoginGuard guard : asked) {
            try {
                guard.outcome(client, success, reason);
            } catch (RuntimeException e) {
                LOG.warn("Login guard {} failed: {}", guard.getClass().getName(), e.toString());
            }
        }
        asked.clear();
    }

    /**
     * Checks a password at the cost of its form: a generated secret is always stored under the fast
     * hash and a typed password never is, so when the forms differ the password cannot match, and the
     * check costs what a real check of that form would. How long a check takes therefore depends on
     * the password submitted, never on which kind of account (if any) is behind the username.
     */
    private boolean verifyCounted(String password, String hash, boolean generated) {
        if (generated != DeviceSecrets.isHash(hash)) {
            spendDummyCheck(password, generated);
            return false;
        }
        (generated ? fastVerifications : bcryptVerifications).increment();
        if (hasher.verify(password, hash)) {
            return true;
        }
        // a cheaper (older, imported) hash must not answer a wrong password faster than an unknown name
        hasher.padFailedCheck(hash);
        return false;
    }

    /** Costs what checking a password of this form costs, for an answer that must not be faster. */
    private void spendDummyCheck(String password, boolean generated) {
        if (generated) {
            fastVerifications.increment();
            DeviceSecrets.verify(password, dummyFastHash);
        } else {
            bcryptVerifications.increment();
            hasher.verify(password, dummyHash());
        }
    }

    private StoredAccount rehashIfNeeded(StoredAccount account, String password) {
        if (!hasher.needsRehash(account.passwordHash())) {
            return account;
        }
        String hash = hasher.hash(password);
        try {
            if (store.updatePasswordHash(account.username(), hash, clock.instant())) {
                rehashes.increment();
                LOG.info("Rehashed the password of account {} at bcrypt cost {}", account.username(), hasher.cost());
                return store.findAccount(account.username()).orElse(account);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not store the rehashed password of account {}: {}", account.username(), e.toString());
        }
        return account;
    }

    private String dummyHash() {
        String d = dummyHash;
        if (d == null) {
            synchronized (this) {
                d = dummyHash;
                if (d == null) {
                    byte[] b = new byte[24];
                    random.nextBytes(b);
                    d = hasher.hash(java.util.Base64.getEncoder().encodeToString(b));
                    dummyHash = d;
                }
            }
        }
        return d;
    }

    private Decision authEvent(ClientRef client, StoredAccount account, Decision d) {
        return authEvent(client, account, d, d.allowed() ? Outcome.ALLOW : Outcome.DENY);
    }

    /** Emits the event; a security-relevant one is waited for unless it sheds load (SecurityEvent#awaited). */
    private Decision authEvent(ClientRef client, StoredAccount account, Decision d, Outcome outcome) {
        if (!events.active()) {
            return d;
        }
        events.emit(new SecurityEvent(clock.instant(), EventType.AUTH, outcome, d.reason(), client.username(),
                account == null ? Set.of() : account.roles(), client.clientId(), client.address(), null, null, null,
                Map.of()));
        return d;
    }

    // ---- /superuser

    @Override
    public Decision superuser(String username) {
        State s = current();
        StoredAccount account = Validation.usernameProblem(username) == null ? account(s, username).orElse(null) : null;
        return superuser(s, username, account);
    }

    @Override
    public Decision superuserNow(String username) {
        State s = cachedState();
        if (s == null) {
            return null;
        }
        Optional<StoredAccount> account = s.accounts.get(username);
        if (account == null) {
            return null;
        }
        return superuser(s, username, account.orElse(null));
    }

    private Decision superuser(State s, String username, StoredAccount account) {
        Decision d;
        if (account == null) {
            d = SUPERUSER_UNKNOWN;
        } else if (!account.enabled()) {
            d = SUPERUSER_DISABLED;
        } else {
            d = isSuperuser(s, account) ? SUPERUSER_YES : SUPERUSER_NO;
        }
        if (events.active()) {
            events.emit(new SecurityEvent(clock.instant(), EventType.SUPERUSER,
                    d.allowed() ? Outcome.ALLOW : Outcome.DENY, d.reason(), username,
                    account == null ? Set.of() : account.roles(), null, null, null, null, null, Map.of()));
        }
        return d;
    }

    // ---- /acl

    @Override
    public Decision authorizeNow(ClientRef client, String topic, Access access) {
        State s = cachedState();
        if (s == null) {
            return null;
        }
        Decision d = s.decisions.get(new AclKey(client.username(), client.clientId(), topic, access));
        Optional<StoredAccount> account = s.accounts.get(client.username());
        if (d == null || account == null || (!d.allowed() && events.active())) {
            return null;
        }
        aclCacheHits.increment();
        aclEvent(client, account.orElse(null), topic, access, d);
        return d;
    }

    @Override
    public Decision authorize(ClientRef client, String topic, Access access) {
        State s = current();
        AclKey key = new AclKey(client.username(), client.clientId(), topic, access);
        Decision d = s.decisions.get(key);
        (d == null ? aclCacheMisses : aclCacheHits).increment();
        StoredAccount account = Validation.usernameProblem(client.username()) == null
                ? account(s, client.username()).orElse(null) : null;
        if (d == null) {
            d = decide(s, account, client, topic, access);
            if (s.decisions.size() >= BOUNDS.decisions()) {
                s.decisions.clear();
            }
            s.decisions.put(key, d);
        }
        aclEvent(client, account, topic, access, d);
        return d;
    }

    private void aclEvent(ClientRef client, StoredAccount account, String topic, Access access, Decision d) {
        if (events.active()) {
            events.emit(new SecurityEvent(clock.instant(), EventType.ACL, d.allowed() ? Outcome.ALLOW : Outcome.DENY,
                    d.reason(), client.username(), account == null ? Set.of() : account.roles(), client.clientId(),
                    addressOf(client), topic, access, null,
                    d.detail().isEmpty() ? Map.of() : Map.of("rule", d.detail())));
        }
    }

    private Decision decide(State s, StoredAccount account, ClientRef client, String topic, Access access) {
        if (account == null) {
            return Decision.deny("acl.unknown-account", "no such account");
        }
        if (!account.enabled()) {
            return Decision.deny("acl.account-disabled", "account disabled");
        }
        if (isSuperuser(s, account)) {
            return Decision.allow("acl.superuser", "superuser role");
        }
        return s.index.decide(account.username(), account.roles(), client.clientId(), topic, access);
    }

    /**
     * Explains an ACL decision without caching or emitting an event (for {@code warden:acl-check}).
     */
    public Decision explain(ClientRef client, String topic, Access access) {
        State s = current();
        StoredAccount account = account(s, client.username()).orElse(null);
        return decide(s, account, client, topic, access);
    }

    /** @return {@code engine}: on {@code /metrics} the counters are {@code warden_engine_<name>_total} */
    @Override
    public String name() {
        return "engine";
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("acl_cache_hits", aclCacheHits.sum(), "acl_cache_misses", aclCacheMisses.sum(),
                "remembered_logins", rememberedLogins.sum(), "bcrypt_verifications", bcryptVerifications.sum(),
                "fast_verifications", fastVerifications.sum(), "rehashes", rehashes.sum(),
                "acl_index_builds", indexBuilds.sum());
    }

    // ---- state

    private static boolean isSuperuser(State s, StoredAccount account) {
        for (String r : account.roles()) {
            Role role = s.roles.get(r);
            if (role != null && role.superuser()) {
                return true;
            }
        }
        return false;
    }

    private Optional<StoredAccount> account(State s, String username) {
        Optional<StoredAccount> a = s.accounts.get(username);
        if (a == null) {
            a = unavailableOnFailure(() -> store.findAccount(username));
            if (s.accounts.size() >= BOUNDS.accounts()) {
                s.accounts.clear();
            }
            s.accounts.put(username, a);
        }
        return a;
    }

    /** @return the cached state when it is still current, else null (checking costs no I/O) */
    private State cachedState() {
        State s = state;
        return s != null && s.revision == store.revision() ? s : null;
    }

    private State current() {
        long revision = unavailableOnFailure(store::revision);
        State s = state;
        if (s != null && s.revision == revision) {
            return s;
        }
        synchronized (this) {
            s = state;
            if (s != null && s.revision == revision) {
                return s;
            }
            Map<String, Role> roles = new HashMap<>();
            for (Role r : unavailableOnFailure(store::listRoles)) {
                roles.put(r.name(), r);
            }
            // the roles' rules now; an account's own rules when that account is first decided
            AclIndex index = AclIndex.build(unavailableOnFailure(() -> store.listRules(SubjectType.ROLE, null)),
                    username -> unavailableOnFailure(() -> store.listRules(SubjectType.ACCOUNT, username)),
                    BOUNDS.accounts());
            indexBuilds.increment();
            s = new State(revision, index, Map.copyOf(roles), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
            state = s;
            return s;
        }
    }

    private static <T> T unavailableOnFailure(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw new WardenUnavailableException("The account store failed: " + e.getMessage(), e);
        }
    }
}
