package org.mqttwarden.api.account;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An MQTT account as admins see it. The password hash is not part of it.
 *
 * @param username the MQTT username
 * @param roles the names of the roles the account holds
 * @param email the e-mail address for recovery, or {@code null}
 * @param enabled whether the account may log in
 * @param created when the account was created
 * @param updated when the account last changed
 */
public record Account(String username, Set<String> roles, String email, boolean enabled, Instant created,
        Instant updated) {

    public Account {
        Objects.requireNonNull(username, "username");
        roles = Set.copyOf(roles);
    }

    public Optional<String> knownEmail() {
        return Optional.ofNullable(email);
    }
}
