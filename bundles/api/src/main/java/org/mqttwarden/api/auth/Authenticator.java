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
     * The same answer as {@link #authenticate}, but only when it needs no slow password hash: the
     * credentials were verified recently and are remembered, or the password is a secret the
     * authenticator generated (checked by a fast hash). The caller uses it to keep such logins out of the
     * lane where slow password checks queue (a reconnecting device must not wait behind a bcrypt flood).
     * It may block briefly (login guards, durable events), never on a password hash.
     *
     * @return the decision, or {@code null} when the login needs {@link #authenticate}; a {@code null}
     *         answer has recorded nothing (no guard asked to check, no event)
     * @throws WardenUnavailableException when the answer cannot be known (store unreachable)
     * @since 1.2
     */
    default Decision authenticateFast(Credentials credentials) {
        return null;
    }

    /**
     * The answer to a login when it can be given at once without blocking: the attempt is shed by a
     * login guard ({@link LoginGuard#shed}, refused as {@link LoginGuard#BUSY} before any check, its event
     * not waited for). Called on a thread that must not block (an HTTP IO thread), so that a flood's
     * refused logins cost the broker as little as a cached ACL answer.
     *
     * @return the refusal, or {@code null} when the login needs {@link #authenticateFast} or
     *         {@link #authenticate}; a {@code null} answer has recorded nothing
     * @since 1.2
     */
    default Decision authenticateNow(Credentials credentials) {
        return null;
    }

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
