package org.mqttwarden.alerts;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.store.files.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT account the alert publisher logs in with, and its credentials file.
 *
 * <p>Why a file: the publisher is an MQTT client, so it needs the password itself, not a hash; a password
 * in {@code etc/org.mqttwarden.alerts.cfg} would be readable by whoever reads the configuration (and shown
 * by {@code config:list}). So the password is generated, stored only in its own file
 * ({@code etc/warden-alerts.credentials} by default, keys {@code username} and {@code password}), mode 0600
 * (readable by the gateway's OS user only), and never logged. The file may also be written by hand (e.g. for
 * an external broker) and is read again on every connect.
 *
 * <p>With an {@link AccountService} (the broker authenticates through Warden), {@link #provision} makes sure
 * the account exists with role {@value #ROLE}, allowed to write {@code <topic>/#} (the role grants nothing
 * else); when the file is missing, it generates a password and sets it (the account is the publisher's own).
 * An existing account lacking the role is not the publisher's (a device's, a person's): it is never changed,
 * provisioning fails with an ERROR naming the key to change; a disabled one stays disabled (an admin's
 * decision) with a WARN. A password changed by hand on the account but not in the file is not detected here:
 * the broker then refuses the publisher (counted in {@code warden_alerts_mqtt_failed_total}); deleting the file makes the next
 * start generate and set a new one.
 */
final class ServiceAccount {

    static final String ROLE = "warden-alerts";
    private static final Logger LOG = LoggerFactory.getLogger(ServiceAccount.class);

    /** Username and password read from the credentials file; {@link #toString()} hides the password. */
    record Credentials(String username, char[] password) {
        @Override
        public String toString() {
            return "Credentials[" + username + "]";
        }
    }

    private ServiceAccount() {
    }

    /** @return the credentials in {@code file}, or {@code null} when it is missing or has no password */
    static Credentials read(Path file) throws IOException {
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

    /** Writes {@code username} and {@code password} to {@code file}, mode 0600 from its creation. */
    static void write(Path file, String username, String password) throws IOException {
        Properties p = new Properties();
        p.setProperty("username", username);
        p.setProperty("password", password);
        StringWriter text = new StringWriter();
        p.store(text, "MQTT Warden alert publisher (MQTT service account). Keep private.");
        // whole, owner-only from its creation, moved into place (warden-store's one way of writing a secret)
        PrivateFiles.writeNew(file, text.toString());
    }

    /**
     * Makes sure {@code username} can publish alerts: role, rule, account, and a password known to both the
     * account and {@code file}. Blocking (bcrypt, database): never call it on a decision path or in activate.
     */
    static void provision(AccountService accounts, String username, String topic, Path file) throws IOException {
        if (accounts.listRoles().stream().noneMatch(r -> r.name().equals(ROLE))) {
            accounts.addRole(ROLE, false, "publishes Warden security alerts", Alert.ACTOR);
        }
        String filter = topic + "/#";
        if (accounts.listRules().stream().noneMatch(r -> r.subjectType() == SubjectType.ROLE
                && r.subject().equals(ROLE) && r.topicFilter().equals(filter))) {
            accounts.addRule(new AclRule(0, SubjectType.ROLE, ROLE, filter, Permission.WRITE,
                    "alerts of warden-lockout"), Alert.ACTOR);
        }
        Credentials c = read(file);
        Optional<Account> existing = accounts.findAccount(username);
        if (existing.isPresent()) {
            Account a = existing.get();
            if (!a.roles().contains(ROLE)) {
                // not the publisher's own account (a device's, a person's): never take it over
                String why = "alert.mqtt.username names the account '" + Printable.escape(username)
                        + "', which does not hold role " + ROLE + ": it is not the alert publisher's own account,"
                        + " so its password and roles are left alone and alerts are not published over MQTT. Set"
                        + " alert.mqtt.username (PID org.mqttwarden.alerts) to an account of its own (default "
                        + ROLE + "), or grant this account role " + ROLE + " if it is meant to publish alerts";
                LOG.error(why);
                throw new IllegalStateException(why);
            }
            if (!a.enabled()) {
                // an admin's decision: said, not undone
                LOG.warn("The alert publisher's MQTT account {} is disabled: alerts cannot be published until an"
                        + " admin enables it (warden:user-enable {})", username, username);
            }
        }
        if (c != null && username.equals(c.username())) {
            if (existing.isEmpty()) {
                accounts.createAccount(username, new String(c.password()), Set.of(ROLE), null, Alert.ACTOR);
                LOG.info("Created the alert publisher's MQTT account {} (password from {})", username, file);
            }
            return;
        }
        String password = accounts.generatePassword();
        write(file, username, password);
        if (existing.isPresent()) {
            accounts.setPassword(username, password, Alert.ACTOR);
            LOG.info("Set a new password for the alert publisher's MQTT account {}, stored in {}", username, file);
        } else {
            accounts.createAccount(username, password, Set.of(ROLE), null, Alert.ACTOR);
            LOG.info("Created the alert publisher's MQTT account {}, its password stored in {} (0600)", username,
                    file);
        }
    }
}
