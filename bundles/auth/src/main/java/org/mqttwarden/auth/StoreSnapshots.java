package org.mqttwarden.auth;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.WardenUnavailableException;
import org.mqttwarden.api.store.AccountStore;
import org.mqttwarden.api.store.StoredAccount;
import org.mqttwarden.auth.acl.AclIndex;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * What the decisions read from the store, one snapshot per store revision: the roles, the ACL index, and
 * caches of accounts and ACL decisions that fill as they are asked for, bounded by {@link CacheBounds}
 * (Caffeine's size bound, enforced on the calling thread, so it holds without a thread of Caffeine's own). A
 * change made through {@code AccountService} moves the revision, so the next request starts a new snapshot and
 * the old one's caches are dropped whole.
 *
 * <p>Reads are quiet ({@code getIfPresentQuietly}): they are the decision path's hottest step, and Caffeine's
 * read bookkeeping there cost a remembered login 64 B of allocation (escape analysis lost) and ~25 ns
 * ({@code LoginGuardBenchmark}). Without it a full cache evicts by how often entries were put (about once per
 * revision each), not by reads: still far better than the clear-all-when-full it replaces.
 */
final class StoreSnapshots {

    /** An ACL question as the decision cache knows it. */
    record AclKey(String username, String clientId, String topic, Access access) {
    }

    /** Everything derived from one revision of the store. */
    static final class Snapshot {

        final long revision;
        final AclIndex index;
        private final Map<String, Role> roles;
        private final Cache<String, Optional<StoredAccount>> accounts;
        private final Cache<AclKey, Decision> decisions;

        private Snapshot(long revision, AclIndex index, Map<String, Role> roles, CacheBounds bounds) {
            this.revision = revision;
            this.index = index;
            this.roles = roles;
            this.accounts = Caffeine.newBuilder().maximumSize(bounds.accounts()).executor(Runnable::run).build();
            this.decisions = Caffeine.newBuilder().maximumSize(bounds.decisions()).executor(Runnable::run)
                    .build();
        }

        /** @return the account as cached: present, known absent (empty), or {@code null} when not cached */
        Optional<StoredAccount> cachedAccount(String username) {
            return accounts.policy().getIfPresentQuietly(username);
        }

        /** @return the cached decision for this question, or {@code null} */
        Decision cachedDecision(AclKey key) {
            return decisions.policy().getIfPresentQuietly(key);
        }

        /** @return whether the account holds a role marked superuser */
        boolean isSuperuser(StoredAccount account) {
            for (String r : account.roles()) {
                Role role = roles.get(r);
                if (role != null && role.superuser()) {
                    return true;
                }
            }
            return false;
        }
    }

    private final AccountStore store;
    private final CacheBounds bounds;
    private final EngineCounters counters;
    private volatile Snapshot snapshot;

    StoreSnapshots(AccountStore store, CacheBounds bounds, EngineCounters counters) {
        this.store = store;
        this.bounds = bounds;
        this.counters = counters;
    }

    /** @return the snapshot when it is still current, else null (checking costs no I/O) */
    Snapshot cached() {
        Snapshot s = snapshot;
        return s != null && s.revision == store.revision() ? s : null;
    }

    /**
     * @return the snapshot of the store's current revision, built now when the revision moved
     * @throws WardenUnavailableException when the store fails
     */
    Snapshot current() {
        long revision = unavailableOnFailure(store::revision);
        Snapshot s = snapshot;
        if (s != null && s.revision == revision) {
            return s;
        }
        synchronized (this) {
            s = snapshot;
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
                    bounds.accounts());
            counters.indexBuilds.increment();
            s = new Snapshot(revision, index, Map.copyOf(roles), bounds);
            snapshot = s;
            return s;
        }
    }

    /**
     * @return the account from the snapshot's cache, read from the store (and cached) when not there yet;
     *     empty when there is no such account
     * @throws WardenUnavailableException when the store fails
     */
    Optional<StoredAccount> account(Snapshot s, String username) {
        Optional<StoredAccount> a = s.cachedAccount(username);
        if (a == null) {
            // read outside the cache: a computing get would hold other look-ups behind the store's I/O
            a = unavailableOnFailure(() -> store.findAccount(username));
            s.accounts.put(username, a);
        }
        return a;
    }

    /** Caches a decision in the snapshot it was made from. */
    void remember(Snapshot s, AclKey key, Decision d) {
        s.decisions.put(key, d);
    }

    static <T> T unavailableOnFailure(Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw new WardenUnavailableException("The account store failed: " + e.getMessage(), e);
        }
    }
}
