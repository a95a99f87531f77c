package org.mqttwarden.alerts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.store.files.ServiceAccount.Credentials;
import org.mqttwarden.store.files.ServiceAccount.Grant;

/**
 * The MQTT account the alert publisher logs in with ({@code warden-alerts} by default, allowed to write
 * {@code <topic>/#}), and its credentials file ({@code etc/warden-alerts.credentials} by default): warden-store's
 * {@link org.mqttwarden.store.files.ServiceAccount}, which the message verifier of warden-crypto uses too, with
 * the publisher's role, grant and words.
 */
final class ServiceAccount {

    static final String ROLE = "warden-alerts";

    private ServiceAccount() {
    }

    /** @return the credentials in {@code file}, or {@code null} when it is missing or has no password */
    static Credentials read(Path file) throws IOException {
        return org.mqttwarden.store.files.ServiceAccount.read(file);
    }

    /** Writes {@code username} and {@code password} to {@code file}, mode 0600 from its creation. */
    static void write(Path file, String username, String password) throws IOException {
        org.mqttwarden.store.files.ServiceAccount.write(file, username, password, "MQTT Warden alert publisher");
    }

    /**
     * Makes sure {@code username} can publish alerts: role, rule, account, and a password known to both the
     * account and {@code file}. Blocking (bcrypt, database): never call it on a decision path or in activate.
     */
    static void provision(AccountService accounts, String username, String topic, Path file) throws IOException {
        org.mqttwarden.store.files.ServiceAccount.provision(accounts, spec(topic), username, file);
    }

    static org.mqttwarden.store.files.ServiceAccount.Spec spec(String topic) {
        return new org.mqttwarden.store.files.ServiceAccount.Spec("the alert publisher", ROLE,
                "publishes Warden security alerts",
                List.of(new Grant(topic + "/#", Permission.WRITE, "alerts of warden-lockout")),
                "alert.mqtt.username (PID org.mqttwarden.alerts)", "alerts are not published over MQTT",
                Alert.ACTOR);
    }
}
