package org.mqttwarden.lockout;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.LongSupplier;

import org.mqttwarden.api.auth.LoginReason;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.lockout.LockoutEvent;
import org.mqttwarden.api.text.Printable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lockout rules at work: one {@link Tally} per username and per source, in memory, each guarded by
 * its own monitor (no global lock on the login path); accounts' tallies written through to the store.
 *
 * <ul>
 * <li><b>Accounts, by origin.</b> An attempt's origin is its client id and, when known, its address
 * ({@link Origin}). A username is <em>trusted</em> from an origin it logged in from successfully within
 * {@code source.trust.days} ({@link TrustedSources}, stored, at most {@value TrustedSources#PER_ACCOUNT}
 * per account). Failures from every origin the username is not trusted from count in one run together
 * ("untrusted sources"); failures from a trusted origin in a run of that origin's own. {@code N} failures in
 * a run (a run lasts one window from its first failure) lock the username from those origins only, for
 * {@code lock * 2^k} (k: earlier locks of that run's origins since their last success), at most {@code max},
 * or until cleared when locks are permanent. So an attacker who knows a device's username, but not the
 * origin it logs in from, cannot lock the device out. A successful login resets its origins' run and lock
 * history, not the trailing-hour count.</li>
 * <li><b>The ceiling.</b> Failures from every origin count in the account's trailing hour: at
 * {@value Policy#HOURLY_CEILING} the username is locked from every origin, whatever the policy, until the
 * count falls below it (at least the next lock's length).</li>
 * <li><b>Exact under concurrency.</b> {@link #check} reserves: failures plus attempts in flight never
 * exceed {@code N} in a run (nor the ceiling over all origins); an attempt beyond is refused
 * ({@code lockout.throttled}) without a password check. {@link #outcome} releases the reservation. So
 * {@code N} wrong attempts fired at once make exactly {@code N} counted failures and a lock.</li>
 * <li><b>The login budget.</b> An attempt from an origin its username is not trusted from, whose password
 * check is slow (bcrypt; a generated secret's is not), needs login
 * budget ({@link LoginBudget}): {@code login.budget.percent} of the time, gateway-wide, measured from
 * {@link #check} to {@link #outcome}. Beyond it such attempts are refused at once ({@code lockout.busy}),
 * decided before anything about the username is known, so it tells nothing about who exists; they are not
 * failures. Trusted attempts never need budget.</li>
 * <li><b>Usernames without an account</b> are counted and locked alike (a lock answers like a wrong
 * password, so locks tell nothing about who exists), but only in memory, at most
 * {@code max.tracked.unknown} of them: beyond it the least recently failed go first, unlocked ones before
 * locked ones. Whether a username has an account is learnt from the outcome's reason.</li>
 * <li><b>Sources</b> (client id; address when known) count failures across usernames and lock the source
 * at {@code source.max.failures}, in memory only (at most {@code max.tracked.sources}; lost on restart).
 * A username trusted from the attempt's origin is exempt from its sources' locks, so an attacker reusing
 * a device's client id or address does not lock its owner out. Successes never reset a source's
 * count.</li>
 * </ul>
 */
final class Lockouts {

    private static final Logger LOG = LoggerFactory.getLogger(Lockouts.class);

    static final Decision ALLOW = Decision.allow("lockout.ok", "");
    static final Decision LOCKED = Decision.deny("lockout.locked", "account locked");
    static final Decision THROTTLED = Decision.deny("lockout.throttled",
            "failures and attempts in flight reach the limit");
    static final Decision SOURCE_LOCKED = Decision.deny("lockout.source-throttled", "source locked");
    static final Decision BUSY = Decision.deny(LockoutGuard.BUSY,
            "login budget for sources not trusted for this username spent");

    /** How old a trusted origin's time may get before a success renews it (in memory and in the store). */
    static final long TRUST_REFRESH_MILLIS = 3_600_000L;


    private final LockoutStore store;
    private final Clock clock;
    private final LongSupplier nanos;
    private final Consumer<LockoutEvent> events;
    private volatile Policy policy;

    private final ConcurrentHashMap<String, Tally> accounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SourceKey, Tally> sources = new ConcurrentHashMap<>();
    private final TrustedSources trust = new TrustedSources();
    private final LoginBudget budget = new LoginBudget();

    private static final Function<String, Tally> NEW_ACCOUNT = Tally::new;
    private static final Function<SourceKey, Tally> NEW_SOURCE = Tally::new;
    private final AtomicInteger unknown = new AtomicInteger();
    private final ReentrantLock evicting = new ReentrantLock();
    /** Guarded by {@link #evicting}. */
    private long lastEvictionWarning = Long.MIN_VALUE / 2;

    private final LongAdder failuresCounted = new LongAdder();
    private final LongAdder accountLocks = new LongAdder();
    private final LongAdder sourceLocks = new LongAdder();
    private final LongAdder deniedLocked = new LongAdder();
    private final LongAdder deniedThrottled = new LongAdder();
    private final LongAdder deniedSource = new LongAdder();
    private final LongAdder clears = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder storeErrors = new LongAdder();

    /**
     * Loads the accounts' state and trusted origins from {@code store} (dropping rows with nothing left to
     * remember).
     *
     * @param nanos a monotonic time in nanoseconds, for the login budget ({@link System#nanoTime})
     * @param events told of every counted failure, lock and clear, after the tally's lock is released
     */
    Lockouts(LockoutStore store, Policy policy, Clock clock, LongSupplier nanos, Consumer<LockoutEvent> events) {
        this.store = store;
        this.policy = policy;
        this.clock = clock;
        this.nanos = nanos;
        this.events = events;
        long now = clock.millis();
        long window = policy.windowMillis();
        long forget = forget(policy);
        for (LockoutStore.Row row : store.loadAll()) {
            Tally t = new Tally(row.username(), HourCounter.decode(row.hourFailures()));
            t.restore(row.failures(), row.windowStart(), row.lastFailure(), row.lockCount(), row.lockedSince(),
                    row.lockedUntil());
            t.allLockedSince = row.allLockedSince();
            t.allLockedUntil = row.allLockedUntil();
            t.known = Tally.Known.ACCOUNT;
            t.stored = true;
            if (t.worthNothing(now, window, forget)) {
                delete(t);
            } else {
                accounts.put(t.key, t);
            }
        }
        for (LockoutStore.ScopeRow row : store.loadScopes()) {
            Tally s = new Tally(row.origin());
            s.restore(row.failures(), row.windowStart(), row.lastFailure(), row.lockCount(), row.lockedSince(),
                    row.lockedUntil());
            s.stored = true;
            if (s.worthNothing(now, window, forget)) {
                deleteScope(row.username(), s);
                continue;
            }
            Tally t = accounts.computeIfAbsent(row.username(), NEW_ACCOUNT);
            t.known = Tally.Known.ACCOUNT;
            t.putScope(s);
            t.scopesStored = true;
        }
        int locked = 0;
        for (Tally t : accounts.values()) {
            boolean any = t.locked(now) || t.allLocked(now);
            if (t.scopes != null) {
                for (Tally s : t.scopes.values()) {
                    any |= s.locked(now);
                }
            }
            locked += any ? 1 : 0;
        }
        int trusted = 0;
        if (policy.sourceTrustDays() > 0) {
            try {
                for (LockoutStore.TrustRow row : store.loadTrust(now - policy.sourceTrustMillis())) {
                    trust.load(row.username(), row.origin(), row.lastSuccess());
                    trusted++;
                }
            } catch (RuntimeException e) {
                storeErrors.increment();
                LOG.warn("Could not load the trusted sources (devices are trusted again as they log in): {}",
                        e.toString());
            }
        }
        LOG.info("Lockout state loaded: {} accounts tracked, {} locked from some sources, {} trusted sources",
                accounts.size(), locked, trusted);
    }

    void policy(Policy p) {
        this.policy = p;
    }

    Policy policy() {
        return policy;
    }

    private static long forget(Policy p) {
        return p.lockMaxMinutes() * 60_000L;
    }

    // ---- the login path

    /**
     * @param slowCheck whether the password check that follows is slow (bcrypt); a fast one (a generated
     *     secret, microseconds whatever the account) needs no login budget
     * @return an allow (a reservation to be settled by {@link #outcome}), or the denial
     */
    Decision check(ClientRef client, boolean slowCheck) {
        long now = clock.millis();
        Policy p = policy;
        Origin origin = Origin.of(client);
        boolean trusted = trust.trusted(client.username(), origin, now, p.sourceTrustMillis());
        List<SourceKey> keys = sourceKeys(client, p);
        for (int i = 0; i < keys.size(); i++) {
            SourceKey k = keys.get(i);
            Decision d = onTally(sources, k, NEW_SOURCE, t -> reserveSource(t, trusted, now, p));
            if (d != null) {
                releaseSources(keys.subList(0, i), now, p);
                return d;
            }
        }
        List<LockoutEvent> happened = new ArrayList<>(0);
        Decision d = onTally(accounts, client.username(), NEW_ACCOUNT,
                t -> reserveAccount(t, client, trusted ? origin : null, slowCheck, now, p, happened));
        if (d != null) {
            releaseSources(keys, now, p);
            publish(happened);
            if (d == BUSY) {
                warnBusy(p);
            }
            return d;
        }
        return ALLOW;
    }

    private Decision reserveSource(Tally t, boolean trusted, long now, Policy p) {
        t.expire(now, p.sourceWindowMillis(), p.sourceLockMillis());
        if (!trusted) {
            if (t.locked(now) || t.failures + t.inFlight >= p.sourceMaxFailures()) {
                deniedSource.increment();
                return SOURCE_LOCKED;
            }
        }
        t.inFlight++;
        return null;
    }

    /**
     * Reserves an attempt on its account's tally: on the run of {@code trustedFrom}, or of the untrusted
     * origins when {@code null}. The login budget comes last, after every lock (which costs nothing), and
     * depends on nothing the tally knows about the username's existence.
     */
    private Decision reserveAccount(Tally t, ClientRef client, Origin trustedFrom, boolean slowCheck, long now,
            Policy p, List<LockoutEvent> happened) {
        long window = p.windowMillis();
        long forget = forget(p);
        t.expire(now, window, forget);
        if (t.allLocked(now)) {
            deniedLocked.increment();
            return LOCKED;
        }
        Tally scope = trustedFrom == null ? t : t.scope(trustedFrom);
        scope.expire(now, window, forget);
        if (scope.locked(now)) {
            deniedLocked.increment();
            return LOCKED;
        }
        int hour = t.hour.total(now);
        int inFlight = t.inFlightAll();
        if (inFlight == 0 && hour >= Policy.HOURLY_CEILING) {
            // due without a new failure: late outcomes filled the hour
            lockAll(t, client, now, p, happened);
            persist(t, now, p);
            deniedLocked.increment();
            return LOCKED;
        }
        if (scope.inFlight == 0 && scope.failures >= p.maxFailures()) {
            // due without a new failure: the policy was lowered
            lockScope(t, scope, client, now, p, happened);
            persist(t, now, p);
            persistScope(t, scope, now, p);
            deniedLocked.increment();
            return LOCKED;
        }
        if (scope.failures + scope.inFlight >= p.maxFailures() || hour + inFlight >= Policy.HOURLY_CEILING) {
            deniedThrottled.increment();
            return THROTTLED;
        }
        long reserved = 0;
        long start = 0;
        if (trustedFrom == null && slowCheck && p.budgeted()) {
            start = nanos.getAsLong();
            reserved = budget.acquire(start, p.loginBudgetPercent(), p.refusalNanos());
            if (reserved < 0) {
                if (t.idle(now, window, forget)) {
                    remove(t);
                }
                return BUSY;
            }
        }
        scope.inFlight++;
        if (t.pending == null) {
            t.pending = new ArrayList<>(2);
        }
        t.pending.add(new Tally.Pending(client, scope, start, reserved));
        return null;
    }

    /**
     * Whether to refuse an attempt at once because the login budget is spent: it comes from an origin its
     * username is not trusted from and its check would be slow. Reserves nothing, so no {@link #outcome}
     * follows; the refusal is counted. Locks are not looked at: under a flood, shedding comes first.
     */
    boolean shed(ClientRef client, boolean slowCheck) {
        Policy p = policy;
        if (!slowCheck || !p.budgeted()
                || trust.trusted(client.username(), Origin.of(client), clock.millis(), p.sourceTrustMillis())
                || !budget.shed(nanos.getAsLong(), p.loginBudgetPercent(), p.refusalNanos())) {
            return false;
        }
        warnBusy(p);
        return true;
    }

    private void warnBusy(Policy p) {
        LoginBudget.Refusal r = budget.refusal(nanos.getAsLong());
        if (r.warn()) {
            LOG.warn("Login budget spent: {} login(s) from sources not trusted for their username refused at once"
                    + " since the last warning (budget {} % = {} ms of such login work per second; said at most once"
                    + " a minute, see warden_lockout_budget_refused_total)", r.refusedSinceWarning(),
                    p.loginBudgetPercent(), p.loginBudgetPercent() * 10);
        }
    }

    private void releaseSources(List<SourceKey> keys, long now, Policy p) {
        for (SourceKey k : keys) {
            onTally(sources, k, NEW_SOURCE, t -> {
                t.inFlight = Math.max(0, t.inFlight - 1);
                if (t.idle(now, p.sourceWindowMillis(), p.sourceLockMillis())) {
                    remove(t);
                }
                return null;
            });
        }
    }

    /** Settles the reservation of a check that allowed, counting a failed password guess. */
    void outcome(ClientRef client, boolean success, String reason) {
        long now = clock.millis();
        Policy p = policy;
        boolean counted = !success && counts(reason);
        Tally.Known known = knownFrom(reason);
        List<LockoutEvent> happened = new ArrayList<>(0);
        onTally(accounts, client.username(), NEW_ACCOUNT, t -> {
            settleAccount(t, client, success, counted, known, now, p, happened);
            return null;
        });
        for (SourceKey k : sourceKeys(client, p)) {
            onTally(sources, k, NEW_SOURCE, t -> {
                settleSource(t, k, client, counted, now, p, happened);
                return null;
            });
        }
        if (success && p.sourceTrustDays() > 0 && known == Tally.Known.ACCOUNT) {
            TrustedSources.Change c = trust.succeeded(client.username(), Origin.of(client), now,
                    TRUST_REFRESH_MILLIS);
            if (c != null) {
                written(() -> store.saveTrust(client.username(), c.origin(), c.at(), c.evicted()),
                        () -> "store a trusted source of account " + client.username() + " (kept in memory)");
            }
        } else if (known == Tally.Known.NO_ACCOUNT) {
            forgetTrust(client.username());
        }
        publish(happened);
        if (unknown.get() > p.maxTrackedUnknown()) {
            evict(accounts, true, p.maxTrackedUnknown(), now);
        }
        if (sources.size() > p.maxTrackedSources()) {
            evict(sources, false, p.maxTrackedSources(), now);
        }
    }

    /** @return whether a failed login with this reason is a password guess to count ({@link LoginReason}) */
    static boolean counts(String reason) {
        return LoginReason.countsAsGuess(reason);
    }

    private static Tally.Known knownFrom(String reason) {
        return LoginReason.of(reason).flatMap(LoginReason::accountExists)
                .map(exists -> exists ? Tally.Known.ACCOUNT : Tally.Known.NO_ACCOUNT).orElse(null);
    }

    /** @return the reservation of {@code client}'s attempt, taken off the tally; {@code null} when none */
    private static Tally.Pending takePending(Tally t, ClientRef client) {
        if (t.pending == null) {
            return null;
        }
        for (int i = 0; i < t.pending.size(); i++) {
            if (t.pending.get(i).client().equals(client)) {
                Tally.Pending pd = t.pending.remove(i);
                if (t.pending.isEmpty()) {
                    t.pending = null;
                }
                return pd;
            }
        }
        return null;
    }

    private void settleAccount(Tally t, ClientRef client, boolean success, boolean counted, Tally.Known known,
            long now, Policy p, List<LockoutEvent> happened) {
        long window = p.windowMillis();
        long forget = forget(p);
        Tally.Pending pd = takePending(t, client);
        Tally scope;
        if (pd != null) {
            scope = pd.scope();
            if (pd.reserved() > 0) {
                long end = nanos.getAsLong();
                budget.settle(end, Math.max(p.loginBudgetPercent(), 1), pd.reserved(), end - pd.startNanos());
            }
            if (scope != t && t.scopes != null && t.scopes.get(scope.origin) != scope) {
                scope = t.scope(scope.origin); // taken out meanwhile (a clear)
            }
        } else {
            // an outcome without a check: settle on the origin's run as things stand
            Origin o = Origin.of(client);
            scope = trust.trusted(client.username(), o, now, p.sourceTrustMillis()) ? t.scope(o) : t;
        }
        scope.inFlight = Math.max(0, scope.inFlight - 1);
        if (known != null && known != t.known) {
            if (t.known == Tally.Known.NO_ACCOUNT) {
                unknown.decrementAndGet();
            }
            if (known == Tally.Known.NO_ACCOUNT) {
                unknown.incrementAndGet();
                delete(t); // rows left for an account that is gone
                deleteScopes(t);
            }
            t.known = known;
        }
        t.expire(now, window, forget);
        scope.expire(now, window, forget);
        boolean changed = false;
        if (success) {
            if (scope.failures > 0 || scope.lockCount > 0 || scope.lockedSince != 0) {
                scope.failures = 0;
                scope.windowStart = 0;
                scope.lockCount = 0;
                scope.lockedSince = 0;
                scope.lockedUntil = 0;
                changed = true;
            }
        } else if (counted) {
            failuresCounted.increment();
            changed = true;
            if (t.allLocked(now) || scope.locked(now)) {
                // settled after a lock began (only when the policy was lowered meanwhile): counts for the hour
                t.hour.add(now);
                scope.lastFailure = now;
            } else {
                scope.fail(now, window, forget);
                if (scope != t) {
                    t.hour.add(now);
                }
                happened.add(event(now, LockoutEvent.Kind.FAILURE, client, t, scope));
                if (t.hour.total(now) >= Policy.HOURLY_CEILING) {
                    lockAll(t, client, now, p, happened);
                } else if (scope.failures >= p.maxFailures()) {
                    lockScope(t, scope, client, now, p, happened);
                }
            }
        }
        if (changed) {
            persist(t, now, p);
            if (scope != t) {
                persistScope(t, scope, now, p);
            }
        }
        if (t.idle(now, window, forget)) {
            remove(t);
        }
    }

    /** @return the scope of an account's tally as {@link LockoutEntry} and {@link LockoutEvent} name it */
    private static String scopeName(Tally t, Tally scope) {
        return scope == t ? LockoutEntry.UNTRUSTED : LockoutEntry.TRUSTED + scope.key;
    }

    /** Locks the username from the origins of {@code scope} (the untrusted ones, or one trusted origin). */
    private void lockScope(Tally t, Tally scope, ClientRef client, long now, Policy p,
            List<LockoutEvent> happened) {
        int run = scope.failures;
        long until = p.permanent() ? LockoutTables.PERMANENT : now + p.lockMillis(scope.lockCount);
        scope.lock(now, until);
        accountLocks.increment();
        LOG.info("Locked {} {} from {} after {} failures ({} in the last hour), until {}",
                t.known == Tally.Known.ACCOUNT ? "account" : "username", client.username(), scopeName(t, scope), run,
                t.hour.total(now), until == LockoutTables.PERMANENT ? "cleared" : Instant.ofEpochMilli(until));
        happened.add(new LockoutEvent(Instant.ofEpochMilli(now), LockoutEvent.Kind.ACCOUNT_LOCKED, client.username(),
                emptyToNull(client.clientId()), client.address(), null, account(t), run, t.hour.total(now),
                scope.lockCount, until == LockoutTables.PERMANENT ? null : Instant.ofEpochMilli(until), null,
                LockoutEvent.CAUSE_FAILURES, scopeName(t, scope)));
    }

    /** Locks the username from every origin: the hourly ceiling is reached. */
    private void lockAll(Tally t, ClientRef client, long now, Policy p, List<LockoutEvent> happened) {
        int hour = t.hour.total(now);
        long until = p.permanent() ? LockoutTables.PERMANENT
                : Math.max(now + p.lockMillis(t.lockCount), t.hour.releaseTime(now, Policy.HOURLY_CEILING));
        t.allLockedSince = now;
        t.allLockedUntil = until;
        accountLocks.increment();
        LOG.info("Locked {} {} from every source after {} failures in the last hour, until {}",
                t.known == Tally.Known.ACCOUNT ? "account" : "username", Printable.escape(client.username()), hour,
                until == LockoutTables.PERMANENT ? "cleared" : Instant.ofEpochMilli(until));
        happened.add(new LockoutEvent(Instant.ofEpochMilli(now), LockoutEvent.Kind.ACCOUNT_LOCKED, client.username(),
                emptyToNull(client.clientId()), client.address(), null, account(t), hour, hour, t.lockCount,
                until == LockoutTables.PERMANENT ? null : Instant.ofEpochMilli(until), null, LockoutEvent.CAUSE_CEILING,
                LockoutEntry.ALL));
    }

    private void settleSource(Tally t, SourceKey k, ClientRef client, boolean counted, long now, Policy p,
            List<LockoutEvent> happened) {
        t.inFlight = Math.max(0, t.inFlight - 1);
        t.expire(now, p.sourceWindowMillis(), p.sourceLockMillis());
        if (counted && p.sourcesTracked() && !t.locked(now)) {
            t.fail(now, p.sourceWindowMillis(), p.sourceLockMillis());
            if (t.failures >= p.sourceMaxFailures()) {
                int run = t.failures;
                long until = now + p.sourceLockMillis();
                t.lock(now, until);
                sourceLocks.increment();
                LOG.info("Locked source {} after {} failures, until {}", Printable.escape(k.toString()), run,
                        Instant.ofEpochMilli(until));
                happened.add(new LockoutEvent(Instant.ofEpochMilli(now), LockoutEvent.Kind.SOURCE_LOCKED,
                        client.username(), emptyToNull(client.clientId()), client.address(), k.toString(), null, run, 0,
                        t.lockCount, Instant.ofEpochMilli(until), null, LockoutEvent.CAUSE_FAILURES, null));
            }
        }
        if (t.idle(now, p.sourceWindowMillis(), p.sourceLockMillis())) {
            remove(t);
        }
    }

    /** @return the sources of an attempt: its client id, and its address when known; none when off */
    private static List<SourceKey> sourceKeys(ClientRef client, Policy p) {
        if (!p.sourcesTracked()) {
            return List.of();
        }
        boolean id = !client.clientId().isEmpty();
        String address = client.address();
        if (id && address != null) {
            return List.of(SourceKey.client(client.clientId()), SourceKey.address(address));
        }
        if (id) {
            return List.of(SourceKey.client(client.clientId()));
        }
        return address == null ? List.of() : List.of(SourceKey.address(address));
    }

    // ---- administration

    /** @see LockoutService#clearAccount */
    boolean clearAccount(String username, String actor, String cause) {
        long now = clock.millis();
        Policy p = policy;
        if ("account-created".equals(cause) || "account-removed".equals(cause)) {
            // a new account of the same name trusts none of the old one's devices
            forgetTrust(username);
        }
        Tally existing = accounts.get(username);
        if (existing == null) {
            return false;
        }
        List<LockoutEvent> happened = new ArrayList<>(1);
        boolean cleared = onTally(accounts, username, NEW_ACCOUNT, t -> {
            boolean had = !t.worthNothing(now, p.windowMillis(), forget(p)) || !scopesWorthNothing(t, now, p);
            t.reset();
            persist(t, now, p);
            deleteScopes(t);
            if (t.idle(now, p.windowMillis(), forget(p))) {
                remove(t);
            }
            if (had) {
                happened.add(new LockoutEvent(Instant.ofEpochMilli(now), LockoutEvent.Kind.ACCOUNT_CLEARED,
                        username, null, null, null, account(t), 0, 0, 0, null, actor, cause, LockoutEntry.ALL));
            }
            return had;
        });
        if (cleared) {
            clears.increment();
            LOG.info("Cleared the lockout state of {} ({}, by {})", Printable.escape(username), cause, actor);
        }
        publish(happened);
        return cleared;
    }

    /** @see LockoutService#clearSource */
    boolean clearSource(SourceKey source, String actor) {
        long now = clock.millis();
        Policy p = policy;
        if (!sources.containsKey(source)) {
            return false;
        }
        List<LockoutEvent> happened = new ArrayList<>(1);
        boolean cleared = onTally(sources, source, NEW_SOURCE, t -> {
            boolean had = !t.worthNothing(now, p.sourceWindowMillis(), p.sourceLockMillis());
            t.reset();
            if (t.idle(now, p.sourceWindowMillis(), p.sourceLockMillis())) {
                remove(t);
            }
            if (had) {
                happened.add(new LockoutEvent(Instant.ofEpochMilli(now), LockoutEvent.Kind.SOURCE_CLEARED, null,
                        null, null, source.toString(), null, 0, 0, 0, null, actor, LockoutEvent.CAUSE_ADMIN, null));
            }
            return had;
        });
        if (cleared) {
            clears.increment();
            LOG.info("Cleared the lockout state of source {} (by {})", Printable.escape(source.toString()), actor);
        }
        publish(happened);
        return cleared;
    }

    /** @see LockoutService#list */
    List<LockoutEntry> list() {
        long now = clock.millis();
        Policy p = policy;
        List<LockoutEntry> out = new ArrayList<>();
        for (Tally t : accounts.values()) {
            synchronized (t) {
                if (t.removed) {
                    continue;
                }
                t.expire(now, p.windowMillis(), forget(p));
                int hour = t.hour.total(now);
                if (t.allLocked(now)) {
                    boolean permanent = t.allLockedUntil == LockoutTables.PERMANENT;
                    out.add(new LockoutEntry(false, t.key, account(t), hour, hour, t.lockCount,
                            Instant.ofEpochMilli(t.allLockedSince),
                            permanent ? null : Instant.ofEpochMilli(t.allLockedUntil), permanent,
                            t.lastFailure == 0 ? null : Instant.ofEpochMilli(t.lastFailure), LockoutEntry.ALL));
                }
                int before = out.size();
                if (t.scopes != null) {
                    for (Tally s : t.scopes.values()) {
                        s.expire(now, p.windowMillis(), forget(p));
                        if (s.locked(now) || s.failures > 0) {
                            out.add(entry(t, s, hour, now));
                        }
                    }
                }
                // the untrusted sources' entry also stands for failures left only in the trailing hour
                if (t.locked(now) || t.failures > 0 || (hour > 0 && out.size() == before)) {
                    out.add(entry(t, t, hour, now));
                }
            }
        }
        for (Tally t : sources.values()) {
            synchronized (t) {
                t.expire(now, p.sourceWindowMillis(), p.sourceLockMillis());
                if (!t.removed && (t.locked(now) || t.failures > 0)) {
                    out.add(entry(null, t, 0, now));
                }
            }
        }
        out.sort(Comparator.comparing((LockoutEntry e) -> !e.locked()).thenComparing(LockoutEntry::source)
                .thenComparing(LockoutEntry::name)
                .thenComparing(e -> e.scope() == null ? "" : scopeOrder(e.scope())));
        return out;
    }

    /** All sources first, then the untrusted ones, then each trusted origin. */
    private static String scopeOrder(String scope) {
        return scope.equals(LockoutEntry.ALL) ? "0" : scope.equals(LockoutEntry.UNTRUSTED) ? "1" : "2" + scope;
    }

    /** @return the entry of a source ({@code account} null) or of an account's {@code scope} */
    private static LockoutEntry entry(Tally account, Tally t, int hour, long now) {
        boolean locked = t.locked(now);
        return new LockoutEntry(account == null, account == null ? t.key : account.key,
                account == null ? null : account(account), t.failures, hour, t.lockCount,
                locked ? Instant.ofEpochMilli(t.lockedSince) : null,
                locked && !t.permanent() ? Instant.ofEpochMilli(t.lockedUntil) : null, locked && t.permanent(),
                t.lastFailure == 0 ? null : Instant.ofEpochMilli(t.lastFailure),
                account == null ? null : scopeName(account, t));
    }

    // ---- bookkeeping

    /** Runs {@code action} on the key's tally (created when absent) while holding the tally's monitor. */
    private static <K, R> R onTally(ConcurrentHashMap<K, Tally> map, K key, Function<K, Tally> create,
            Function<Tally, R> action) {
        while (true) {
            Tally t = map.computeIfAbsent(key, create);
            synchronized (t) {
                if (!t.removed) {
                    return action.apply(t);
                }
            }
        }
    }

    /** Takes a tally out of its map; the caller holds its monitor. */
    private void remove(Tally t) {
        t.removed = true;
        if (t.source != null) {
            sources.remove(t.source, t);
        } else {
            accounts.remove(t.key, t);
        }
        if (t.known == Tally.Known.NO_ACCOUNT) {
            unknown.decrementAndGet();
        }
        delete(t);
        deleteScopes(t);
    }

    /** Writes an account's tally through to the store (or deletes its row when nothing is left). */
    private void persist(Tally t, long now, Policy p) {
        if (t.known != Tally.Known.ACCOUNT) {
            return;
        }
        if (t.worthNothing(now, p.windowMillis(), forget(p))) {
            delete(t);
            return;
        }
        if (written(() -> store.save(new LockoutStore.Row(t.key, t.failures, t.windowStart, t.lastFailure,
                t.lockCount, t.lockedSince, t.lockedUntil, t.hour.encode(now), t.allLockedSince, t.allLockedUntil),
                now), () -> "store the lockout state of account " + t.key + " (kept in memory)")) {
            t.stored = true;
        }
    }

    /** @return whether no trusted origin of the account holds anything worth keeping */
    private static boolean scopesWorthNothing(Tally t, long now, Policy p) {
        if (t.scopes != null) {
            for (Tally s : t.scopes.values()) {
                if (!s.worthNothing(now, p.windowMillis(), forget(p))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Writes the run and lock of an account from a trusted origin through to the store (or deletes its row). */
    private void persistScope(Tally t, Tally scope, long now, Policy p) {
        if (t.known != Tally.Known.ACCOUNT) {
            return;
        }
        if (scope.worthNothing(now, p.windowMillis(), forget(p))) {
            deleteScope(t.key, scope);
            return;
        }
        if (written(() -> store.saveScope(new LockoutStore.ScopeRow(t.key, scope.origin, scope.failures,
                scope.windowStart, scope.lastFailure, scope.lockCount, scope.lockedSince, scope.lockedUntil), now),
                () -> "store the lockout state of account " + t.key + " from " + scope.key + " (kept in memory)")) {
            scope.stored = true;
            t.scopesStored = true;
        }
    }

    private void deleteScope(String username, Tally scope) {
        if (!scope.stored) {
            return;
        }
        if (written(() -> store.deleteScope(username, scope.origin),
                () -> "delete the lockout state of account " + username + " from " + scope.key)) {
            scope.stored = false;
        }
    }

    private void deleteScopes(Tally t) {
        if (!t.scopesStored) {
            return;
        }
        if (written(() -> store.deleteScopes(t.key),
                () -> "delete the lockout state of account " + t.key + " by source")) {
            t.scopesStored = false;
            if (t.scopes != null) {
                t.scopes.values().forEach(s -> s.stored = false);
            }
        }
    }

    /** Forgets the origins {@code username} is trusted from, in memory and in the store. */
    private void forgetTrust(String username) {
        if (!trust.forget(username)) {
            return;
        }
        written(() -> store.deleteTrust(username), () -> "delete the trusted sources of " + username);
    }

    /**
     * Runs a write to the store; a failure is counted ({@code store_errors}) and warned about, and the
     * state stays in memory.
     *
     * @param what what the write does, for the warning (built only then)
     * @return whether the write went through
     */
    private boolean written(Runnable write, Supplier<String> what) {
        try {
            write.run();
            return true;
        } catch (RuntimeException e) {
            storeErrors.increment();
            LOG.warn("Could not {}: {}", what.get(), e.toString());
            return false;
        }
    }

    private void delete(Tally t) {
        if (!t.stored) {
            return;
        }
        if (written(() -> store.delete(t.key), () -> "delete the lockout state of account " + t.key)) {
            t.stored = false;
        }
    }

    /**
     * Brings {@code map} (its usernames without an account, or all its sources) down to 90 % of
     * {@code max}: unlocked ones before locked ones, least recently failed first, never one in flight.
     * One thread at a time; others go on without waiting.
     */
    private <K> void evict(ConcurrentHashMap<K, Tally> map, boolean onlyUnknown, int max, long now) {
        if (!evicting.tryLock()) {
            return;
        }
        try {
            record Candidate(Tally tally, boolean locked, long lastFailure) {
            }
            List<Candidate> candidates = new ArrayList<>();
            for (Tally t : map.values()) {
                synchronized (t) {
                    if (!t.removed && t.inFlightAll() == 0 && t.pending == null
                            && (!onlyUnknown || t.known == Tally.Known.NO_ACCOUNT)) {
                        candidates.add(new Candidate(t, t.locked(now), t.lastFailure));
                    }
                }
            }
            candidates.sort(Comparator.comparing(Candidate::locked).thenComparingLong(Candidate::lastFailure));
            int target = max - max / 10;
            int count = onlyUnknown ? unknown.get() : map.size();
            int dropped = 0;
            for (Candidate c : candidates) {
                if (count - dropped <= target) {
                    break;
                }
                synchronized (c.tally()) {
                    if (!c.tally().removed && c.tally().inFlightAll() == 0 && c.tally().pending == null) {
                        remove(c.tally());
                        dropped++;
                    }
                }
            }
            evictions.add(dropped);
            if (now - lastEvictionWarning >= 600_000L || now < lastEvictionWarning) {
                lastEvictionWarning = now;
                LOG.warn("Tracking too many {}: forgot the {} least recently failed (limit {}; said at most every"
                        + " 10 minutes, see warden_lockout_evictions_total)",
                        onlyUnknown ? "usernames without an account" : "sources", dropped, max);
            }
        } finally {
            evicting.unlock();
        }
    }

    private void publish(List<LockoutEvent> happened) {
        for (LockoutEvent e : happened) {
            try {
                events.accept(e);
            } catch (RuntimeException ex) {
                LOG.warn("A lockout listener failed on {}: {}", e.kind(), ex.toString());
            }
        }
    }

    /** @return the event of a failure counted on {@code scope} of the account {@code t} */
    private static LockoutEvent event(long now, LockoutEvent.Kind kind, ClientRef client, Tally t, Tally scope) {
        return new LockoutEvent(Instant.ofEpochMilli(now), kind, client.username(), emptyToNull(client.clientId()),
                client.address(), null, account(t), scope.failures, t.hour.total(now), scope.lockCount, null, null,
                null, scopeName(t, scope));
    }

    private static Boolean account(Tally t) {
        return switch (t.known) {
            case ACCOUNT -> Boolean.TRUE;
            case NO_ACCOUNT -> Boolean.FALSE;
            case UNDECIDED -> null;
        };
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    // ---- numbers (for /metrics and tests)

    Map<String, Long> counters() {
        return Map.ofEntries(Map.entry("failures_counted", failuresCounted.sum()),
                Map.entry("account_locks", accountLocks.sum()), Map.entry("source_locks", sourceLocks.sum()),
                Map.entry("denied_locked", deniedLocked.sum()), Map.entry("denied_throttled", deniedThrottled.sum()),
                Map.entry("denied_source", deniedSource.sum()), Map.entry("clears", clears.sum()),
                Map.entry("evictions", evictions.sum()), Map.entry("store_errors", storeErrors.sum()),
                Map.entry("budget_refused", budget.refused()),
                Map.entry("budget_spent_ms", budget.spent() / 1_000_000L));
    }

    Map<String, Long> gauges() {
        Policy p = policy;
        return Map.ofEntries(Map.entry("tracked_usernames", (long) accounts.size()),
                Map.entry("tracked_unknown", (long) unknown.get()), Map.entry("tracked_sources", (long) sources.size()),
                Map.entry("trusted_sources", trust.size()),
                Map.entry("budget_available_ms",
                        p.budgeted() ? budget.available(nanos.getAsLong(), p.loginBudgetPercent()) / 1_000_000L : 0L),
                Map.entry("policy_account_max_failures", (long) p.maxFailures()),
                Map.entry("policy_lock_minutes", (long) p.lockMinutes()),
                Map.entry("policy_lock_max_minutes", (long) p.lockMaxMinutes()),
                Map.entry("policy_source_max_failures", (long) p.sourceMaxFailures()),
                Map.entry("policy_worst_case_failures_per_hour", (long) p.worstCaseFailuresPerHour()),
                Map.entry("policy_login_budget_percent", (long) p.loginBudgetPercent()));
    }
}
