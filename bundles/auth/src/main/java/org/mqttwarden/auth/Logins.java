package org.mqttwarden.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.auth.LoginReason;
import org.mqttwarden.api.auth.SecondFactor;
import org.mqttwarden.api.auth.WardenUnavailableException;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.store.AccountStore;
import org.mqttwarden.api.store.StoredAccount;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login path ({@code /user}): input checks, the login guards before and after, the password check
 * (remembered verification, fast hash or bcrypt, at the cost of the password's form whatever the account),
 * rehashing at the configured cost. Each answer becomes an event through {@link DecisionEvents}.
 */
final class Logins {

    private static final Logger LOG = LoggerFactory.getLogger(Logins.class);
    private static final Decision SHED = Decision.deny(LoginGuard.BUSY, "shed by a login guard before any check");

    private final AccountStore store;
    private final StoreSnapshots snapshots;
    private final DecisionEvents events;
    private final EngineCounters counters;
    private final Clock clock;
    private final SecureRandom random;
    private final List<LoginGuard> guards = new CopyOnWriteArrayList<>();
    private final AtomicReference<SecondFactor> secondFactor = new AtomicReference<>();
    private volatile PasswordHasher hasher;
    private volatile VerifiedCredentials verified;
    private volatile boolean guardRequired;
    private volatile String dummyHash;
    /** An unknown user's generated-form password is checked against this fast hash of a secret no one has. */
    private final String dummyFastHash;

    Logins(AccountStore store, StoreSnapshots snapshots, DecisionEvents events, EngineCounters counters,
            Clock clock, SecureRandom random) {
        this.store = store;
        this.snapshots = snapshots;
        this.events = events;
        this.counters = counters;
        this.clock = clock;
        this.random = random;
        this.dummyFastHash = DeviceSecrets.hash(DeviceSecrets.generate(random), random);
    }

    /** Takes the hashing, remembering and guard settings of {@code config}; remembered logins start over. */
    void configure(AuthConfig config, int maxRemembered) {
        PasswordHasher old = this.hasher;
        this.hasher = PasswordHasher.configured(config.bcrypt_cost(), random);
        if (old == null || old.cost() != hasher.cost()) {
            this.dummyHash = null;
        }
        this.verified = new VerifiedCredentials(config.verified_ttl_seconds() * 1000L, maxRemembered, random,
                clock);
        this.guardRequired = config.login_guard_required();
    }

    void addGuard(LoginGuard guard) {
        guards.add(guard);
    }

    void removeGuard(LoginGuard guard) {
        guards.remove(guard);
    }

    void setSecondFactor(SecondFactor factor) {
        secondFactor.set(factor);
    }

    /** Forgets {@code factor} unless another one has replaced it meanwhile. */
    void unsetSecondFactor(SecondFactor factor) {
        secondFactor.compareAndSet(factor, null);
    }

    /** @see org.mqttwarden.api.auth.Authenticator#authenticateFast */
    Decision authenticateFast(Credentials credentials) {
        return DeviceSecrets.isGenerated(credentials.password()) || remembered(credentials)
                ? authenticate(credentials) : null;
    }

    /** @see org.mqttwarden.api.auth.Authenticator#authenticateNow */
    Decision authenticateNow(Credentials credentials) {
        String password = credentials.password();
        if (guards.isEmpty() || DeviceSecrets.isGenerated(password) || !Validation.plausiblePassword(password)
                || Validation.usernameProblem(credentials.username()) != null || remembered(credentials)) {
            return null;
        }
        ClientRef client = events.withAddress(credentials.client(), true);
        for (LoginGuard guard : guards) {
            if (guard.shed(client, true)) {
                return events.login(client, null, SHED);
            }
        }
        return null;
    }

    /** @return whether the account is cached and this password was verified for it recently (no I/O) */
    private boolean remembered(Credentials credentials) {
        StoreSnapshots.Snapshot s = snapshots.cached();
        Optional<StoredAccount> account = s == null ? null : s.cachedAccount(credentials.username());
        return account != null && account.isPresent() && verified.isRemembered(account.get(), credentials.password());
    }

    /** @see org.mqttwarden.api.auth.Authenticator#authenticate */
    Decision authenticate(Credentials credentials) {
        ClientRef client = events.withAddress(credentials.client(), !guards.isEmpty());
        String problem = Validation.usernameProblem(credentials.username());
        if (problem != null) {
            return events.login(client, null, Decision.deny(LoginReason.INVALID_USERNAME.code(), problem));
        }
        if (!Validation.plausiblePassword(credentials.password())) {
            return events.login(client, null, Decision.deny(LoginReason.INVALID_PASSWORD.code(),
                    "empty or over 128 characters"));
        }
        if (guardRequired && guards.isEmpty()) {
            events.login(client, null, new Decision(false, LoginReason.GUARD_MISSING.code(),
                    "login guard required but absent"), Outcome.ERROR);
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
                return events.login(client, null, pre);
            }
            asked.add(guard);
        }
        StoreSnapshots.Snapshot s = snapshots.current();
        StoredAccount account = snapshots.account(s, credentials.username()).orElse(null);
        SecondFactor factor = account == null ? null : factorOf(account.username());
        String password = credentials.password();
        String code = null;
        if (factor != null) {
            // an enrolled account's password field is its password followed by the code
            int digits = Math.max(1, factor.codeLength());
            if (password.length() > digits) {
                code = password.substring(password.length() - digits);
                password = password.substring(0, password.length() - digits);
                generated = DeviceSecrets.isGenerated(password);
            }
        }
        Decision decision;
        if (account == null) {
            spendDummyCheck(password, generated);
            decision = Decision.deny(LoginReason.UNKNOWN_USER.code(), "no such account");
        } else if (verified.isRemembered(account, password)) {
            counters.rememberedLogins.increment();
            decision = factor != null && !codeAccepted(factor, account.username(), code) ? badCode(code)
                    : Decision.allow(LoginReason.OK_REMEMBERED.code(), "verified within the remembered period");
        } else if (!verifyCounted(password, account.passwordHash(), generated)) {
            decision = Decision.deny(LoginReason.BAD_PASSWORD.code(), "wrong password");
        } else if (!account.enabled()) {
            decision = Decision.deny(LoginReason.DISABLED.code(), "account disabled");
        } else if (factor != null && !codeAccepted(factor, account.username(), code)) {
            // the password is right: remembered, so that the next try with a fresh code costs no bcrypt
            verified.remember(account, password);
            decision = badCode(code);
        } else {
            decision = Decision.allow(LoginReason.OK.code(), factor == null ? "password verified"
                    : "password and second factor verified");
            account = rehashIfNeeded(account, password);
            verified.remember(account, password);
        }
        tellGuards(asked, client, decision.allowed(), decision.reason());
        return events.login(client, account, decision);
    }

    /**
     * @return the second factor {@code username} must add to its password, or {@code null} when none; when the
     *     factor cannot tell, it is asked for anyway (fail closed: the login then needs a code it cannot check)
     */
    private SecondFactor factorOf(String username) {
        SecondFactor factor = secondFactor.get();
        if (factor == null) {
            return null;
        }
        try {
            return factor.required(username) ? factor : null;
        } catch (RuntimeException e) {
            LOG.warn("Second factor {} failed to say whether {} is enrolled; the login needs a code: {}",
                    factor.getClass().getName(), username, e.toString());
            return factor;
        }
    }

    private static boolean codeAccepted(SecondFactor factor, String username, String code) {
        if (code == null) {
            return false;
        }
        try {
            return factor.verify(username, code);
        } catch (RuntimeException e) {
            LOG.warn("Second factor {} failed to check a code of {}; refused: {}", factor.getClass().getName(),
                    username, e.toString());
            return false;
        }
    }

    private static Decision badCode(String code) {
        return Decision.deny(LoginReason.BAD_CODE.code(), code == null ? "second factor missing"
                : "second factor wrong or already used");
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
        if (generated != DeviceSecrets.isHash(hash) || PasswordHasher.NO_PASSWORD.equals(hash)) {
            // an invited account without a password answers as slowly as a wrong password
            spendDummyCheck(password, generated);
            return false;
        }
        (generated ? counters.fastVerifications : counters.bcryptVerifications).increment();
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
            counters.fastVerifications.increment();
            DeviceSecrets.verify(password, dummyFastHash);
        } else {
            counters.bcryptVerifications.increment();
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
                counters.rehashes.increment();
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
                    d = hasher.hash(Base64.getEncoder().encodeToString(b));
                    dummyHash = d;
                }
            }
        }
        return d;
    }
}
