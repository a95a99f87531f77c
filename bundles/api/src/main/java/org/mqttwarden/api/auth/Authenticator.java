package org.mqttwarden.api.auth;

import org.osgi.annotation.versioning.ProviderType;

/** Answers go-auth's {@code /user} and {@code /superuser} questions. */
@ProviderType
public interface Authenticator {

    /**
     * Checks a client's credentials. Unknown users, wrong passwords, disabled and locked accounts
     * all come back as a denial; only the reason code (for the audit log) tells them apart.
     *
     * @return the decision, never {@code null}
     * @throws WardenUnavailableException when the answer cannot be known (store unreachable)
     */
    Decision authenticate(Credentials credentials);

    /**
     * @return an allow when the username names an enabled account holding a superuser role
     * @throws WardenUnavailableException when the answer cannot be known
     */
    Decision superuser(String username);

    /**
     * The same answer as {@link #superuser}, but only when it can be given at once from caches,
     * without blocking.
     *
     * @return the decision, or {@code null} when it needs {@link #superuser} on a thread that may block
     */
    default Decision superuserNow(String username) {
        return null;
    }
}
