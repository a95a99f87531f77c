package org.mqttwarden.auth.acl;

import java.util.Set;

import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Decision;

/**
 * The ACL answer for an account, in one place for {@code /acl} and {@code warden:acl-check}: no such account
 * or a disabled one is denied, a superuser is allowed, anyone else is decided by the rules
 * ({@link AclIndex#decide}).
 */
public final class AccountAccess {

    public static final Decision UNKNOWN_ACCOUNT = Decision.deny("acl.unknown-account", "no such account");
    public static final Decision DISABLED = Decision.deny("acl.account-disabled", "account disabled");
    public static final Decision SUPERUSER = Decision.allow("acl.superuser", "superuser role");

    private AccountAccess() {
    }

    /**
     * @param exists whether the account exists (when not, the other account fields are not read)
     * @param superuser whether the account holds a role marked superuser
     * @return the decision, with the reason code and the rule that decided it
     */
    public static Decision decide(AclIndex index, boolean exists, String username, Set<String> roles,
            boolean enabled, boolean superuser, String clientId, String topic, Access access) {
        if (!exists) {
            return UNKNOWN_ACCOUNT;
        }
        if (!enabled) {
            return DISABLED;
        }
        if (superuser) {
            return SUPERUSER;
        }
        return index.decide(username, roles, clientId, topic, access);
    }
}
