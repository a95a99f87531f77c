package org.mqttwarden.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.account.SubjectType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Persistence of accounts, roles, role grants and ACL rules. Plain storage: validation, hashing
 * and caching live in the services above it. Methods returning {@code boolean} say whether a row
 * was changed. Failures of the database surface as unchecked exceptions.
 */
@ProviderType
public interface AccountStore {

    Optional<StoredAccount> findAccount(String username);

    List<StoredAccount> listAccounts();

    /** @return the number of accounts */
    long countAccounts();

    /** @return the number of accounts holding the role @since 1.1 */
    default long countAccountsWithRole(String role) {
        return listAccounts().stream().filter(a -> a.roles().contains(role)).count();
    }

    /** Inserts an account with its role grants. @return false when the username is taken */
    boolean insertAccount(StoredAccount account);

    boolean updatePasswordHash(String username, String passwordHash, Instant now);

    boolean updateEnabled(String username, boolean enabled, Instant now);

    /** Deletes an account, its grants and the rules that name it. */
    boolean deleteAccount(String username);

    List<Role> listRoles();

    Optional<Role> findRole(String name);

    boolean insertRole(Role role);

    /** Deletes a role, its grants and its rules. */
    boolean deleteRole(String name);

    boolean grantRole(String username, String role, Instant now);

    boolean revokeRole(String username, String role, Instant now);

    List<AclRule> listRules();

    /**
     * The rules of one subject, or of every subject of a type, in id order: what a decision needs
     * without loading every rule of every account.
     *
     * @param subject the role or account name, or {@code null} for every subject of the type
     * @since 1.1
     */
    default List<AclRule> listRules(SubjectType type, String subject) {
        return listRules().stream()
                .filter(r -> r.subjectType() == type && (subject == null || r.subject().equals(subject)))
                .toList();
    }

    /** @return the rule with this id, if there is one @since 1.1 */
    default Optional<AclRule> findRule(long id) {
        return listRules().stream().filter(r -> r.id() == id).findFirst();
    }

    /** @return the rule with the id the store gave it */
    AclRule insertRule(AclRule rule);

    /**
     * @return the id the next rule would get now (one above the highest), for a change that must name its
     *     rule before making it (its audit record); another change may take it first, see
     *     {@link #insertRuleWithId} @since 1.2
     */
    default long nextRuleId() {
        return listRules().stream().mapToLong(AclRule::id).max().orElse(0) + 1;
    }

    /**
     * Inserts a rule under the id it carries (from {@link #nextRuleId}).
     *
     * @return whether it was inserted; {@code false} when that id is taken already (a concurrent change)
     * @since 1.2
     */
    boolean insertRuleWithId(AclRule rule);

    boolean deleteRule(long id);

    /**
     * @return a number that changes whenever anything this store holds changes through it; caches
     *     above the store compare it to drop stale answers
     */
    long revision();
}
