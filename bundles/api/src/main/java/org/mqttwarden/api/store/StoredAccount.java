package org.mqttwarden.api.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

import org.mqttwarden.api.account.Account;

/**
 * An account row as stored, password hash included. The hash never appears in
 * {@link #toString()}.
 */
public record StoredAccount(String username, String passwordHash, Set<String> roles, String email, boolean enabled,
        Instant created, Instant updated) {

    public StoredAccount {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(passwordHash, "passwordHash");
        roles = Set.copyOf(roles);
    }

    /** @return the account without its hash */
    public Account toAccount() {
        return new Account(username, roles, email, enabled, created, updated);
    }

    @Override
    public String toString() {
        return "StoredAccount[username=" + username + ", roles=" + roles + ", enabled=" + enabled
                + ", passwordHash=***]";
    }
}
