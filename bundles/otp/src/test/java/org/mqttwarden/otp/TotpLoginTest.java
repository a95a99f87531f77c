package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginReason;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.lockout.LockoutGuard;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestClock;

/** The TOTP second step through warden-auth's real engine, as DS wires warden-otp's enrolments into it. */
class TotpLoginTest {

    private static final byte[] KEY = "a totp key of thirty-two bytes!!".getBytes(StandardCharsets.US_ASCII);
    private static final String PASSWORD = "operator's long password";

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private SqliteDatabase db;
    private AuthStack auth;
    private TotpEnrollments totp;
    private TotpAccountChanges changes;
    private byte[] secret;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        auth = AuthStack.on(new JdbiAccountStore(db));
        totp = new TotpEnrollments(db, KEY, clock, new SecureRandom());
        changes = new TotpAccountChanges(totp);
        auth.secondFactor(totp).sink(changes);
        auth.accounts().createAccount("olga", PASSWORD, Set.of("admin"), null, "test");
        auth.accounts().createAccount("sensor1", PASSWORD, Set.of("sensor"), null, "test");
        secret = TotpEnrollmentsTest.secretOf(totp.enroll("olga"));
    }

    @AfterEach
    void close() {
        changes.close();
        db.close();
    }

    private Decision login(String user, String password) {
        return auth.authenticator().authenticate(new Credentials(user, password, "c1"));
    }

    private String code(long stepsFromNow) {
        return Totp.code(secret, clock.instant().plusSeconds(30 * stepsFromNow));
    }

    @Test
    void anEnrolledAccountNeedsItsPasswordFollowedByTheCurrentCode() {
        assertThat(login("olga", PASSWORD).allowed()).as("password alone").isFalse();
        String wrong = code(0).equals("000000") ? "111111" : "000000";
        assertThat(login("olga", PASSWORD + wrong).reason()).isEqualTo(LoginReason.BAD_CODE.code());
        Decision in = login("olga", PASSWORD + code(0));
        assertThat(in.allowed()).isTrue();
        assertThat(in.reason()).as("the right password with a wrong code was remembered: no second bcrypt")
                .isEqualTo(LoginReason.OK_REMEMBERED.code());
    }

    @Test
    void aRememberedPasswordDoesNotLetAReplayedCodeThrough() {
        String once = PASSWORD + code(0);
        assertThat(login("olga", once).allowed()).isTrue();
        Decision replay = login("olga", once);
        assertThat(replay.allowed()).isFalse();
        assertThat(replay.reason()).isEqualTo(LoginReason.BAD_CODE.code());
        assertThat(LoginReason.countsAsGuess(replay.reason())).as("lockout counts it").isTrue();

        clock.advance(Duration.ofSeconds(30));
        Decision next = login("olga", PASSWORD + code(0));
        assertThat(next.allowed()).isTrue();
        assertThat(next.reason()).as("the password was remembered, the code checked")
                .isEqualTo(LoginReason.OK_REMEMBERED.code());
    }

    @Test
    void aWrongPasswordNeverSpendsTheCode() {
        String code = code(0);
        Decision wrong = login("olga", "not the password" + code);
        assertThat(wrong.reason()).isEqualTo(LoginReason.BAD_PASSWORD.code());
        assertThat(login("olga", PASSWORD + code).allowed()).as("the code is still fresh").isTrue();
    }

    @Test
    void accountsWithoutTotpAreUntouched() {
        assertThat(login("sensor1", PASSWORD).allowed()).isTrue();
        assertThat(login("sensor1", PASSWORD + code(0)).allowed()).isFalse();
        assertThat(login("nobody", PASSWORD + code(0)).reason()).isEqualTo(LoginReason.UNKNOWN_USER.code());
    }

    @Test
    void withoutTheSecondFactorServiceThePasswordAloneLogsIn() {
        auth.noSecondFactor(totp);
        assertThat(login("olga", PASSWORD).allowed()).isTrue();
        auth.secondFactor(totp);
        assertThat(login("olga", PASSWORD).allowed()).isFalse();
    }

    @Test
    void aRemovedAccountRecreatedUnderItsNameStartsWithoutTotp() {
        auth.accounts().removeAccount("olga", "test");
        await().atMost(Duration.ofSeconds(10)).until(() -> !totp.enrolled().contains("olga"));
        auth.accounts().createAccount("olga", PASSWORD, Set.of("viewer"), null, "test");
        assertThat(login("olga", PASSWORD).allowed()).isTrue();
        assertThat(new TotpEnrollments(db, KEY, clock, new SecureRandom()).required("olga"))
                .as("the enrolment row is gone too").isFalse();
    }

    @Test
    void wrongCodesAreFailedLoginsThatLockTheAccount() {
        // no login budget: this is about counting failures, not about the share of time logins may take
        auth.guard(new LockoutGuard(db, Configs.of(LockoutGuard.Config.class, Map.of("login.budget.percent", 0))));
        String wrong = code(0).equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 5; i++) {
            assertThat(login("olga", PASSWORD + wrong).reason()).isEqualTo(LoginReason.BAD_CODE.code());
        }
        Decision locked = login("olga", PASSWORD + code(0));
        assertThat(locked.allowed()).as("the right password and code, after 5 wrong codes").isFalse();
        assertThat(locked.reason()).startsWith("lockout.");
    }
}
