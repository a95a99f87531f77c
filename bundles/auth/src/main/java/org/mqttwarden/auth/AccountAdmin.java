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
import java.util.function.BooleanSupplier;

import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.ChangeNotRecordedException;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.event.EventPublisher;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validated administration of accounts, roles and rules. Each change is recorded before it is made: its
 * admin-change event must be confirmed by every event sink (the audit log commits it) within
 * {@code event.wait.ms}, else nothing is changed and {@link ChangeNotRecordedException} says why. A recorded
 * change the store then does not make (a concurrent change got there first, a store failure) is followed
 * by an {@link Outcome#ERROR} event of the same reason.
 */
@Component(service = AccountService.class, configurationPid = "org.mqttwarden.auth")
public final class AccountAdmin implements AccountService {

    private static final Logger LOG = LoggerFactory.getLogger(AccountAdmin.class);

    private final AccountStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final EventPublisher events;
    private volatile PasswordHasher hasher;
    private volatile int minLength;

    @Activate
    public AccountAdmin(@Reference AccountStore store, @Reference EventPublisher events, AuthConfig config) {
        this(store, events, config, Clock.systemUTC());
    }

    AccountAdmin(AccountStore store, EventPublisher events, AuthConfig config, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.events = events;
        modified(config);
    }

    @Modified
    void modified(AuthConfig config) {
        this.hasher = PasswordHasher.configured(config.bcrypt_cost(), random);
        this.minLength = Math.max(8, Math.min(128, config.password_min_length()));
    }

    @Override
    public Account createAccount(String username, String password, Set<String> roles, String email, String actor) {
        Validation.requirePassword(password, minLength);
        return create(username, hasher.hash(password), roles, Validation.requireEmail(email),
                AdminChange.ACCOUNT_CREATE, actor);
    }

    @Override
    public Account inviteAccount(String username, Set<String> roles, String email, String actor) {
        String mail = Validation.requireEmail(email);
        if (mail == null) {
            throw new InvalidInputException("An invitation needs an e-mail address to go to.");
        }
        return create(username, PasswordHasher.NO_PASSWORD, roles, mail, AdminChange.ACCOUNT_INVITE, actor);
    }

    @Override
    public boolean hasPassword(String username) {
        return !PasswordHasher.NO_PASSWORD.equals(requireAccount(username).passwordHash());
    }

    @Override
    public Set<String> invitedAccounts() {
        return store.listAccounts().stream().filter(a -> PasswordHasher.NO_PASSWORD.equals(a.passwordHash()))
                .map(StoredAccount::username).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private Account create(String username, String hash, Set<String> roles, String mail, String change,
            String actor) {
        Validation.requireUsername(username);
        Set<String> grants = new LinkedHashSet<>(roles);
        for (String role : grants) {
            requireRole(role);
        }
        if (store.findAccount(username).isPresent()) {
            throw new InvalidInputException("An account named '" + username + "' already exists.");
        }
        Instant now = clock.instant();
        StoredAccount a = new StoredAccount(username, hash, grants, mail, true, now, now);
        Map<String, String> detail = Map.of("roles", String.join(",", grants));
        record(actor, change, username, detail);
        apply(actor, change, username, detail, () -> store.insertAccount(a),
                "An account named '" + username + "' already exists.");
        return a.toAccount();
    }

    @Override
    public String generatePassword() {
        return DeviceSecrets.generate(random);
    }

    @Override
    public Optional<String> passwordProblem(String password) {
        try {
            Validation.requirePassword(password, minLength);
            return Optional.empty();
        } catch (InvalidInputException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public void setPassword(String username, String password, String actor) {
        requireAccount(username);
        Validation.requirePassword(password, minLength);
        String hash = hasher.hash(password);
        record(actor, AdminChange.ACCOUNT_PASSWORD, username, Map.of());
        apply(actor, AdminChange.ACCOUNT_PASSWORD, username, Map.of(),
                () -> store.updatePasswordHash(username, hash, clock.instant()), gone(username));
    }

    @Override
    public void setEnabled(String username, boolean enabled, String actor) {
        StoredAccount a = requireAccount(username);
        String what = enabled ? AdminChange.ACCOUNT_ENABLE : AdminChange.ACCOUNT_DISABLE;
        Map<String, String> detail = Map.of("enabled", Boolean.toString(enabled), "was",
                Boolean.toString(a.enabled()));
        record(actor, what, username, detail);
        apply(actor, what, username, detail, () -> store.updateEnabled(username, enabled, clock.instant()),
                gone(username));
    }

    @Override
    public void removeAccount(String username, String actor) {
        requireAccount(username);
        record(actor, AdminChange.ACCOUNT_REMOVE, username, Map.of());
        apply(actor, AdminChange.ACCOUNT_REMOVE, username, Map.of(), () -> store.deleteAccount(username),
                gone(username));
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
        if (store.findRole(name).isPresent()) {
            throw new InvalidInputException("A role named '" + name + "' already exists.");
        }
        Map<String, String> detail = Map.of("role", name, "superuser", Boolean.toString(superuser));
        record(actor, AdminChange.ROLE_ADD, null, detail);
        apply(actor, AdminChange.ROLE_ADD, null, detail, () -> store.insertRole(role),
                "A role named '" + name + "' already exists.");
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
        record(actor, AdminChange.ROLE_REMOVE, null, Map.of("role", name));
        apply(actor, AdminChange.ROLE_REMOVE, null, Map.of("role", name), () -> store.deleteRole(name),
                "There is no role named '" + name + "'.");
    }

    @Override
    public void grantRole(String username, String role, String actor) {
        StoredAccount a = requireAccount(username);
        requireRole(role);
        String held = "Account '" + username + "' already holds role '" + role + "'.";
        if (a.roles().contains(role)) {
            throw new InvalidInputException(held);
        }
        record(actor, AdminChange.ROLE_GRANT, username, Map.of("role", role));
        apply(actor, AdminChange.ROLE_GRANT, username, Map.of("role", role),
                () -> store.grantRole(username, role, clock.instant()), held);
    }

    @Override
    public void revokeRole(String username, String role, String actor) {
        StoredAccount a = requireAccount(username);
        String notHeld = "Account '" + username + "' does not hold role '" + role + "'.";
        if (!a.roles().contains(role)) {
            throw new InvalidInputException(notHeld);
        }
        record(actor, AdminChange.ROLE_REVOKE, username, Map.of("role", role));
        apply(actor, AdminChange.ROLE_REVOKE, username, Map.of("role", role),
                () -> store.revokeRole(username, role, clock.instant()), notHeld);
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
        // the record names the rule with the id it will get; a concurrent change taking that id first
        // leaves an ERROR row after the record and the command asks to try again
        AclRule stored = rule.withId(store.nextRuleId());
        Map<String, String> detail = new HashMap<>();
        detail.put("rule", stored.describe());
        if (!rule.comment().isEmpty()) {
            detail.put("comment", rule.comment());
        }
        String username = rule.subjectType() == SubjectType.ACCOUNT ? rule.subject() : null;
        record(actor, AdminChange.ACL_ADD, username, detail);
        apply(actor, AdminChange.ACL_ADD, username, detail, () -> store.insertRuleWithId(stored),
                "Rule #" + stored.id() + " was just taken by another change; nothing was added, try again.");
        return stored;
    }

    @Override
    public void removeRule(long id, String actor) {
        AclRule rule = store.findRule(id)
                .orElseThrow(() -> new InvalidInputException("There is no ACL rule #" + id + "."));
        Map<String, String> detail = Map.of("rule", rule.describe());
        String username = rule.subjectType() == SubjectType.ACCOUNT ? rule.subject() : null;
        record(actor, AdminChange.ACL_REMOVE, username, detail);
        apply(actor, AdminChange.ACL_REMOVE, username, detail, () -> store.deleteRule(id),
                "There is no ACL rule #" + id + ".");
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

    private static String gone(String username) {
        return "There is no account named '" + username + "' any more.";
    }

    private SecurityEvent event(Outcome outcome, String actor, String what, String username,
            Map<String, String> detail) {
        return new SecurityEvent(clock.instant(), EventType.ADMIN_CHANGE, outcome, what, username, Set.of(), null,
                null, null, null, actor == null ? "unknown" : actor, detail);
    }

    /**
     * Records a validated change before it is made: no change without its audit record. Every event sink
     * present must confirm the event (the audit log: committed) within {@code event.wait.ms}.
     *
     * @throws ChangeNotRecordedException when a sink refused or did not confirm in time: the change is then
     *     not made (if a late commit still records it, the {@link Outcome#ERROR} row that follows says so)
     */
    private void record(String actor, String what, String username, Map<String, String> detail) {
        String why = events.record(event(Outcome.ALLOW, actor, what, username, detail)).orElse(null);
        if (why != null) {
            LOG.warn("Admin change {} by {} refused: {}", what, actor, why);
            notApplied(actor, what, username, detail, "not recorded: " + why);
            throw new ChangeNotRecordedException("Nothing was changed: " + why
                    + ". Every change must be in the audit log before it is made; try again in a moment.");
        }
    }

    /**
     * Makes a recorded change; when the store does not make it (a concurrent change got there first) or
     * fails, an {@link Outcome#ERROR} event follows its record, so the audit log does not claim a change
     * that was not made.
     */
    private void apply(String actor, String what, String username, Map<String, String> detail,
            BooleanSupplier change, String refusal) {
        boolean done;
        try {
            done = change.getAsBoolean();
        } catch (RuntimeException e) {
            notApplied(actor, what, username, detail, "store failed: " + e.getClass().getSimpleName());
            throw e;
        }
        if (!done) {
            notApplied(actor, what, username, detail, "not applied: " + refusal);
            throw new InvalidInputException(refusal);
        }
    }

    private void notApplied(String actor, String what, String username, Map<String, String> detail, String why) {
        Map<String, String> d = new HashMap<>(detail);
        d.put("error", why);
        events.publish(event(Outcome.ERROR, actor, what, username, d));
    }
}
