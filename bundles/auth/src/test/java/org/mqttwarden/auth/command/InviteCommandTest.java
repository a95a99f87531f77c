package org.mqttwarden.auth.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;

/**
 * {@code warden:user-add --invite} without warden-otp installed (its delivery is tested in warden-otp, which has
 * the real OtpService), its refusals, and how {@code user-list} and {@code user-show} show an invited account; on
 * the real account service and warden.db.
 */
class InviteCommandTest {

    private static final String PW = "correct horse battery";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private AuthStack auth;
    private AccountService accounts;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        auth = AuthStack.on(new JdbiAccountStore(db));
        accounts = auth.accounts();
        accounts.createAccount("bob", PW, Set.of("sensor"), "bob@example.org", "test");
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** {@code user-add --invite} without warden-otp installed */
    private List<String> invite(String username, List<String> roles, String email, boolean passwordGiven,
            String actor) throws CommandException {
        return UserAddCommand.invite(accounts, null, List.of(), username, roles, email, passwordGiven, actor);
    }

    @Test
    void withoutWardenOtpTheAccountIsCreatedAndTheLinesSayNoCodeWasSentAndHowToSendOne() throws Exception {
        List<String> lines = invite("alice", List.of("sensor"), "alice@example.org", false, "shell:karaf");
        assertThat(lines).containsExactly(
                "Created invited account alice with roles sensor: it has no password and cannot log in until one"
                        + " is set.",
                "No code could be sent: warden-otp is not installed. Install it (feature:install warden-otp), then"
                        + " send one with: warden:otp-send --purpose verify alice");
        assertThat(accounts.hasPassword("alice")).isFalse();
        assertThat(accounts.findAccount("alice").orElseThrow().roles()).containsExactly("sensor");
        assertThat(auth.authenticator().authenticate(new Credentials("alice", "!invited", "c")).allowed()).isFalse();
    }

    @Test
    void aPasswordOptionOrNoAddressWithInviteIsRefusedBeforeAnythingChanges() {
        assertThatThrownBy(() -> invite("alice", null, "alice@example.org", true, "t"))
                .isInstanceOf(CommandException.class).hasMessage("An invited account sets its own password:"
                        + " use --invite without --password-stdin or --generate. Nothing was changed.");
        for (String none : new String[] {null, "", "  "}) {
            assertThatThrownBy(() -> invite("alice", null, none, false, "t"))
                    .isInstanceOf(CommandException.class).hasMessage("--invite needs --email: the code that lets"
                            + " alice set a password goes to that address. Nothing was changed.");
        }
        assertThatThrownBy(() -> invite("alice", null, "alice at example.org", false, "t"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("'alice at example.org' is not an e-mail address.");
        assertThatThrownBy(() -> invite("alice", List.of("senser"), "alice@example.org", false, "t"))
                .isInstanceOf(CommandException.class)
                .hasMessageStartingWith("There is no role named 'senser' (did you mean 'sensor'?)");
        assertThatThrownBy(() -> invite("bob", null, "bob@example.org", false, "t"))
                .isInstanceOf(CommandException.class).hasMessage("An account named 'bob' already exists.");
        assertThat(accounts.listAccounts()).extracting(a -> a.username()).containsExactly("bob");
        assertThat(accounts.hasPassword("bob")).isTrue();
    }

    @Test
    void userListAndUserShowShowAnInvitedAccountAsHavingNoPasswordYet() throws Exception {
        invite("alice", List.of(), "alice@example.org", false, "t");
        accounts.createAccount("plc-1", accounts.generatePassword(), Set.of("sensor"), null, "t");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UserListCommand.table(accounts).print(new PrintStream(out, true, StandardCharsets.UTF_8), false);
        List<List<String>> rows = out.toString(StandardCharsets.UTF_8).lines()
                .map(l -> Stream.of(l.split("\t")).map(String::strip).toList()).toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).subList(0, 5)).containsExactly("alice", "", "yes", "none yet (invited)",
                "alice@example.org");
        assertThat(rows.get(1).subList(0, 5)).containsExactly("bob", "sensor", "yes", "yes", "bob@example.org");
        assertThat(rows.get(2).subList(0, 5)).containsExactly("plc-1", "sensor", "yes", "yes", "");

        assertThat(UserShowCommand.password(accounts, "alice")).isEqualTo("none yet (invited): it cannot log in"
                + " until its holder sets one with the e-mailed verify code (warden:otp-status alice)");
        assertThat(UserShowCommand.password(accounts, "bob")).isEqualTo("yes");

        accounts.setPassword("alice", "alice's own password", "t");
        assertThat(UserShowCommand.password(accounts, "alice")).isEqualTo("yes");
        assertThat(accounts.invitedAccounts()).doesNotContain("alice");
    }

    @Test
    void theAddressIsShownWithItsLocalPartHidden() {
        assertThat(UserAddCommand.mask("alice@example.org")).isEqualTo("a***@example.org");
        assertThat(UserAddCommand.mask("a@example.org")).isEqualTo("a***@example.org");
        assertThat(UserAddCommand.mask("\uD83D\uDE00x@example.org")).isEqualTo("\uD83D\uDE00***@example.org");
        assertThat(UserAddCommand.mask("\u001b[31mx@example.org")).isEqualTo("\\u001B***@example.org");
        assertThat(UserAddCommand.mask("nobody")).isEqualTo("***");
    }
}
