package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

class AccountAdminTest {

    private static final String PW = "correct horse battery";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private JdbiAccountStore store;
    private AccountAdmin admin;
    private final RecordingSink sink = new RecordingSink();

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        store = new JdbiAccountStore(db);
        SecurityEvents events = new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        events.addSink(sink);
        admin = new AccountAdmin(store, events, Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
        "a/b | contains '/'",
        "a+b | contains '+'",
        "a#b | contains '#'",
        "'' | is empty",
        "' lead' | white space",
        "'trail ' | white space"})
    void refusesBadUsernamesWithAClearSentence(String username, String message) {
        assertThatThrownBy(() -> admin.createAccount(username, PW, Set.of(), null, "t"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(message);
        assertThat(store.countAccounts()).isZero();
    }

    @Test
    void refusesControlCharactersAndOverlongUsernames() {
        assertThatThrownBy(() -> admin.createAccount("a\u0000b", PW, Set.of(), null, "t"))
                .hasMessageContaining("control character");
        assertThatThrownBy(() -> admin.createAccount("a\nb", PW, Set.of(), null, "t"))
                .hasMessageContaining("control character");
        assertThatThrownBy(() -> admin.createAccount("\u00e9".repeat(65), PW, Set.of(), null, "t"))
                .hasMessageContaining("128 bytes");
        assertThat(admin.createAccount("\u00e9".repeat(64), PW, Set.of(), null, "t").username()).hasSize(64);
    }

    @Test
    void passwordsHaveAMinimumAndAMaximumLength() {
        assertThatThrownBy(() -> admin.createAccount("u1", "short", Set.of(), null, "t"))
                .hasMessageContaining("at least 12");
        assertThatThrownBy(() -> admin.createAccount("u1", "p".repeat(129), Set.of(), null, "t"))
                .hasMessageContaining("128");
        admin.createAccount("u1", "p".repeat(128), Set.of(), null, "t");
        assertThat(store.findAccount("u1")).isPresent();
    }

    @Test
    void thePasswordPolicyCanBeAskedWithoutChangingAnything() {
        assertThat(admin.passwordProblem("short")).get().asString().contains("at least 12");
        assertThat(admin.passwordProblem("p".repeat(129))).get().asString().contains("128");
        assertThat(admin.passwordProblem(null)).get().asString().contains("empty");
        assertThat(admin.passwordProblem("a long enough password")).isEmpty();
        assertThat(sink.events).isEmpty();
    }

    @Test
    void generatedPasswordsAreLongRandomAndAccepted() {
        String a = admin.generatePassword();
        assertThat(a).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo(admin.generatePassword());
        admin.createAccount("dev", a, Set.of("sensor"), null, "t");
    }

    @Test
    void refusesDuplicatesUnknownRolesAndBadEmailsChangingNothing() {
        admin.createAccount("u1", PW, Set.of("sensor"), "ops@example.org", "t");
        assertThatThrownBy(() -> admin.createAccount("u1", PW, Set.of(), null, "t")).hasMessageContaining("exists");
        assertThatThrownBy(() -> admin.createAccount("u2", PW, Set.of("nope"), null, "t"))
                .hasMessageContaining("no role named 'nope'");
        assertThatThrownBy(() -> admin.createAccount("u3", PW, Set.of(), "not-an-email", "t"))
                .hasMessageContaining("e-mail");
        assertThat(admin.listAccounts()).extracting(a -> a.username()).containsExactly("u1");
    }

    @Test
    void builtInRolesAndRolesInUseCannotBeRemoved() {
        assertThatThrownBy(() -> admin.removeRole("admin", "t")).hasMessageContaining("built-in");
        admin.addRole("plc", false, "PLCs", "t");
        admin.createAccount("u1", PW, Set.of("plc"), null, "t");
        assertThatThrownBy(() -> admin.removeRole("plc", "t")).hasMessageContaining("held by 1");
        admin.revokeRole("u1", "plc", "t");
        admin.removeRole("plc", "t");
        assertThat(admin.listRoles()).extracting(r -> r.name()).containsExactly("admin", "sensor", "viewer");
        assertThatThrownBy(() -> admin.addRole("bad name", false, "", "t")).hasMessageContaining("role name");
    }

    @Test
    void grantsAndRevokesExplainRepeats() {
        admin.createAccount("u1", PW, Set.of(), null, "t");
        admin.grantRole("u1", "viewer", "t");
        assertThatThrownBy(() -> admin.grantRole("u1", "viewer", "t")).hasMessageContaining("already holds");
        admin.revokeRole("u1", "viewer", "t");
        assertThatThrownBy(() -> admin.revokeRole("u1", "viewer", "t")).hasMessageContaining("does not hold");
        assertThatThrownBy(() -> admin.grantRole("ghost", "viewer", "t")).hasMessageContaining("no account");
    }

    @Test
    void rulesAreValidatedBeforeTheyAreStored() {
        admin.createAccount("u1", PW, Set.of(), null, "t");
        assertThatThrownBy(() -> admin.addRule(rule("a/#/b"), "t")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> admin.addRule(rule("a/b+"), "t")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> admin.addRule(rule("dev/%u-x"), "t")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> admin.addRule(rule("$share/g/a"), "t")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> admin.addRule(new AclRule(0, SubjectType.ROLE, "nope", "a", Permission.READ, ""),
                "t")).hasMessageContaining("no role");
        AclRule ok = admin.addRule(rule("a/+/c"), "t");
        assertThatThrownBy(() -> admin.addRule(rule("a/+/c"), "t")).hasMessageContaining("exists already");
        assertThat(admin.listRules()).extracting(AclRule::id).containsExactly(1L, ok.id());
        assertThatThrownBy(() -> admin.removeRule(999, "t")).hasMessageContaining("no ACL rule #999");
    }

    @Test
    void everyChangeIsAnAdminEventNamingTheActor() {
        admin.createAccount("u1", PW, Set.of("sensor"), null, "shell:alice");
        admin.setPassword("u1", "another long password", "shell:alice");
        admin.setEnabled("u1", false, "shell:bob");
        assertThat(sink.events).extracting(SecurityEvent::type).containsOnly(EventType.ADMIN_CHANGE);
        assertThat(sink.events).extracting(SecurityEvent::reason, SecurityEvent::actor).containsExactly(
                org.assertj.core.groups.Tuple.tuple("account.create", "shell:alice"),
                org.assertj.core.groups.Tuple.tuple("account.password", "shell:alice"),
                org.assertj.core.groups.Tuple.tuple("account.disable", "shell:bob"));
        assertThat(sink.events.toString()).doesNotContain("another long password").doesNotContain(PW);
    }

    private static AclRule rule(String filter) {
        return new AclRule(0, SubjectType.ACCOUNT, "u1", filter, Permission.READ, "");
    }

    @Test
    void adminChangeRowsSayWhatChangedRuleIdAndTextRoleFlagsButNeverTheSecret() {
        admin.createAccount("plc-1", PW, Set.of("sensor"), null, "root");
        admin.addRole("ops", false, "operators", "root");
        AclRule r = admin.addRule(new AclRule(0,
                SubjectType.ACCOUNT, "plc-1", "plant/#",
                Permission.DENY, "no plant"), "root");
        admin.setEnabled("plc-1", false, "root");
        admin.setPassword("plc-1", "another good password", "root");

        java.util.Map<String, java.util.Map<String, String>> details = new java.util.HashMap<>();
        sink.events.forEach(e -> details.put(e.reason(), e.detail()));
        assertThat(details.get("acl.add")).containsEntry("rule", "#" + r.id() + " user:plc-1 deny plant/#")
                .containsEntry("comment", "no plant");
        assertThat(details.get("role.add")).containsEntry("role", "ops").containsEntry("superuser", "false");
        assertThat(details.get("account.disable")).containsEntry("enabled", "false").containsEntry("was", "true");
        assertThat(details.get("account.create")).containsEntry("roles", "sensor");
        assertThat(sink.events.toString()).doesNotContain(PW, "another good password");
        assertThat(admin.listRules()).extracting(AclRule::id).contains(r.id());
    }
}
