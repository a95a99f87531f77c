package org.mqttwarden.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.store.AccountStore;
import org.mqttwarden.api.store.StoredAccount;
import org.mqttwarden.auth.acl.TopicNames;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Validated administration of accounts, roles and rules; each change becomes an admin-change event. */
@Component(service = AccountService.class, configurationPid = "org.mqttwarden.auth")
public final class AccountAdmin implements AccountService {

    private final AccountStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final EventDispatcher events;
    private volatile PasswordHasher hasher;
    private volatile int minLength;

    @Activate
    public AccountAdmin(@Reference AccountStore store, AuthConfig config) {
        this(store, config, Clock.systemUTC());
    }

    AccountAdmin(AccountStore store, AuthConfig config, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.events = new EventDispatcher(config.event_wait_ms());
        modified(config);
    }

    @Modified
    void modified(AuthConfig config) {
        this.hasher = PasswordHasher.configured(config.bcrypt_cost(), random);
        this.minLength = Math.max(8, Math.min(128, config.password_min_length()));
        this.events.waitMillis(config.event_wait_ms());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSink(EventSink sink) {
        events.add(sink);
    }

    void removeSink(EventSink sink) {
        events.remove(sink);
    }

    @Override
    public Account createAccount(String username, String password, Set<String> roles, String email, String actor) {
        Validation.requireUsername(username);
        Validation.requirePassword(password, minLength);
        String mail = Validation.requireEmail(email);
        Set<String> grants = new LinkedHashSet<>(roles);
        for (String role : grants) {
            requireRole(role);
        }
        if (store.findAccount(username).isPresent()) {
            throw new InvalidInputException("An account named '" + username + "' already exists.");
        }
        Instant now = clock.instant();
        StoredAccount a = new StoredAccount(username, hasher.hash(password), grants, mail, true, now, now);
        if (!store.insertAccount(a)) {
            throw new InvalidInputException("An account named '" + username + "' already exists.");
        }
        changed(actor, "account.create", username, Map.of("roles", String.join(",", grants)));
        return a.toAccount();
    }

    @Override
    public String generatePassword() {
        return DeviceSecrets.generate(random);
    }

    @Override
    public void setPassword(String username, String password, String actor) {
        requireAccount(username);
        Validation.requirePassword(password, minLength);
        store.updatePasswordHash(username, hasher.hash(password), clock.instant());
        changed(actor, "account.password", username, Map.of());
    }

    @Override
    public void setEnabled(String username, boolean enabled, String actor) {
        requireAccount(username);
        store.updateEnabled(username, enabled, clock.instant());
        changed(actor, enabled ? "account.enable" : "account.disable", username, Map.of());
    }

    @Override
    public void removeAccount(String username, String actor) {
        requireAccount(username);
        store.deleteAccount(username);
        changed(actor, "account.remove", username, Map.of());
    }

    @Override
    public Optional<Account> findAccount(String username) {
        return store.findAccount(username).map(StoredAccount::toAccount);
    }

    @Override
    public List<Account> listAccounts() {
        return store.listAccounts().stream().map(StoredAccount::toAccount).toList();
    }

    @Override
    public List<Role> listRoles() {
        return store.listRoles();
    }

    @Override
    public Role addRole(String name, boolean superuser, String description, String actor) {
        Validation.requireRoleName(name);
        Role role = new Role(name, superuser, false, description == null ? "" : description.strip());
        if (role.description().length() > 512) {
            throw new InvalidInputException("A role description has at most 512 characters.");
        }
        if (!store.insertRole(role)) {
            throw new InvalidInputException("A role named '" + name + "' already exists.");
        }
        changed(actor, "role.add", null, Map.of("role", name, "superuser", Boolean.toString(superuser)));
        return role;
    }

    @Override
    public void removeRole(String name, String actor) {
        Role role = requireRole(name);
        if (role.builtIn()) {
            throw new InvalidInputException("'" + name + "' is a built-in role and cannot be removed.");
        }
        long holders = store.countAccountsWithRole(name);
        if (holders > 0) {
            throw new InvalidInputException("Role '" + name + "' is held by " + holders
                    + " account(s); revoke it from them first.");
        }
        store.deleteRole(name);
        changed(actor, "role.remove", null, Map.of("role", name));
    }

    @Override
    public void grantRole(String username, String role, String actor) {
        StoredAccount a = requireAccount(username);
        requireRole(role);
        if (a.roles().contains(role) || !store.grantRole(username, role, clock.instant())) {
            throw new InvalidInputException("Account '" + username + "' already holds role '" + role + "'.");
        }
        changed(actor, "account.role-grant", username, Map.of("role", role));
    }

    @Override
    public void revokeRole(String username, String role, String actor) {
        StoredAccount a = requireAccount(username);
        if (!a.roles().contains(role) || !store.revokeRole(username, role, clock.instant())) {
            throw new InvalidInputException("Account '" + username + "' does not hold role '" + role + "'.");
        }
        changed(actor, "account.role-revoke", username, Map.of("role", role));
    }

    @Override
    public AclRule addRule(AclRule rule, String actor) {
        if (rule.subjectType() == SubjectType.ROLE) {
            requireRole(rule.subject());
        } else {
            requireAccount(rule.subject());
        }
        TopicNames.validateRuleFilter(rule.topicFilter());
        if (rule.comment().length() > 1024) {
            throw new InvalidInputException("A rule comment has at most 1024 characters.");
        }
        for (AclRule existing : store.listRules(rule.subjectType(), rule.subject())) {
            if (existing.topicFilter().equals(rule.topicFilter())
                    && existing.permission() == rule.permission()) {
                throw new InvalidInputException("The same rule exists already: " + existing.describe() + ".");
            }
        }
        AclRule stored = store.insertRule(rule.withId(0));
        Map<String, String> detail = new HashMap<>();
        detail.put("rule", stored.describe());
        changed(actor, "acl.add", rule.subjectType() == SubjectType.ACCOUNT ? rule.subject() : null, detail);
        return stored;
    }

    @Override
    public void removeRule(long id, String actor) {
        AclRule rule = store.findRule(id)
                .orElseThrow(() -> new InvalidInputException("There is no ACL rule #" + id + "."));
        store.deleteRule(id);
        changed(actor, "acl.remove", null, Map.of("rule", rule.describe()));
    }

    @Override
    public List<AclRule> listRules() {
        return store.listRules();
    }

    private StoredAccount requireAccount(String username) {
        return store.findAccount(username)
                .orElseThrow(() -> new InvalidInputException("There is no account named '" + username + "'."));
    }

    private Role requireRole(String name) {
        return store.findRole(name)
                .orElseThrow(() -> new InvalidInputException("There is no role named '" + name + "'."));
    }

    private void changed(String actor, String what, String username, Map<String, String> detail) {
        events.emit(new SecurityEvent(clock.instant(), EventType.ADMIN_CHANGE, Outcome.ALLOW, what, username, Set.of(),
                null, null, null, null, actor == null ? "unknown" : actor, detail));
    }
}
