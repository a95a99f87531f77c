package org.mqttwarden.lockout;

import java.util.List;

/** Administration of the lockout state (shell commands; an OTP unlock later). */
public interface LockoutService {

    /**
     * @return the usernames and sources with a lock, a failure in the current run or (usernames) a failure in
     *     the trailing hour: locked ones first, then by name
     */
    List<LockoutEntry> list();

    /**
     * Clears a username's lock, failures, lock history and trailing-hour count, and records a
     * {@code lockout.cleared} event.
     *
     * @param actor who clears, e.g. {@code shell:warden-admin}
     * @param cause why, e.g. {@code admin}, {@code password}, {@code otp}
     * @return whether there was anything to clear
     */
    boolean clearAccount(String username, String actor, String cause);

    /**
     * Clears a source's lock and failures, and records a {@code lockout.source-cleared} event.
     *
     * @return whether there was anything to clear
     */
    boolean clearSource(SourceKey source, String actor);
}
