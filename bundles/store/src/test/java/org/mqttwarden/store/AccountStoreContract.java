package org.mqttwarden.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.store.StoredAccount;
import org.mqttwarden.api.store.WardenDatabase;

/**
 * What every database behind {@link JdbiAccountStore} must do: SQLite (the default) and
 * PostgreSQL (for fleets later) run the same tests.
 */
abstract class AccountStoreContract {

    protected WardenDatabase db;
    protected JdbiAccountStore store;
    private final Instant now = Instant.parse("2026-11-22T10:15:30.123Z");

    /** @return a fresh, empty database */
    protected abstract WardenDatabase openDatabase() throws Exception;

    /** @return the same database as the last {@link #openDatabase()}, opened again after a close */
    protected abstract WardenDatabase reopenDatabase() throws Exception;

    protected abstract void closeDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        db = openDatabase();
        store = new JdbiAccountStore(db);
    }

    @AfterEach
    void close() throws Exception {
        closeDatabase();
    }

    protected StoredAccount account(String name, String... roles) {
        return new StoredAccount(name, "hash-of-" + name, Set.of(roles), null, true, now, now);
    }

    @Test
    void seedsTheBuiltInRolesAndTheSensorNamespaceRule() {
        assertThat(store.listRoles()).extracting(Role::name).containsExactly("admin", "sensor", "viewer");
        assertThat(store.findRole("admin")).get().extracting(Role::superuser, Role::builtIn).containsExactly(true, true);
        assertThat(store.listRules()).containsExactly(
                new AclRule(1, SubjectType.ROLE, "sensor", "%u/#", Permission.READWRITE,
                        "built-in: a sensor owns its namespace"));
    }

    @Test
    void migrationsRunOnceAcrossRestarts() throws Exception {
        store.insertAccount(account("dev1", "sensor"));
        closeDatabase();
        db = reopenDatabase();
        store = new JdbiAccountStore(db);
        assertThat(store.listRoles()).hasSize(3);
        assertThat(store.listRules()).hasSize(1);
        assertThat(store.findAccount("dev1")).isPresent();
    }

    @Test
    void roundTripsAnAccountWithItsRolesAndTimes() {
        StoredAccount a = new StoredAccount("ops", "$2a$11$abc", Set.of("admin", "viewer"), "ops@example.org", false,
                now, now.plusSeconds(5));
        assertThat(store.insertAccount(a)).isTrue();
        assertThat(store.findAccount("ops")).contains(a);
        assertThat(store.listAccounts()).containsExactly(a);
        assertThat(store.countAccounts()).isEqualTo(1);
    }

    @Test
    void refusesADuplicateUsernameAndKeepsTheFirst() {
        assertThat(store.insertAccount(account("dev1", "sensor"))).isTrue();
        StoredAccount other = new StoredAccount("dev1", "other", Set.of(), null, true, now, now);
        assertThat(store.insertAccount(other)).isFalse();
        assertThat(store.findAccount("dev1")).get().extracting(StoredAccount::passwordHash).isEqualTo("hash-of-dev1");
    }

    @Test
    void aGrantOfAnUnknownRoleFailsAndChangesNothing() {
        assertThat(store.insertAccount(account("dev1", "no-such-role"))).isFalse();
        assertThat(store.findAccount("dev1")).isEmpty();
    }

    @Test
    void updatesHashEnabledAndGrants() {
        store.insertAccount(account("dev1", "sensor"));
        Instant later = now.plusSeconds(60);
        assertThat(store.updatePasswordHash("dev1", "new", later)).isTrue();
        assertThat(store.updateEnabled("dev1", false, later)).isTrue();
        assertThat(store.grantRole("dev1", "viewer", later)).isTrue();
        assertThat(store.grantRole("dev1", "viewer", later)).isFalse();
        assertThat(store.revokeRole("dev1", "sensor", later)).isTrue();
        StoredAccount a = store.findAccount("dev1").orElseThrow();
        assertThat(a.passwordHash()).isEqualTo("new");
        assertThat(a.enabled()).isFalse();
        assertThat(a.roles()).containsExactly("viewer");
        assertThat(a.updated()).isEqualTo(later);
        assertThat(store.updatePasswordHash("ghost", "x", later)).isFalse();
    }

    @Test
    void deletingAnAccountRemovesItsGrantsAndOwnRules() {
        store.insertAccount(account("dev1", "sensor"));
        store.insertRule(new AclRule(0, SubjectType.ACCOUNT, "dev1", "extra/#", Permission.READ, ""));
        store.insertRule(new AclRule(0, SubjectType.ACCOUNT, "dev2", "extra/#", Permission.READ, ""));
        assertThat(store.deleteAccount("dev1")).isTrue();
        assertThat(store.findAccount("dev1")).isEmpty();
        assertThat(store.listRules()).extracting(AclRule::subject).containsExactly("sensor", "dev2");
        assertThat(store.deleteAccount("dev1")).isFalse();
    }

    @Test
    void deletingARoleRemovesItsRulesAndGrants() {
        store.insertRole(new Role("plc", false, false, "PLCs"));
        store.insertAccount(account("dev1", "plc"));
        assertThat(store.countAccountsWithRole("plc")).isEqualTo(1);
        assertThat(store.countAccountsWithRole("viewer")).isZero();
        store.insertRule(new AclRule(0, SubjectType.ROLE, "plc", "plc/#", Permission.WRITE, "c"));
        assertThat(store.insertRole(new Role("plc", false, false, "again"))).isFalse();
        assertThat(store.deleteRole("plc")).isTrue();
        assertThat(store.findAccount("dev1").orElseThrow().roles()).isEmpty();
        assertThat(store.countAccountsWithRole("plc")).isZero();
        assertThat(store.listRules()).extracting(AclRule::subject).containsExactly("sensor");
    }

    @Test
    void listsTheRulesOfOneSubjectOrOneTypeInIdOrderAndFindsARuleById() {
        AclRule a = store.insertRule(new AclRule(0, SubjectType.ACCOUNT, "dev1", "a/#", Permission.READ, ""));
        store.insertRule(new AclRule(0, SubjectType.ACCOUNT, "dev2", "b/#", Permission.READ, ""));
        AclRule c = store.insertRule(new AclRule(0, SubjectType.ACCOUNT, "dev1", "c", Permission.DENY, "why"));
        store.insertRule(new AclRule(0, SubjectType.ROLE, "dev1", "role named like the account", Permission.READ,
                ""));
        assertThat(store.listRules(SubjectType.ACCOUNT, "dev1")).containsExactly(a, c);
        assertThat(store.listRules(SubjectType.ACCOUNT, "nobody")).isEmpty();
        assertThat(store.listRules(SubjectType.ACCOUNT, null)).extracting(AclRule::subject)
                .containsExactly("dev1", "dev2", "dev1");
        assertThat(store.listRules(SubjectType.ROLE, null)).extracting(AclRule::subject)
                .containsExactly("sensor", "dev1");
        assertThat(store.findRule(c.id())).contains(c);
        assertThat(store.findRule(999)).isEmpty();
    }

    @Test
    void ruleIdsGrowAndAreNeverReusedWhileHigherOnesExist() {
        AclRule a = store.insertRule(new AclRule(0, SubjectType.ROLE, "viewer", "a/#", Permission.READ, ""));
        AclRule b = store.insertRule(new AclRule(0, SubjectType.ROLE, "viewer", "b/#", Permission.DENY, "why"));
        assertThat(a.id()).isEqualTo(2);
        assertThat(b.id()).isEqualTo(3);
        assertThat(store.deleteRule(2)).isTrue();
        assertThat(store.insertRule(new AclRule(0, SubjectType.ROLE, "viewer", "c", Permission.READ, "")).id())
                .isEqualTo(4);
        assertThat(store.deleteRule(99)).isFalse();
    }

    @Test
    void revisionMovesOnEveryChangeAndOnlyThen() {
        long r0 = store.revision();
        store.findAccount("x");
        store.listRules();
        assertThat(store.revision()).isEqualTo(r0);
        store.insertAccount(account("dev1", "sensor"));
        long r1 = store.revision();
        assertThat(r1).isGreaterThan(r0);
        store.updateEnabled("ghost", false, now);
        assertThat(store.revision()).isEqualTo(r1);
        store.insertRule(new AclRule(0, SubjectType.ROLE, "viewer", "a", Permission.READ, ""));
        assertThat(store.revision()).isGreaterThan(r1);
    }

    @Test
    void neverPrintsTheHash() {
        assertThat(account("dev1").toString()).doesNotContain("hash-of").contains("***");
    }
}
