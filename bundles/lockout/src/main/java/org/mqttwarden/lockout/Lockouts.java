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

import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lockout rules at work: one {@link Tally} per username and per source, in memory, each guarded by
 * its own monitor (no global lock on the login path); accounts' tallies written through to the store.
 *
 * <ul>
 * <li><b>Accounts.</b> {@code N} failures in a run (a run lasts one window from its first failure) lock
 * the username for {@code lock * 2^k} (k: earlier locks since the last reset), at most {@code max}, or
 * until cleared when locks are permanent. A successful login resets the run and the lock history, not
 * the trailing-hour count. At {@value Policy#HOURLY_CEILING} failures in the trailing hour the account
 * is locked whatever the policy, until the count falls below it.</li>
 * <li><b>Exact under concurrency.</b> {@link #check} reserves: failures plus attempts in flight never
 * exceed {@code N} (nor the ceiling); an attempt beyond is refused ({@code lockout.throttled}) without a
 * password check. {@link #outcome} releases the reservation. So {@code N} wrong attempts fired at once
 * make exactly {@code N} counted failures and a lock; none after it gets in.</li>
 * <li><b>Usernames without an account</b> are counted and locked alike (a lock answers like a wrong
 * password, so locks tell nothing about who exists), but only in memory, at most
 * {@code max.tracked.unknown} of them: beyond it the least recently failed go first, unlocked ones before
 * locked ones. Whether a username has an account is learnt from the outcome's reason.</li>
 * <li><b>Sources</b> (client id; address when known) count failures across usernames and lock the source
 * at {@code source.max.failures}, in memory only (at most {@code max.tracked.sources}; lost on restart).
 * A username that logged in successfully from a source within {@code source.trust.days} is exempt from
 * that source's lock, so an attacker reusing a device's client id or address does not lock its owner
 * out. Successes never reset a source's count.</li>
 * </ul>
 */
final class Lockouts {

    private static final Logger LOG = LoggerFactory.getLogger(Lockouts.class);

    static final Decision ALLOW = Decision.allow("lockout.ok", "");
    static final Decision LOCKED = Decision.deny("lockout.locked", "account locked");
    static final Decision THROTTLED = Decision.deny("lockout.throttled",
            "failures and attempts in flight reach the limit");
    static final Decision SOURCE_LOCKED = Decision.deny("lockout.source-throttled", "source locked");

    /** Outcome reasons that are not a password guess: not counted, and not a success. */
    private static final Set<String> NEUTRAL = Set.of("auth.error", "auth.disabled", "auth.guard-missing");

    private final LockoutStore store;
    private final Clock clock;
    private final Consumer<LockoutEvent> events;
    private volatile Policy policy;

    private final ConcurrentHashMap<String, Tally> accounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SourceKey, Tally> sources = new ConcurrentHashMap<>();
    /** A source and a username to the time of the username's latest successful login from it. */
    private final ConcurrentHashMap<Trust, Long> trusted = new ConcurrentHashMap<>();

    private record Trust(SourceKey source, String username) {
    }

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
     * Loads the accounts' state from {@code store} (dropping rows with nothing left to remember).
     *
     * @param events told of every counted failure, lock and clear, after the tally's lock is released
     */
    Lockouts(LockoutStore store, Policy policy, Clock clock, Consumer<LockoutEvent> events) {
        this.store = store;
        this.policy = policy;
        this.clock = clock;
        this.events = events;
        long now = clock.millis();
        int locked = 0;
        for (LockoutStore.Row row : store.loadAll()) {
            Tally t = new Tally(row.username(), HourCounter.decode(row.hourFailures()));
            t.failures = row.failures();
            t.windowStart = row.windowStart();
            t.lastFailure = row.lastFailure();
            t.lockCount = row.lockCount();
            t.lockedSince = row.lockedSince();
            t.lockedUntil = row.lockedUntil();
            t.known = Tally.Known.ACCOUNT;
            t.stored = true;
            if (t.worthNothing(now, policy.windowMillis(), forget(policy))) {
                delete(t);
            } else {
                accounts.put(t.key, t);
                locked += t.locked(now) ? 1 : 0;
            }
        }
        LOG.info("Lockout state loaded: {} accounts tracked, {} locked", accounts.size(), locked);
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

    /** @return an allow (a reservation to be settled by {@link #outcome}), or the denial */
    Decision check(ClientRef client) {
        long now = clock.millis();
        Policy p = policy;
        List<SourceKey> keys = sourceKeys(client, p);
        for (int i = 0; i < keys.size(); i++) {
            SourceKey k = keys.get(i);
            Decision d = onTally(sources, k, NEW_SOURCE, t -> reserveSource(t, k, client.username(), now, p));
            if (d != null) {
                releaseSources(keys.subList(0, i), now, p);
                return d;
            }
        }
        List<LockoutEvent> happened = new ArrayList<>(0);
        Decision d = onTally(accounts, client.username(), NEW_ACCOUNT,
                t -> reserveAccount(t, client, now, p, happened));
        if (d != null) {
            releaseSources(keys, now, p);
            publish(happened);
            return d;
        }
        return ALLOW;
    }

    private Decision reserveSource(Tally t, SourceKey k, String username, long now, Policy p) {
        t.expire(now, p.sourceWindowMillis(), p.sourceLockMillis());
        if (!isTrusted(k, username, now, p)) {
            if (t.locked(now) || t.failures + t.inFlight >= p.sourceMaxFailures()) {
                deniedSource.increment();
                return SOURCE_LOCKED;
            }
        }
        t.inFlight++;
        return null;
    }

    private Decision reserveAccount(Tally t, ClientRef client, long now, Policy p, List<LockoutEvent> happened) {
        t.expire(now, p.windowMillis(), forget(p));
        if (t.locked(now)) {
            deniedLocked.increment();
            return LOCKED;
        }
        int hour = t.hour.total(now);
        if (t.inFlight == 0 && (t.failures >= p.maxFailures() || hour >= Policy.HOURLY_CEILING)) {
            // due without a new failure: the policy was lowered, or late outcomes filled the hour
            lockAccount(t, client, now, p, t.failures >= p.maxFailures() ? "failures" : "ceiling", happened);
            persist(t, now, p);
            deniedLocked.increment();
            return LOCKED;
        }
        if (t.failures + t.inFlight >= p.maxFailures() || hour + t.inFlight >= Policy.HOURLY_CEILING) {
            deniedThrottled.increment();
            return THROTTLED;
        }
        t.inFlight++;
        return null;
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
            if (success && p.sourceTrustDays() > 0) {
                Trust key = new Trust(k, client.username());
                Long at = trusted.get(key);
                // refreshed at most once a minute: a device reconnecting often writes nothing
                if (at == null || now - at >= 60_000L || now < at) {
                    trusted.put(key, now);
                }
            }
        }
        publish(happened);
        if (unknown.get() > p.maxTrackedUnknown()) {
            evict(accounts, true, p.maxTrackedUnknown(), now);
        }
        if (sources.size() > p.maxTrackedSources()) {
            evict(sources, false, p.maxTrackedSources(), now);
        }
        if (trusted.size() > p.maxTrackedSources()) {
            evictTrust(p.maxTrackedSources(), now, p);
        }
    }

    /** @return whether a failed login with this reason is a password guess to count */
    static boolean counts(String reason) {
        return reason != null && reason.startsWith("auth.") && !NEUTRAL.contains(reason)
                && !reason.startsWith("auth.invalid-");
    }

    private static Tally.Known knownFrom(String reason) {
        if ("auth.unknown-user".equals(reason)) {
            return Tally.Known.NO_ACCOUNT;
        }
        if ("auth.bad-password".equals(reason) || "auth.ok".equals(reason) || "auth.ok-remembered".equals(reason)
                || "auth.disabled".equals(reason)) {
            return Tally.Known.ACCOUNT;
        }
        return null;
    }

    private void settleAccount(Tally t, ClientRef client, boolean success, boolean counted, Tally.Known known,
            long now, Policy p, List<LockoutEvent> happened) {
        t.inFlight = Math.max(0, t.inFlight - 1);
        if (known != null && known != t.known) {
            if (t.known == Tally.Known.NO_ACCOUNT) {
                unknown.decrementAndGet();
            }
            if (known == Tally.Known.NO_ACCOUNT) {
                unknown.incrementAndGet();
                delete(t); // a row left for an account that is gone
            }
            t.known = known;
        }
        t.expire(now, p.windowMillis(), forget(p));
        boolean changed = false;
        if (success) {
            if (t.failures > 0 || t.lockCount > 0 || t.lockedSince != 0) {
                t.failures = 0;
                t.windowStart = 0;
                t.lockCount = 0;
                t.lockedSince = 0;
                t.lockedUntil = 0;
                changed = true;
            }
        } else if (counted) {
            failuresCounted.increment();
            changed = true;
            if (t.locked(now)) {
                // settled after a lock began (only when the policy was lowered meanwhile): counts for the hour
                t.hour.add(now);
                t.lastFailure = now;
            } else {
                t.fail(now, p.windowMillis(), forget(p));
                happened.add(event(now, LockoutEvent.Kind.FAILURE, client, null, t, null, null, null));
                if (t.failures >= p.maxFailures()) {
                    lockAccount(t, client, now, p, "failures", happened);
                } else if (t.hour.total(now) >= Policy.HOURLY_CEILING) {
                    lockAccount(t, client, now, p, "ceiling", happened);
                }
            }
        }
        if (changed) {
            persist(t, now, p);
        }
        if (t.idle(now, p.windowMillis(), forget(p))) {
            remove(t);
        }
    }

    private void lockAccount(Tally t, ClientRef client, long now, Policy p, String cause,
            List<LockoutEvent> happened) {
        int run = t.failures;
        long until;
        if (p.permanent()) {
            until = LockoutTables.PERMANENT;
        } else {
            until = now + p.lockMillis(t.lockCount);
            if (t.hour.total(now) >= Policy.HOURLY_CEILING) {
                until = Math.max(until, t.hour.releaseTime(now, Policy.HOURLY_CEILING));
            }
        }
        t.lock(now, until);
        accountLocks.increment();
        LOG.info("Locked {} {} after {} failures ({} in the last hour), until {}", t.known == Tally.Known.ACCOUNT
                ? "account" : "username", client.username(), run, t.hour.total(now), until == LockoutTables.PERMANENT
                        ? "cleared" : Instant.ofEpochMilli(until));
        happened.add(new LockoutEvent(Instant.ofEpochMilli(now), LockoutEvent.Kind.ACCOUNT_LOCKED, client.username(),
                emptyToNull(client.clientId()), client.address(), null, account(t), run, t.hour.total(now),
                t.lockCount, until == LockoutTables.PERMANENT ? null : Instant.ofEpochMilli(until), null, cause));
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
                LOG.info("Locked source {} after {} failures, until {}", k, run, Instant.ofEpochMilli(until));
                happened.add(new LockoutEvent(Instant.ofEpochMilli(now), LockoutEvent.Kind.SOURCE_LOCKED,
                        client.username(), emptyToNull(client.clientId()), client.address(), k, null, run, 0,
                        t.lockCount, Instant.ofEpochMilli(until), null, "failures"));
            }
        }
        if (t.idle(now, p.sourceWindowMillis(), p.sourceLockMillis())) {
            remove(t);
        }
    }

    private boolean isTrusted(SourceKey k, String username, long now, Policy p) {
        if (p.sourceTrustDays() == 0) {
            return false;
        }
        Long at = trusted.get(new Trust(k, username));
        return at != null && now - at < p.sourceTrustMillis();
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
        Tally existing = accounts.get(username);
        if (existing == null) {
            return false;
        }
        List<LockoutEvent> happened = new ArrayList<>(1);
        boolean cleared = onTally(accounts, username, NEW_ACCOUNT, t -> {
            boolean had = !t.worthNothing(now, p.windowMillis(), forget(p));
            t.reset();
            persist(t, now, p);
            if (t.idle(now, p.windowMillis(), forget(p))) {
                remove(t);
            }
            if (had) {
                happened.add(new LockoutEvent(Instant.ofEpochMilli(now), LockoutEvent.Kind.ACCOUNT_CLEARED,
                        username, null, null, null, account(t), 0, 0, 0, null, actor, cause));
            }
            return had;
        });
        if (cleared) {
            clears.increment();
            LOG.info("Cleared the lockout state of {} ({}, by {})", username, cause, actor);
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
                        null, null, source, null, 0, 0, 0, null, actor, "admin"));
            }
            return had;
        });
        if (cleared) {
            clears.increment();
            LOG.info("Cleared the lockout state of source {} (by {})", source, actor);
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
                t.expire(now, p.windowMillis(), forget(p));
                int hour = t.hour.total(now);
                if (!t.removed && (t.locked(now) || t.failures > 0 || hour > 0)) {
                    out.add(entry(t, false, hour, now));
                }
            }
        }
        for (Tally t : sources.values()) {
            synchronized (t) {
                t.expire(now, p.sourceWindowMillis(), p.sourceLockMillis());
                if (!t.removed && (t.locked(now) || t.failures > 0)) {
                    out.add(entry(t, true, 0, now));
                }
            }
        }
        out.sort(Comparator.comparing((LockoutEntry e) -> !e.locked()).thenComparing(LockoutEntry::source)
                .thenComparing(LockoutEntry::name));
        return out;
    }

    private static LockoutEntry entry(Tally t, boolean source, int hour, long now) {
        boolean locked = t.locked(now);
        return new LockoutEntry(source, t.key, source ? null : account(t), t.failures, hour, t.lockCount,
                locked ? Instant.ofEpochMilli(t.lockedSince) : null,
                locked && !t.permanent() ? Instant.ofEpochMilli(t.lockedUntil) : null, locked && t.permanent(),
                t.lastFailure == 0 ? null : Instant.ofEpochMilli(t.lastFailure));
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
        try {
            store.save(new LockoutStore.Row(t.key, t.failures, t.windowStart, t.lastFailure, t.lockCount,
                    t.lockedSince, t.lockedUntil, t.hour.encode(now)), now);
            t.stored = true;
        } catch (RuntimeException e) {
            storeErrors.increment();
            LOG.warn("Could not store the lockout state of account {} (kept in memory): {}", t.key, e.toString());
        }
    }

    private void delete(Tally t) {
        if (!t.stored) {
            return;
        }
        try {
            store.delete(t.key);
            t.stored = false;
        } catch (RuntimeException e) {
            storeErrors.increment();
            LOG.warn("Could not delete the lockout state of account {}: {}", t.key, e.toString());
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
                    if (!t.removed && t.inFlight == 0 && (!onlyUnknown || t.known == Tally.Known.NO_ACCOUNT)) {
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
                    if (!c.tally().removed && c.tally().inFlight == 0) {
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

    private void evictTrust(int max, long now, Policy p) {
        if (!evicting.tryLock()) {
            return;
        }
        try {
            trusted.entrySet().removeIf(e -> now - e.getValue() >= p.sourceTrustMillis());
            if (trusted.size() > max) {
                List<Map.Entry<Trust, Long>> all = new ArrayList<>(trusted.entrySet());
                all.sort(Map.Entry.comparingByValue());
                for (int i = 0; i < all.size() - (max - max / 10); i++) {
                    trusted.remove(all.get(i).getKey(), all.get(i).getValue());
                }
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

    private static LockoutEvent event(long now, LockoutEvent.Kind kind, ClientRef client, SourceKey source,
            Tally t, Instant until, String actor, String cause) {
        return new LockoutEvent(Instant.ofEpochMilli(now), kind, client.username(), emptyToNull(client.clientId()),
                client.address(), source, account(t), t.failures, t.hour == null ? 0 : t.hour.total(now), t.lockCount,
                until, actor, cause);
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
        return Map.of("failures_counted", failuresCounted.sum(), "account_locks", accountLocks.sum(),
                "source_locks", sourceLocks.sum(), "denied_locked", deniedLocked.sum(), "denied_throttled",
                deniedThrottled.sum(), "denied_source", deniedSource.sum(), "clears", clears.sum(), "evictions",
                evictions.sum(), "store_errors", storeErrors.sum());
    }

    Map<String, Long> gauges() {
        Policy p = policy;
        return Map.of("tracked_usernames", (long) accounts.size(), "tracked_unknown", (long) unknown.get(),
                "tracked_sources", (long) sources.size(), "policy_account_max_failures", (long) p.maxFailures(),
                "policy_lock_minutes", (long) p.lockMinutes(), "policy_source_max_failures",
                (long) p.sourceMaxFailures(), "policy_worst_case_failures_per_hour",
                (long) p.worstCaseFailuresPerHour());
    }
}
