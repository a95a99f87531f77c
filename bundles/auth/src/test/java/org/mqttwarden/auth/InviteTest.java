package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;

/**
 * {@link AccountService#inviteAccount}: an invited account holds no password (the stored marker
 * {@link PasswordHasher#NO_PASSWORD}), so no password logs it in, whatever is tried, and a try answers and costs
 * what a wrong password does; once a password is set it logs in. Refused invitations change nothing. The whole
 * stack as DS wires it (AuthStack), on a real warden.db.
 */
class InviteTest {

    private static final String PW = "correct horse battery";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private JdbiAccountStore store;
    private AuthStack auth;
    private AccountService accounts;
    private final RecordingSink sink = new RecordingSink();

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        store = new JdbiAccountStore(db);
        auth = AuthStack.on(store).sink(sink);
        accounts = auth.accounts();
        accounts.createAccount("bob", PW, Set.of("sensor"), "bob@example.org", "test");
        sink.events.clear();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Decision login(String user, String password) {
        return auth.authenticator().authenticate(new Credentials(user, password, "client-" + user));
    }

    private long bcrypt() {
        return auth.metrics().counters().get("bcrypt_verifications");
    }

    private List<SecurityEvent> adminChanges() {
        return sink.events.stream().filter(e -> e.type() == EventType.ADMIN_CHANGE).toList();
    }

    @Test
    void anInvitedAccountIsStoredWithTheMarkerAndRecordedAsAnInvitation() {
        accounts.inviteAccount("alice", Set.of("sensor"), " alice@example.org ", "shell:karaf");

        assertThat(store.findAccount("alice").orElseThrow().passwordHash()).isEqualTo(PasswordHasher.NO_PASSWORD);
        assertThat(accounts.findAccount("alice").orElseThrow().email()).isEqualTo("alice@example.org");
        assertThat(accounts.hasPassword("alice")).isFalse();
        assertThat(accounts.hasPassword("bob")).isTrue();
        assertThat(adminChanges()).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(AdminChange.ACCOUNT_INVITE).isEqualTo("account.invite");
            assertThat(e.outcome()).isEqualTo(Outcome.ALLOW);
            assertThat(e.username()).isEqualTo("alice");
            assertThat(e.detail()).containsEntry("roles", "sensor");
            assertThat(e.toString()).doesNotContain(PasswordHasher.NO_PASSWORD);
        });
        assertThatThrownBy(() -> accounts.hasPassword("ghost")).isInstanceOf(InvalidInputException.class)
                .hasMessage("There is no account named 'ghost'.");
    }

    @Test
    void noPasswordLogsAnInvitedAccountInAndEachTryAnswersAsAWrongPasswordDoes() {
        accounts.inviteAccount("alice", Set.of("sensor"), "alice@example.org", "test");
        List<String> tries = List.of(PasswordHasher.NO_PASSWORD, "!", "!invited ", "invited", "",
                " ", "\u0000", "null", PasswordHasher.PREFIX, PasswordHasher.PREFIX + "$" + PasswordHasher.NO_PASSWORD,
                "x".repeat(128), "x".repeat(129), accounts.generatePassword(), PW);
        for (String attempt : tries) {
            Decision invited = login("alice", attempt);
            Decision wrong = login("bob", attempt + (attempt.equals(PW) ? "!" : ""));
            assertThat(invited.allowed()).as("[%s]", attempt).isFalse();
            assertThat(invited.reason()).as("[%s] answers as a wrong password of an account with one", attempt)
                    .isEqualTo(wrong.reason());
        }
        assertThat(login("alice", PasswordHasher.NO_PASSWORD).reason()).isEqualTo("auth.bad-password");
        assertThat(login("alice", PW).reason()).isEqualTo("auth.bad-password");
        assertThat(login("alice", accounts.generatePassword()).reason()).isEqualTo("auth.bad-password");
    }

    @Test
    void aGuessAtAnInvitedAccountCostsOneBcryptLikeAGuessAtAnyOther() {
        accounts.inviteAccount("alice", Set.of("sensor"), "alice@example.org", "test");
        long before = bcrypt();
        assertThat(login("alice", "a typed guess here").reason()).isEqualTo("auth.bad-password");
        long invited = bcrypt() - before;
        before = bcrypt();
        assertThat(login("bob", "a typed guess here").reason()).isEqualTo("auth.bad-password");
        assertThat(invited).as("one check each, so time does not tell an invited account").isEqualTo(1)
                .isEqualTo(bcrypt() - before);
    }

    @Test
    void guessesInParallelNeverLogItInAndNothingIsRemembered() throws Exception {
        accounts.inviteAccount("alice", Set.of("sensor"), "alice@example.org", "test");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Decision>> all = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String attempt = i % 2 == 0 ? PasswordHasher.NO_PASSWORD : "guess number " + i;
                all.add(pool.submit(() -> login("alice", attempt)));
            }
            for (Future<Decision> f : all) {
                assertThat(f.get().allowed()).isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(auth.metrics().counters().get("remembered_logins")).isZero();
        assertThat(store.findAccount("alice").orElseThrow().passwordHash()).isEqualTo(PasswordHasher.NO_PASSWORD);
    }

    @Test
    void settingAPasswordLetsTheInvitedAccountLogInWithItOnly() {
        accounts.inviteAccount("alice", Set.of("sensor"), "alice@example.org", "test");
        accounts.setPassword("alice", "alice's own password", "otp (verify)");

        assertThat(accounts.hasPassword("alice")).isTrue();
        assertThat(login("alice", "alice's own password").reason()).isEqualTo("auth.ok");
        assertThat(login("alice", PasswordHasher.NO_PASSWORD).reason()).isEqualTo("auth.bad-password");
        assertThat(adminChanges()).extracting(SecurityEvent::reason)
                .containsExactly(AdminChange.ACCOUNT_INVITE, AdminChange.ACCOUNT_PASSWORD);
    }

    @Test
    void anInvitationWithoutAGoodAddressOrForATakenNameOrUnknownRoleChangesNothing() {
        List<String> refused = new ArrayList<>();
        for (String email : new String[] {null, "", "   ", "alice", "alice@", "@example.org", "alice@example",
            "a b@example.org", "alice@example.org\r\nBcc: eve@example.org"}) {
            assertThatThrownBy(() -> accounts.inviteAccount("alice", Set.of("sensor"), email, "test"))
                    .as("[%s]", email).isInstanceOf(InvalidInputException.class)
                    .satisfies(e -> refused.add(e.getMessage()));
        }
        assertThat(refused.subList(0, 3)).as("no address")
                .containsOnly("An invitation needs an e-mail address to go to.");
        assertThat(refused.get(3)).isEqualTo("'alice' is not an e-mail address.");
        assertThatThrownBy(() -> accounts.inviteAccount("bob", Set.of(), "bob2@example.org", "test"))
                .hasMessage("An account named 'bob' already exists.");
        assertThatThrownBy(() -> accounts.inviteAccount("alice", Set.of("operator"), "alice@example.org", "test"))
                .hasMessage("There is no role named 'operator'.");
        assertThatThrownBy(() -> accounts.inviteAccount("a/b", Set.of(), "alice@example.org", "test"))
                .hasMessageContaining("'/'");

        assertThat(accounts.findAccount("alice")).isEmpty();
        assertThat(accounts.listAccounts()).hasSize(1);
        assertThat(accounts.hasPassword("bob")).as("the taken name's account is untouched").isTrue();
        assertThat(login("bob", PW).allowed()).isTrue();
        assertThat(adminChanges()).as("nothing was recorded either").isEmpty();
    }
}
