package org.mqttwarden.store.files;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.text.Printable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT account a gateway service logs in to the broker with (the alert publisher, the message verifier), and
 * the private file holding its password.
 *
 * <p>Why a file: such a service is an MQTT client, so it needs the password itself, not a hash; a password in a
 * {@code .cfg} would be readable by whoever reads the configuration (and shown by {@code config:list}). So the
 * password is generated, stored only in its own file (keys {@code username} and {@code password}), owner-only
 * from its creation, and never logged. The file may also be written by hand (e.g. for an external broker) and is
 * read again on every connect.
 *
 * <p>{@link #provision} makes sure the account exists with the service's role, which is granted exactly the
 * spec's topic filters and nothing else; when the file is missing or names another username, it generates a
 * password and sets it (the account is the service's own). An existing account lacking the role is not the
 * service's (a device's, a person's): it is never changed, and provisioning fails naming the setting to change.
 * A disabled one stays disabled (an admin's decision) with a WARN. A password changed by hand on the account but
 * not in the file is not detected here: the broker then refuses the service; deleting the file makes the next
 * provisioning generate and set a new one.
 *
 * <p>Lives beside {@link PrivateFiles} because the file is the point; it is no API (Warden's own bundles only).
 */
public final class ServiceAccount {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceAccount.class);

    /**
     * What a service needs.
     *
     * @param service who it is for, in a sentence's words: "the alert publisher"
     * @param role the role that marks the account as the service's own, and carries its grants
     * @param roleDescription the role's description, shown by {@code role-list}
     * @param grants the rules the role holds (added when missing; others of the role are left alone)
     * @param usernameSetting the configuration key naming the account, and its PID, for error messages:
     *     {@code "alert.mqtt.username (PID org.mqttwarden.alerts)"}
     * @param withoutIt what does not happen while the account cannot be used: "alerts are not published over MQTT"
     * @param actor who the account changes are recorded as in the audit log
     */
    public record Spec(String service, String role, String roleDescription, List<Grant> grants,
            String usernameSetting, String withoutIt, String actor) {
        public Spec {
            Objects.requireNonNull(role, "role");
            grants = List.copyOf(grants);
        }
    }

    /** One rule of the service's role: {@code permission} on {@code topicFilter}, with a comment. */
    public record Grant(String topicFilter, Permission permission, String comment) {
    }

    /** Username and password read from the credentials file; {@link #toString()} hides the password. */
    public record Credentials(String username, char[] password) {
        @Override
        public String toString() {
            return "Credentials[" + username + "]";
        }
    }

    private ServiceAccount() {
    }

    /** @return the credentials in {@code file}, or {@code null} when it is missing or has no password */
    public static Credentials read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String password = p.getProperty("password");
        if (password == null || password.isEmpty()) {
            return null;
        }
        return new Credentials(p.getProperty("username"), password.toCharArray());
    }

    /** Writes {@code username} and {@code password} to {@code file}, owner-only from its creation. */
    public static void write(Path file, String username, String password, String comment) throws IOException {
        Properties p = new Properties();
        p.setProperty("username", username);
        p.setProperty("password", password);
        StringWriter text = new StringWriter();
        p.store(text, comment + " (MQTT service account). Keep private.");
        // whole, owner-only from its creation, moved into place (warden-store's one way of writing a secret)
        PrivateFiles.writeNew(file, text.toString());
    }

    /**
     * Makes sure {@code username} can do what {@code spec} grants: role, rules, account, and a password known to
     * both the account and {@code file}. Blocking (bcrypt, database): never call it on a decision path or in a
     * component's activate.
     *
     * @throws IllegalStateException when {@code username} names an account that is not the service's own
     */
    public static void provision(AccountService accounts, Spec spec, String username, Path file)
            throws IOException {
        if (accounts.listRoles().stream().noneMatch(r -> r.name().equals(spec.role()))) {
            accounts.addRole(spec.role(), false, spec.roleDescription(), spec.actor());
        }
        for (Grant g : spec.grants()) {
            if (accounts.listRules().stream().noneMatch(r -> r.subjectType() == SubjectType.ROLE
                    && r.subject().equals(spec.role()) && r.topicFilter().equals(g.topicFilter())
                    && r.permission() == g.permission())) {
                accounts.addRule(new AclRule(0, SubjectType.ROLE, spec.role(), g.topicFilter(), g.permission(),
                        g.comment()), spec.actor());
            }
        }
        Credentials c = read(file);
        Optional<Account> existing = accounts.findAccount(username);
        if (existing.isPresent()) {
            Account a = existing.get();
            if (!a.roles().contains(spec.role())) {
                // not the service's own account (a device's, a person's): never take it over
                String why = spec.usernameSetting() + " names the account '" + Printable.escape(username)
                        + "', which does not hold role " + spec.role() + ": it is not " + spec.service()
                        + "'s own account, so its password and roles are left alone and " + spec.withoutIt()
                        + ". Set " + spec.usernameSetting() + " to an account of its own (default " + spec.role()
                        + "), or grant this account role " + spec.role() + " if it is meant for " + spec.service();
                LOG.error(why);
                throw new IllegalStateException(why);
            }
            if (!a.enabled()) {
                // an admin's decision: said, not undone
                LOG.warn("The MQTT account {} of {} is disabled: {} until an admin enables it"
                        + " (warden:user-enable {})", username, spec.service(), spec.withoutIt(), username);
            }
        }
        if (c != null && username.equals(c.username())) {
            if (existing.isEmpty()) {
                accounts.createAccount(username, new String(c.password()), Set.of(spec.role()), null, spec.actor());
                LOG.info("Created the MQTT account {} of {} (password from {})", username, spec.service(), file);
            }
            return;
        }
        String password = accounts.generatePassword();
        write(file, username, password, "MQTT Warden: " + spec.service());
        if (existing.isPresent()) {
            accounts.setPassword(username, password, spec.actor());
            LOG.info("Set a new password for the MQTT account {} of {}, stored in {}", username, spec.service(),
                    file);
        } else {
            accounts.createAccount(username, password, Set.of(spec.role()), null, spec.actor());
            LOG.info("Created the MQTT account {} of {}, its password stored in {} (owner-only)", username,
                    spec.service(), file);
        }
    }
}
