package org.mqttwarden.api.auth;

import java.util.Optional;

/**
 * The reason codes of a login decision ({@code /user}): what the engine answers and what login guards
 * ({@link LoginGuard#outcome}) and event sinks are told. Guards act on two facts a code carries, so a
 * renamed code cannot silently switch lockout off: whether the failure is a password guess to count, and
 * what it says about the account's existence. Guards' own refusals ({@link LoginGuard#BUSY}, locks) are
 * theirs, not listed here.
 */
public enum LoginReason {
    /** The password was checked and is right. */
    OK("auth.ok", true, Boolean.TRUE),
    /** The same password was verified within the remembered period: no check needed. */
    OK_REMEMBERED("auth.ok-remembered", true, Boolean.TRUE),
    /** The password was checked and is wrong: a guess. */
    BAD_PASSWORD("auth.bad-password", false, Boolean.TRUE),
    /**
     * The password is right but the account's second factor ({@link SecondFactor}) is missing, wrong or replayed:
     * a guess, counted like a wrong password.
     *
     * @since 1.5
     */
    BAD_CODE("auth.bad-code", false, Boolean.TRUE),
    /** No such account (a dummy check was spent): a guess, at a name that does not exist. */
    UNKNOWN_USER("auth.unknown-user", false, Boolean.FALSE),
    /** The account exists and is disabled: refused, not a guess. */
    DISABLED("auth.disabled", false, Boolean.TRUE),
    /** The username is malformed (refused before any lookup): not a guess. */
    INVALID_USERNAME("auth.invalid-username", false, null),
    /** The password is empty or too long (refused before any check): not a guess. */
    INVALID_PASSWORD("auth.invalid-password", false, null),
    /** The check failed (store unreachable, ...): not a guess. */
    ERROR("auth.error", false, null),
    /** A login guard is required and none is present: refused, not a guess. */
    GUARD_MISSING("auth.guard-missing", false, null);

    private final String code;
    private final boolean allowed;
    private final Boolean accountExists;

    LoginReason(String code, boolean allowed, Boolean accountExists) {
        this.code = code;
        this.allowed = allowed;
        this.accountExists = accountExists;
    }

    /** @return the code as it appears in decisions, events and the audit log, e.g. {@code auth.bad-password} */
    public String code() {
        return code;
    }

    /** @return whether a login with this reason got in */
    public boolean allowed() {
        return allowed;
    }

    /** @return whether this failure is a password guess that lockout counts */
    public boolean guess() {
        return this == BAD_PASSWORD || this == UNKNOWN_USER || this == BAD_CODE;
    }

    /** @return whether the username has an account; empty when this reason does not tell */
    public Optional<Boolean> accountExists() {
        return Optional.ofNullable(accountExists);
    }

    /** @return the reason with this code, if it is one of these */
    public static Optional<LoginReason> of(String code) {
        if (code != null) {
            for (LoginReason r : values()) {
                if (r.code.equals(code)) {
                    return Optional.of(r);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * @return whether a failed login with {@code code} is a guess to count: a {@link #guess()} reason, and,
     *     failing closed, any {@code auth.*} code this version does not know (a newer engine's failure)
     */
    public static boolean countsAsGuess(String code) {
        return of(code).map(LoginReason::guess).orElse(code != null && code.startsWith("auth."));
    }
}
