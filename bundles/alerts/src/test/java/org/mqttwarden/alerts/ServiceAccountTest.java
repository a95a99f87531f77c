package org.mqttwarden.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.lockout.LockoutWiring;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;

/**
 * The alert publisher's MQTT account, provisioned through the real account administration on a SQLite file
 * and proven by the real decision engine: it logs in with the password of the credentials file, may publish
 * alerts and nothing else, and an account in an unexpected state is put right (or, when disabled, left to the
 * admin).
 */
class ServiceAccountTest {

    private static final String TOPIC = "warden/alerts";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private AccountService admin;
    private AuthStack auth;
    private Path file;

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        JdbiAccountStore store = new JdbiAccountStore(db);
        auth = AuthStack.on(store, Map.of("login.guard.required", true));
        admin = auth.accounts();
        auth.guard(LockoutWiring.guard(db));
        file = dir.resolve("etc").resolve("warden-alerts.credentials");
    }

    @AfterEach
    void stop() {
        db.close();
    }

    private boolean logsIn(String password) {
        return logsIn("warden-alerts", password);
    }

    private boolean logsIn(String username, String password) {
        return auth.authenticator().authenticate(new Credentials(username, password, username)).allowed();
    }

    private String password() throws Exception {
        return new String(ServiceAccount.read(file).password());
    }

    private boolean may(String topic, Access access) {
        return auth.authorizer().authorize(new ClientRef("warden-alerts", "warden-alerts", null), topic, access)
                .allowed();
    }

    @Test
    void createsTheAccountWithAPrivateFileAndOnlyTheRightToPublishAlerts() throws Exception {
        ServiceAccount.provision(admin, "warden-alerts", TOPIC, file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("username=warden-alerts");
        assertThat(password()).hasSizeGreaterThanOrEqualTo(16);
        assertThat(logsIn(password())).isTrue();
        assertThat(logsIn(password() + "x")).isFalse();
        assertThat(admin.findAccount("warden-alerts").orElseThrow().roles()).containsExactly(ServiceAccount.ROLE);
        assertThat(admin.listRules()).filteredOn(r -> r.subjectType() == SubjectType.ROLE
                && r.subject().equals(ServiceAccount.ROLE)).extracting(AclRule::topicFilter)
                .containsExactly("warden/alerts/#");

        assertThat(may("warden/alerts/brute-force", Access.WRITE)).isTrue();
        assertThat(may("warden/alerts/brute-force", Access.READ)).as("publishes, does not listen").isFalse();
        assertThat(may("plant/line-1/valve", Access.WRITE)).isFalse();
        assertThat(may("warden/alertsx", Access.WRITE)).isFalse();
        assertThat(auth.authenticator().superuser("warden-alerts").allowed()).isFalse();
    }

    @Test
    void provisioningAgainChangesNothing() throws Exception {
        ServiceAccount.provision(admin, "warden-alerts", TOPIC, file);
        String first = password();
        int rules = admin.listRules().size();

        ServiceAccount.provision(admin, "warden-alerts", TOPIC, file);

        assertThat(password()).isEqualTo(first);
        assertThat(logsIn(first)).isTrue();
        assertThat(admin.listRules()).hasSize(rules);
        assertThat(admin.listRoles()).filteredOn(r -> r.name().equals(ServiceAccount.ROLE)).hasSize(1);
    }

    @Test
    void neverTakesOverAnAccountWithoutTheRoleADevicesForExampleAndSaysWhichKeyToChange() throws Exception {
        admin.createAccount("plc-7", "the device's own long password", Set.of("sensor"), null, "admin");

        assertThatThrownBy(() -> ServiceAccount.provision(admin, "plc-7", TOPIC, file))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("alert.mqtt.username")
                .hasMessageContaining("plc-7");

        assertThat(admin.findAccount("plc-7").orElseThrow().roles()).containsExactly("sensor");
        assertThat(logsIn("plc-7", "the device's own long password")).as("its password untouched").isTrue();
        assertThat(file).doesNotExist();
    }

    @Test
    void aFileForAnotherUsernameIsReplaced() throws Exception {
        ServiceAccount.write(file, "somebody", "a password of somebody else");

        ServiceAccount.provision(admin, "warden-alerts", TOPIC, file);

        assertThat(ServiceAccount.read(file).username()).isEqualTo("warden-alerts");
        assertThat(logsIn(password())).isTrue();
        assertThat(admin.findAccount("somebody")).isEmpty();
    }

    @Test
    void aFileWrittenByHandSetsThePasswordOfANewAccount() throws Exception {
        ServiceAccount.write(file, "warden-alerts", "an operator's chosen long password");

        ServiceAccount.provision(admin, "warden-alerts", TOPIC, file);

        assertThat(logsIn("an operator's chosen long password")).isTrue();
    }

    @Test
    void aDisabledAccountStaysDisabled() throws Exception {
        ServiceAccount.provision(admin, "warden-alerts", TOPIC, file);
        admin.setEnabled("warden-alerts", false, "admin");

        ServiceAccount.provision(admin, "warden-alerts", TOPIC, file);

        assertThat(admin.findAccount("warden-alerts").orElseThrow().enabled()).isFalse();
        assertThat(logsIn(password())).isFalse();
    }

    @Test
    void theCredentialsNeverShowThePassword() throws Exception {
        ServiceAccount.provision(admin, "warden-alerts", TOPIC, file);
        assertThat(ServiceAccount.read(file).toString()).doesNotContain(password());
    }
}
