package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.Reasons;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.otp.OtpMessage;
import org.mqttwarden.api.otp.OtpPending;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.api.otp.OtpService.OtpConfirmation;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestClock;

/**
 * The service on the real account service and event publisher (warden-auth), a real warden.db, and a channel that
 * keeps what it is handed (the e-mail channel is tested against a real SMTP server of its own).
 */
class OtpManagerTest {

    private static final byte[] KEY = "a code key of thirty-two bytes!!".getBytes(StandardCharsets.US_ASCII);
    private static final String OLD = "alice's old password";
    private static final String NEW = "alice's brand new password";

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private final Inbox inbox = new Inbox();
    private SqliteDatabase db;
    private AuthStack auth;
    private AccountService accounts;
    private OtpManager otp;

    /** A channel for addresses at example.org that keeps what it delivers, or fails when told to. */
    static final class Inbox implements OtpChannel {
        final List<OtpMessage> messages = new CopyOnWriteArrayList<>();
        volatile String failWith;

        @Override
        public String name() {
            return "inbox";
        }

        @Override
        public boolean reaches(String address) {
            return address.endsWith("@example.org");
        }

        @Override
        public CompletionStage<Void> deliver(OtpMessage message) {
            if (failWith != null) {
                return CompletableFuture.failedFuture(new IllegalStateException(failWith));
            }
            messages.add(message);
            return CompletableFuture.completedFuture(null);
        }
    }

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        auth = AuthStack.on(new JdbiAccountStore(db));
        auth.sink(event -> {
            events.add(event);
            return CompletableFuture.completedFuture(null);
        });
        accounts = auth.accounts();
        accounts.createAccount("alice", OLD, Set.of("viewer"), "alice@example.org", "test");
        accounts.createAccount("bob", OLD, Set.of("viewer"), null, "test");
        accounts.createAccount("carol", OLD, Set.of("viewer"), "carol@elsewhere.net", "test");
        accounts.createAccount("dave", OLD, Set.of("viewer"), "dave@example.org", "test");
        accounts.setEnabled("dave", false, "test");
        otp = new OtpManager(db, KEY, accounts, auth.events(), Configs.defaults(OtpConfig.class), clock);
        otp.addChannel(inbox);
        events.clear();
    }

    @AfterEach
    void close() {
        otp.close();
        db.close();
    }

    private List<SecurityEvent> otpEvents(String reason) {
        return events.stream().filter(e -> e.type() == EventType.OTP && e.reason().equals(reason)).toList();
    }

    private String requestCode(String user, OtpPurpose purpose) {
        int before = inbox.messages.size();
        otp.request(user, purpose, "127.0.0.1");
        await().atMost(Duration.ofSeconds(10)).until(() -> inbox.messages.size() > before);
        return inbox.messages.get(inbox.messages.size() - 1).code();
    }

    private boolean logsIn(String user, String password) {
        return auth.authenticator().authenticate(new Credentials(user, password, "c")).allowed();
    }

    @Test
    void aResetCodeReachesTheAccountsAddressAndSetsTheNewPasswordOnce() {
        String code = requestCode("alice", OtpPurpose.RESET);
        OtpMessage sent = inbox.messages.get(0);
        assertThat(sent.address()).isEqualTo("alice@example.org");
        assertThat(sent.toString()).doesNotContain(code);
        await().atMost(Duration.ofSeconds(10)).until(() -> !otpEvents(Reasons.OTP_SENT).isEmpty());
        assertThat(otp.pending("alice")).singleElement().extracting(OtpPending::delivery).asString()
                .startsWith("sent by inbox");

        assertThat(otp.confirm("alice", OtpPurpose.RESET, code, NEW, "127.0.0.1"))
                .isEqualTo(new OtpConfirmation(true, null));
        assertThat(logsIn("alice", NEW)).isTrue();
        assertThat(logsIn("alice", OLD)).isFalse();
        assertThat(otp.confirm("alice", OtpPurpose.RESET, code, "yet another password", "127.0.0.1").confirmed())
                .as("used once").isFalse();
        assertThat(otpEvents(Reasons.OTP_ISSUED)).hasSize(1);
        assertThat(otpEvents(Reasons.OTP_CONFIRMED)).hasSize(1);
        assertThat(events).as("the code is in no event").allSatisfy(e -> assertThat(e.toString()).doesNotContain(code));
    }

    @Test
    void aPasswordThePolicyRefusesDoesNotSpendTheCode() {
        String code = requestCode("alice", OtpPurpose.RESET);
        OtpConfirmation refused = otp.confirm("alice", OtpPurpose.RESET, code, "short", "127.0.0.1");
        assertThat(refused.confirmed()).isFalse();
        assertThat(refused.problem()).contains("at least");
        assertThat(otp.confirm("alice", OtpPurpose.RESET, code, NEW, "127.0.0.1").confirmed()).isTrue();
    }

    @Test
    void everyCodeNotAcceptedGetsTheSameAnswer() {
        String code = requestCode("alice", OtpPurpose.RESET);
        String wrong = code.equals("00000000") ? "11111111" : "00000000";
        OtpConfirmation a = otp.confirm("alice", OtpPurpose.RESET, wrong, NEW, "x");
        OtpConfirmation b = otp.confirm("nobody", OtpPurpose.RESET, wrong, NEW, "x");
        OtpConfirmation c = otp.confirm("alice", OtpPurpose.UNLOCK, code, null, "x");
        OtpConfirmation d = otp.confirm("alice", OtpPurpose.RESET, "x".repeat(100), NEW, "x");
        clock.advance(Duration.ofMinutes(10));
        OtpConfirmation e = otp.confirm("alice", OtpPurpose.RESET, code, NEW, "x");
        assertThat(List.of(a, b, c, d, e)).containsOnly(new OtpConfirmation(false, OtpManager.WRONG_CODE));
        assertThat(otpEvents(Reasons.OTP_REJECTED)).extracting(ev -> ev.detail().get("check"))
                .containsExactly("wrong", "none", "none", "none", "expired");
        assertThat(logsIn("alice", OLD)).isTrue();
    }

    @Test
    void noCodeIsSentToAnUnknownDisabledOrAddresslessAccountNorBeyondTheChannels() {
        for (String user : List.of("nobody", "dave", "bob", "carol", "", "x\u0000y")) {
            otp.request(user, OtpPurpose.RESET, "127.0.0.1");
        }
        otp.request(null, OtpPurpose.UNLOCK, "127.0.0.1");
        await().atMost(Duration.ofSeconds(10)).until(() -> otpEvents(Reasons.OTP_REFUSED).size() == 7);
        assertThat(inbox.messages).isEmpty();
        assertThat(otpEvents(Reasons.OTP_REFUSED)).extracting(ev -> ev.detail().get("why")).containsExactly(
                "no such account", "account disabled", "no e-mail address", "no channel reaches the account's address",
                "no such account", "no such account", "no such account");
        assertThat(otp.pending(null)).isEmpty();
    }

    @Test
    void aSecondRequestWithinTheCooldownIsRefusedAndAudited() {
        requestCode("alice", OtpPurpose.UNLOCK);
        otp.request("alice", OtpPurpose.UNLOCK, "127.0.0.1");
        await().atMost(Duration.ofSeconds(10)).until(() -> !otpEvents(Reasons.OTP_REFUSED).isEmpty());
        assertThat(otpEvents(Reasons.OTP_REFUSED).get(0).detail()).containsEntry("why", OtpCodes.COOLDOWN)
                .containsKey("retry_at");
        assertThat(inbox.messages).hasSize(1);
    }

    @Test
    void anUnlockCodePublishesTheEventWardenLockoutClearsOn() {
        String code = requestCode("alice", OtpPurpose.UNLOCK);
        assertThat(otp.confirm("alice", OtpPurpose.UNLOCK, code, null, "127.0.0.1").confirmed()).isTrue();
        assertThat(otpEvents(Reasons.OTP_UNLOCK)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.ALLOW);
            assertThat(e.username()).isEqualTo("alice");
        });
        assertThat(logsIn("alice", OLD)).as("the password is not touched by an unlock").isTrue();
    }

    @Test
    void aFailedDeliveryIsAuditedAndShownNotSwallowed() {
        inbox.failWith = "SMTP server said 550 mailbox unavailable";
        otp.request("alice", OtpPurpose.RESET, "127.0.0.1");
        await().atMost(Duration.ofSeconds(10)).until(() -> !otpEvents(Reasons.OTP_SEND_FAILED).isEmpty());
        assertThat(otpEvents(Reasons.OTP_SEND_FAILED).get(0).detail()).containsEntry("channel", "inbox")
                .containsEntry("why", "SMTP server said 550 mailbox unavailable");
        assertThat(otp.pending("alice")).singleElement().extracting(OtpPending::delivery).asString()
                .contains("failed").contains("550");
    }

    @Test
    void anInvalidConfigurationIsRefusedAndTheLimitsInForceStay() {
        otp.modified(Configs.of(OtpConfig.class, Map.of("code.length", 4)));
        String code = requestCode("alice", OtpPurpose.RESET);
        assertThat(code).hasSize(8);
        otp.modified(Configs.of(OtpConfig.class, Map.of("code.length", 6, "code.cooldown.seconds", 0)));
        assertThat(requestCode("alice", OtpPurpose.RESET)).hasSize(6);
    }

    @Test
    void anInvitedAccountSetsItsOwnPasswordWithAVerifyCode() {
        accounts.inviteAccount("erin", Set.of("viewer"), "erin@example.org", "test");
        assertThat(logsIn("erin", NEW)).isFalse();
        String code = requestCode("erin", OtpPurpose.VERIFY);
        assertThat(inbox.messages.get(inbox.messages.size() - 1).purpose()).isEqualTo(OtpPurpose.VERIFY);
        assertThat(otp.confirm("erin", OtpPurpose.VERIFY, code, NEW, "127.0.0.1").confirmed()).isTrue();
        assertThat(accounts.hasPassword("erin")).isTrue();
        assertThat(logsIn("erin", NEW)).isTrue();
    }

    @Test
    void noVerifyCodeIsSentToAnAccountThatHasAPassword() {
        otp.request("alice", OtpPurpose.VERIFY, "127.0.0.1");
        await().atMost(Duration.ofSeconds(10)).until(() -> !otpEvents(Reasons.OTP_REFUSED).isEmpty());
        assertThat(otpEvents(Reasons.OTP_REFUSED).get(0).detail().get("why")).contains("has a password");
        assertThat(inbox.messages).isEmpty();
        assertThat(otp.pending("alice")).isEmpty();
    }
}
