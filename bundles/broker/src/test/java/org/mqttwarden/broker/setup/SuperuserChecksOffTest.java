package org.mqttwarden.broker.setup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;

/**
 * The generated go-auth.conf turns superuser checks off ({@code auth_opt_disable_superuser true}): one HTTP call per
 * ACL check instead of up to two. The claim is that no decision changes, because Warden's {@code /acl} allows
 * superusers itself. Proved here through warden-auth's real engine on a real SQLite store: for every account
 * (superusers, ordinary ones with allow and deny rules, a disabled superuser, an invited superuser without a
 * password, an account granted a superuser role later, unknown and invalid names), topic and access, go-auth's answer with the
 * checks on (as its backends.go does: {@code /superuser} yes allows, otherwise {@code /acl} decides) equals its
 * answer with them off ({@code /acl} only).
 */
class SuperuserChecksOffTest {

    private static final String ACTOR = "test";

    @TempDir
    Path dir;

    SqliteDatabase database;
    AuthStack stack;
    AccountService accounts;

    @BeforeEach
    void setUp() {
        database = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        stack = AuthStack.on(new JdbiAccountStore(database));
        accounts = stack.accounts();
        accounts.addRole("ops", true, "superusers", ACTOR);
        accounts.addRole("device", false, "devices", ACTOR);
        accounts.addRole("late", false, "its holder becomes a superuser later", ACTOR);
        accounts.createAccount("root-1", "a-long-password-1", Set.of("ops"), null, ACTOR);
        // a superuser that an explicit deny rule names: /acl still allows it (superusers before rules)
        accounts.createAccount("root-denied", "a-long-password-2", Set.of("ops", "device"), null, ACTOR);
        rule(SubjectType.ACCOUNT, "root-denied", "secret/#", Permission.DENY);
        accounts.createAccount("root-off", "a-long-password-3", Set.of("ops"), null, ACTOR);
        accounts.setEnabled("root-off", false, ACTOR);
        accounts.inviteAccount("root-invited", Set.of("ops"), "ops@example.org", ACTOR);
        accounts.createAccount("dev-1", "a-long-password-4", Set.of("device"), null, ACTOR);
        rule(SubjectType.ROLE, "device", "devices/+/state", Permission.READ);
        rule(SubjectType.ACCOUNT, "dev-1", "devices/dev-1/#", Permission.READWRITE);
        rule(SubjectType.ACCOUNT, "dev-1", "devices/dev-1/secret", Permission.DENY);
        accounts.createAccount("dev-off", "a-long-password-5", Set.of("device"), null, ACTOR);
        accounts.setEnabled("dev-off", false, ACTOR);
        accounts.createAccount("late-1", "a-long-password-6", Set.of("late"), null, ACTOR);
        rule(SubjectType.ROLE, "late", "late/#", Permission.WRITE);
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    private void rule(SubjectType type, String subject, String filter, Permission permission) {
        accounts.addRule(new AclRule(0, type, subject, filter, permission, "test"), ACTOR);
    }

    @Test
    void turningSuperuserChecksOffChangesNoDecision() {
        List<String> users = List.of("root-1", "root-denied", "root-off", "root-invited", "dev-1", "dev-off",
                "late-1", "nobody", "", "bad name", "root-1/x", "#");
        List<String> topics = List.of("devices/dev-1/temp", "devices/dev-1/secret", "devices/dev-2/state",
                "devices/dev-2/cmd", "secret/plans", "late/x", "$SYS/broker/uptime", "#", "devices/#", "+/+/state",
                "$share/g/devices/+/state", "a//b", "");
        int[] counts = compareAll(users, topics);
        // not a vacuous comparison: both kinds of answer occur, and superusers are allowed by /acl itself
        assertThat(counts[0]).as("allowed").isGreaterThan(50);
        assertThat(counts[1]).as("denied").isGreaterThan(100);
        Authorizer acl = stack.authorizer();
        assertThat(acl.authorize(new ClientRef("root-denied", "c", null), "secret/plans", Access.WRITE).allowed())
                .isTrue();
        assertThat(acl.authorize(new ClientRef("dev-1", "c", null), "devices/dev-1/secret", Access.WRITE).allowed())
                .isFalse();

        // the answers change when the accounts change, and stay equal: a superuser role granted later, a
        // superuser disabled, a superuser role revoked
        accounts.addRole("ops-late", true, "superusers, added later", ACTOR);
        accounts.grantRole("late-1", "ops-late", ACTOR);
        accounts.setEnabled("root-1", false, ACTOR);
        accounts.revokeRole("root-denied", "ops", ACTOR);
        compareAll(users, topics);
        assertThat(acl.authorize(new ClientRef("late-1", "c", null), "$SYS/broker/uptime", Access.READ).allowed())
                .isTrue();
        assertThat(acl.authorize(new ClientRef("root-1", "c", null), "devices/dev-1/temp", Access.READ).allowed())
                .isFalse();
    }

    /** @return {allowed, denied} counts, after asserting each decision is the same with checks on and off */
    private int[] compareAll(List<String> users, List<String> topics) {
        Authenticator login = stack.authenticator();
        Authorizer acl = stack.authorizer();
        List<String> differences = new ArrayList<>();
        int[] counts = new int[2];
        for (String user : users) {
            for (String topic : topics) {
                for (Access access : Access.values()) {
                    ClientRef client = new ClientRef(user, "client-of-" + user, null);
                    // go-auth with superuser checks (backends.go): a superuser is allowed without /acl
                    boolean on = login.superuser(user).allowed() || acl.authorize(client, topic, access).allowed();
                    // as generated: /acl only
                    boolean off = acl.authorize(client, topic, access).allowed();
                    if (on != off) {
                        differences.add(user + " " + access + " '" + topic + "': on=" + on + " off=" + off);
                    }
                    counts[off ? 0 : 1]++;
                }
            }
        }
        assertThat(differences).as("decisions that differ with superuser checks off").isEmpty();
        return counts;
    }
}
