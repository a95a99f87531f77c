package org.mqttwarden.auth.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.auth.AccountAdmin;
import org.mqttwarden.auth.AuthConfig;
import org.mqttwarden.auth.SecurityEvents;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

/** Role names given to a command are checked first, against the real store, with a hint when misspelt. */
class RolesTest {

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private AccountAdmin accounts;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        AuthConfig config = Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10));
        accounts = new AccountAdmin(new JdbiAccountStore(db), new SecurityEvents(config), config);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aMisspeltRoleIsNamedWithTheClosestOneAndTheListAndNothingElseHappens() {
        assertThatThrownBy(() -> Roles.requireKnown(accounts, List.of("sensor", "senser")))
                .isInstanceOf(CommandException.class)
                .hasMessage("There is no role named 'senser' (did you mean 'sensor'?); the roles are admin, sensor,"
                        + " viewer (bin/warden role-list). Nothing was changed.");
        assertThat(accounts.listAccounts()).isEmpty();
    }

    @Test
    void aNameFarFromEveryRoleGetsNoGuessAndKnownRolesPass() throws Exception {
        assertThatThrownBy(() -> Roles.requireKnown(accounts, List.of("operator")))
                .hasMessageStartingWith("There is no role named 'operator'; the roles are admin, sensor, viewer");
        Roles.requireKnown(accounts, List.of("admin", "viewer"));
        Roles.requireKnown(accounts, null);
    }

    @Test
    void closestToleratesTwoEditsAndCase() {
        assertThat(Roles.closest("Sensro", List.of("admin", "sensor", "viewer"))).isEqualTo("sensor");
        assertThat(Roles.closest("vewer", List.of("admin", "sensor", "viewer"))).isEqualTo("viewer");
        assertThat(Roles.closest("xyz", List.of("admin", "sensor", "viewer"))).isNull();
    }
}
