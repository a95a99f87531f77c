package org.mqttwarden.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service asked before each password check and told each outcome (lockout, throttling).
 * Guards must answer quickly and must not block on slow I/O in {@link #check}.
 */
@ConsumerType
public interface LoginGuard {

    /**
     * Asked before the password is checked. A denial stops the login without running bcrypt, and
     * the client gets exactly the answer of a wrong password.
     *
     * @return an allow to go on, or a denial with the reason code for the audit log
     */
    Decision check(ClientRef client);

    /**
     * Told after the password check.
     *
     * @param success whether the credentials were right
     * @param reason the authenticator's reason code
     */
    void outcome(ClientRef client, boolean success, String reason);
}
