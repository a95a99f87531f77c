package org.mqttwarden.auth;

import java.util.Optional;

import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.store.StoredAccount;
import org.mqttwarden.auth.StoreSnapshots.AclKey;
import org.mqttwarden.auth.StoreSnapshots.Snapshot;
import org.mqttwarden.auth.acl.AccountAccess;

/**
 * The authorization path: {@code /acl} (decided by {@link AccountAccess} on the snapshot's index, and
 * cached per store revision) and {@code /superuser}. Each answer becomes an event through
 * {@link DecisionEvents}.
 */
final class AclDecisions {

    private static final Decision SUPERUSER_UNKNOWN = Decision.deny("superuser.unknown-user", "no such account");
    private static final Decision SUPERUSER_DISABLED = Decision.deny("superuser.disabled", "account disabled");
    private static final Decision SUPERUSER_YES = Decision.allow("superuser.yes", "holds a superuser role");
    private static final Decision SUPERUSER_NO = Decision.deny("superuser.no", "holds no superuser role");

    private final StoreSnapshots snapshots;
    private final DecisionEvents events;
    private final EngineCounters counters;

    AclDecisions(StoreSnapshots snapshots, DecisionEvents events, EngineCounters counters) {
        this.snapshots = snapshots;
        this.events = events;
        this.counters = counters;
    }

    // ---- /superuser

    /** @see org.mqttwarden.api.auth.Authenticator#superuser */
    Decision superuser(String username) {
        Snapshot s = snapshots.current();
        StoredAccount account = Validation.usernameProblem(username) == null
                ? snapshots.account(s, username).orElse(null) : null;
        return superuser(s, username, account);
    }

    /** @see org.mqttwarden.api.auth.Authenticator#superuserNow */
    Decision superuserNow(String username) {
        Snapshot s = snapshots.cached();
        if (s == null) {
            return null;
        }
        Optional<StoredAccount> account = s.cachedAccount(username);
        if (account == null) {
            return null;
        }
        return superuser(s, username, account.orElse(null));
    }

    private Decision superuser(Snapshot s, String username, StoredAccount account) {
        Decision d;
        if (account == null) {
            d = SUPERUSER_UNKNOWN;
        } else if (!account.enabled()) {
            d = SUPERUSER_DISABLED;
        } else {
            d = s.isSuperuser(account) ? SUPERUSER_YES : SUPERUSER_NO;
        }
        events.superuser(username, account, d);
        return d;
    }

    // ---- /acl

    /** @see org.mqttwarden.api.auth.Authorizer#authorizeNow */
    Decision authorizeNow(ClientRef client, String topic, Access access) {
        Snapshot s = snapshots.cached();
        if (s == null) {
            return null;
        }
        Decision d = s.cachedDecision(new AclKey(client.username(), client.clientId(), topic, access));
        Optional<StoredAccount> account = s.cachedAccount(client.username());
        if (d == null || account == null || (!d.allowed() && events.active())) {
            return null;
        }
        counters.aclCacheHits.increment();
        events.acl(client, account.orElse(null), topic, access, d);
        return d;
    }

    /** @see org.mqttwarden.api.auth.Authorizer#authorize */
    Decision authorize(ClientRef client, String topic, Access access) {
        Snapshot s = snapshots.current();
        AclKey key = new AclKey(client.username(), client.clientId(), topic, access);
        Decision d = s.cachedDecision(key);
        (d == null ? counters.aclCacheMisses : counters.aclCacheHits).increment();
        StoredAccount account = Validation.usernameProblem(client.username()) == null
                ? snapshots.account(s, client.username()).orElse(null) : null;
        if (d == null) {
            d = decide(s, account, client, topic, access);
            snapshots.remember(s, key, d);
        }
        events.acl(client, account, topic, access, d);
        return d;
    }

    /** @see org.mqttwarden.api.auth.Authorizer#explain */
    Decision explain(ClientRef client, String topic, Access access) {
        Snapshot s = snapshots.current();
        StoredAccount account = Validation.usernameProblem(client.username()) == null
                ? snapshots.account(s, client.username()).orElse(null) : null;
        return decide(s, account, client, topic, access);
    }

    private static Decision decide(Snapshot s, StoredAccount account, ClientRef client, String topic,
            Access access) {
        return account == null ? AccountAccess.UNKNOWN_ACCOUNT
                : AccountAccess.decide(s.index, true, account.username(), account.roles(), account.enabled(),
                        s.isSuperuser(account), client.clientId(), topic, access);
    }
}
