package org.mqttwarden.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A second login step for the accounts that enrolled in one (warden-otp's TOTP, RFC 6238). An enrolled account
 * logs in with its password immediately followed by a code of {@link #codeLength()} digits in the MQTT password
 * field. The engine checks the password first (a wrong one never reaches {@link #verify}, so a guesser cannot
 * spend the account's codes) and then the code, on every login: a remembered password never lets a code through
 * unchecked. Accounts that are not {@link #required enrolled} are not touched.
 *
 * <p>At most one is used. When none is registered (warden-otp stopped or uninstalled), enrolled accounts log in
 * with their password alone; warden-otp says so in its log when it stops with accounts enrolled.
 *
 * @since 1.5
 */
@ConsumerType
public interface SecondFactor {

    /**
     * Asked on every login of an existing account: must answer from memory, without I/O or locks held for long,
     * since the broker waits for the answer.
     *
     * @return whether {@code username} must add a code to its password
     */
    boolean required(String username);

    /** @return the digits of a code, the last characters of the password field of an enrolled account */
    default int codeLength() {
        return 6;
    }

    /**
     * Checks a code once the account's password is known to be right. A code accepted once is never accepted
     * again for the account, so a replayed login fails.
     *
     * @param code the last {@link #codeLength()} characters of the password field, not checked for form
     * @return whether the code is right and fresh; false also when the check cannot be made (fail closed)
     */
    boolean verify(String username, String code);
}
