package org.mqttwarden.api.account;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Administration of accounts, roles and ACL rules. Every method validates its input and throws
 * {@link InvalidInputException} with one clear sentence, changing nothing, when it is wrong. Every
 * change is recorded as an admin-change security event naming {@code actor}.
 */
@ProviderType
public interface AccountService {

    /**
     * Creates an account.
     *
     * @param password the password, at least the configured minimum length, at most 128 characters
     * @param roles role names; each must exist
     * @param email recovery e-mail, or {@code null}
     * @param actor who makes the change (e.g. the Karaf shell user)
     */
    Account createAccount(String username, String password, Set<String> roles, String email, String actor);

    /**
     * Creates an invited account: it holds no password, so it cannot log in, until its holder sets one (with an
     * e-mailed {@code verify} code, see {@code org.mqttwarden.api.otp}) or an admin does ({@link #setPassword}).
     * The admin who invites never knows the password. Recorded as {@link AdminChange#ACCOUNT_INVITE}.
     *
     * @param email where the invitation goes; required
     * @since 1.3
     */
    Account inviteAccount(String username, Set<String> roles, String email, String actor);

    /**
     * @return whether the account has a password; false for an invited account that has not set one yet
     * @throws InvalidInputException when there is no such account
     * @since 1.3
     */
    boolean hasPassword(String username);

    /**
     * @return the names of the invited accounts that have no password yet, read in one pass (for a listing: cheaper
     *     than {@link #hasPassword} per account)
     * @since 1.3
     */
    Set<String> invitedAccounts();

    /** @return a long random secret for a device account, meant to be shown once */
    String generatePassword();

    /** Sets a new password; drops remembered verifications of the old one. */
    void setPassword(String username, String password, String actor);

    /**
     * Checks a password against the policy without changing anything: for a flow that must not spend something
     * (a one-time code) on a password {@link #setPassword} would refuse.
     *
     * @return why the policy refuses {@code password}, one sentence for the person who typed it; empty when it
     *     accepts it
     */
    Optional<String> passwordProblem(String password);

    /** Enables or disables an account. A disabled account cannot log in. */
    void setEnabled(String username, boolean enabled, String actor);

    /** Removes an account and the rules that name it. */
    void removeAccount(String username, String actor);

    Optional<Account> findAccount(String username);

    /** @return all accounts, ordered by username */
    List<Account> listAccounts();

    /** @return all roles, ordered by name */
    List<Role> listRoles();

    Role addRole(String name, boolean superuser, String description, String actor);

    /** Removes a custom role, its rules and its grants. Built-in roles cannot be removed. */
    void removeRole(String name, String actor);

    void grantRole(String username, String role, String actor);

    void revokeRole(String username, String role, String actor);

    /** Validates and stores a rule. @return the rule with its id */
    AclRule addRule(AclRule rule, String actor);

    void removeRule(long id, String actor);

    /** @return all rules, ordered by id */
    List<AclRule> listRules();
}
