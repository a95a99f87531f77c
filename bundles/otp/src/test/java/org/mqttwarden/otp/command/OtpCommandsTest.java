package org.mqttwarden.otp.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Reasons;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.otp.OtpPending;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.auth.command.UserAddCommand;
import org.mqttwarden.otp.EmailChannel;
import org.mqttwarden.otp.OtpConfig;
import org.mqttwarden.otp.OtpManager;
import org.mqttwarden.store.EtcKeyFiles;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.internet.MimeMessage;

/**
 * {@code warden:user-add --invite}, {@code warden:otp-send} and {@code warden:otp-status} on real parts: warden-auth's
 * account service and event publisher (AuthStack), warden-otp's OtpManager with its key under a temporary etc/,
 * warden.db on SQLite, and the shipped e-mail channel sending to a real SMTP server in-process (GreenMail, plain
 * SMTP on loopback). Components are started, bound and stopped as DS does it, their lifecycle methods by reflection.
 */
class OtpCommandsTest {

    private static final String PW = "bob's long password";
    private static final Pattern CODE = Pattern.compile("\\b(\\d{8})\\b");

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private AuthStack auth;
    private AccountService accounts;
    private GreenMail smtp;
    private EmailChannel mail;
    private OtpManager otp;
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    /** Everything the commands printed or threw, to show no code is ever in it. */
    private final List<String> printed = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        auth = AuthStack.on(new JdbiAccountStore(db)).sink(e -> {
            events.add(e);
            return CompletableFuture.completedFuture(null);
        });
        accounts = auth.accounts();
        accounts.createAccount("bob", PW, Set.of("sensor"), "bob@example.org", "test");
        accounts.createAccount("carol", PW, Set.of("sensor"), null, "test");
        accounts.createAccount("dave", PW, Set.of("sensor"), "dave@example.org", "test");
        accounts.setEnabled("dave", false, "test");
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        mail = mailChannel(Map.of());
        otp = new OtpManager(db, new EtcKeyFiles(dir), accounts, auth.events(), Configs.defaults(OtpConfig.class));
        lifecycle(otp, "addChannel", mail);
        events.clear();
    }

    @AfterEach
    void stop() throws Exception {
        lifecycle(otp, "close");
        lifecycle(mail, "close");
        smtp.stop();
        db.close();
    }

    private EmailChannel mailChannel(Map<String, ?> overrides) {
        Map<String, Object> p = new HashMap<>(Map.of("mail.host", "127.0.0.1", "mail.port",
                smtp.getSmtp().getPort(), "mail.security", "none", "mail.from", "warden@plant.example.org",
                "mail.attempts", 1, "mail.timeout.ms", 2000));
        p.putAll(overrides);
        return new EmailChannel(Configs.of(OtpConfig.class, p));
    }

    /** Calls a component's DS method (bind, deactivate), which DS too calls by reflection. */
    private static void lifecycle(Object component, String name, Object... args) throws Exception {
        for (Method m : component.getClass().getDeclaredMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                m.setAccessible(true);
                m.invoke(component, args);
                return;
            }
        }
        throw new AssertionError("no method " + name);
    }

    private String send(String username, String purpose) throws CommandException {
        return send(List.of(mail), username, purpose);
    }

    private String send(List<OtpChannel> channels, String username, String purpose) throws CommandException {
        try {
            String line = OtpSendCommand.send(accounts, otp, channels, username, purpose, "shell:karaf");
            printed.add(line);
            return line;
        } catch (CommandException e) {
            printed.add(e.getMessage());
            throw e;
        }
    }

    private String status(String username) {
        List<OtpPending> pending = otp.pending(username);
        String out;
        if (pending.isEmpty()) {
            out = OtpStatusCommand.none(username);
        } else {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            OtpStatusCommand.table(pending).print(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
            out = bytes.toString(StandardCharsets.UTF_8);
        }
        printed.add(out);
        return out;
    }

    /** @return the code of the mail number {@code n} (from 1), once it has arrived, to {@code to} */
    private String mailedCode(int n, String to) throws Exception {
        assertThat(smtp.waitForIncomingEmail(20_000, n)).as("mail %d arrived", n).isTrue();
        MimeMessage m = smtp.getReceivedMessages()[n - 1];
        assertThat(m.getAllRecipients()[0].toString()).isEqualTo(to);
        Matcher code = CODE.matcher(GreenMailUtil.getBody(m));
        assertThat(code.find()).isTrue();
        return code.group(1);
    }

    private List<SecurityEvent> otpEvents(String reason) {
        return events.stream().filter(e -> e.type() == EventType.OTP && e.reason().equals(reason)).toList();
    }

    private boolean logsIn(String user, String password) {
        return auth.authenticator().authenticate(new Credentials(user, password, "c-" + user)).allowed();
    }

    private void assertNoCodeShown(String code) {
        assertThat(printed).isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain(code));
        assertThat(events).allSatisfy(e -> assertThat(e.toString()).doesNotContain(code));
    }

    @Test
    void anInvitationMailsAVerifyCodeWithWhichTheHolderSetsThePasswordTheAdminNeverSaw() throws Exception {
        List<String> lines = UserAddCommand.invite(accounts, otp, List.of(mail), "alice", List.of("sensor"),
                "alice@example.org", false, "shell:karaf");
        printed.addAll(lines);
        assertThat(lines).containsExactly(
                "Created invited account alice with roles sensor: it has no password and cannot log in until one"
                        + " is set.",
                "Asked warden-otp to send a verify code to a***@example.org, with which alice sets the password."
                        + " warden:otp-status alice shows its delivery; if it lists no code, warden:audit-search"
                        + " --type OTP --user alice says why.");

        String code = mailedCode(1, "alice@example.org");
        assertThat(GreenMailUtil.getBody(smtp.getReceivedMessages()[0])).contains("verify the account alice");
        await().atMost(Duration.ofSeconds(10)).until(() -> status("alice").contains("sent by email"));
        String table = status("alice");
        assertThat(table).contains("alice", "verify", "5").doesNotContain("reset");
        assertThat(otpEvents(Reasons.OTP_ISSUED)).singleElement()
                .satisfies(e -> assertThat(e.actor()).isEqualTo("shell:karaf"));

        assertThat(logsIn("alice", "alice's chosen password")).isFalse();
        assertThat(otp.confirm("alice", OtpPurpose.VERIFY, code, "alice's chosen password", "127.0.0.1")
                .confirmed()).isTrue();
        assertThat(logsIn("alice", "alice's chosen password")).isTrue();
        assertThat(status("alice")).startsWith("No one-time code is pending for alice.");
        assertNoCodeShown(code);
    }

    @Test
    void withMailOffAnInvitationCreatesTheAccountAsksForNoCodeAndSaysSo() throws Exception {
        EmailChannel off = mailChannel(Map.of("mail.host", ""));
        try {
            List<String> lines = UserAddCommand.invite(accounts, otp, List.of(off), "alice", List.of(),
                    "alice@example.org", false, "shell:karaf");
            assertThat(lines).containsExactly(
                    "Created invited account alice: it has no password and cannot log in until one is set.",
                    "No code was sent: no delivery channel reaches a***@example.org (e-mail is off while mail.host"
                            + " of org.mqttwarden.otp is empty, or its mail settings were refused: karaf.log says"
                            + " why). Send one later with: warden:otp-send --purpose verify alice");
            assertThat(accounts.hasPassword("alice")).isFalse();
            assertThat(otp.pending(null)).isEmpty();
            assertThat(events).as("no code was asked for").noneMatch(e -> e.type() == EventType.OTP);

            assertThatThrownBy(() -> send(List.of(off), "alice", null)).isInstanceOf(CommandException.class)
                    .hasMessage("No code can be sent to alice now: no delivery channel reaches a***@example.org:"
                            + " e-mail is off while mail.host of org.mqttwarden.otp is empty, or its mail settings"
                            + " were refused (karaf.log says why). Nothing was sent.");
            assertThatThrownBy(() -> send(List.of(), "alice", null)).as("warden-otp has no channel at all")
                    .hasMessageContaining("no delivery channel reaches a***@example.org");

            String line = send("alice", null);
            assertThat(line).as("once mail is on, the code the invitation could not send")
                    .startsWith("Asked warden-otp to send a verify code for alice to a***@example.org; ");
            assertNoCodeShown(mailedCode(1, "alice@example.org"));
        } finally {
            lifecycle(off, "close");
        }
    }

    @Test
    void otpSendSendsVerifyToAnAccountWithoutAPasswordAndResetOtherwiseUnlessTold() throws Exception {
        accounts.inviteAccount("alice", Set.of(), "alice@example.org", "test");

        assertThat(send("alice", null)).isEqualTo("Asked warden-otp to send a verify code for alice to"
                + " a***@example.org; warden:otp-status alice shows its delivery; if it lists no code,"
                + " warden:audit-search --type OTP --user alice says why (for one: a code was sent less than"
                + " code.cooldown.seconds ago).");
        String verify = mailedCode(1, "alice@example.org");
        assertThat(send("bob", null)).startsWith("Asked warden-otp to send a reset code for bob to b***@example.org;");
        String reset = mailedCode(2, "bob@example.org");
        assertThat(GreenMailUtil.getBody(smtp.getReceivedMessages()[1])).contains("reset the account bob");
        assertThat(send("bob", "unlock")).startsWith("Asked warden-otp to send an unlock code for bob");
        String unlock = mailedCode(3, "bob@example.org");

        await().atMost(Duration.ofSeconds(10)).until(() -> otp.pending(null).size() == 3
                && otp.pending(null).stream().allMatch(p -> p.delivery().startsWith("sent by email")));
        assertThat(otp.pending(null)).extracting(p -> p.username() + "/" + p.purpose().id())
                .containsExactly("alice/verify", "bob/reset", "bob/unlock");
        String table = status(null);
        assertThat(table.lines().toList()).as("a header, a rule, three codes").hasSize(5);
        assertThat(table.lines().findFirst().orElseThrow()).contains("Username", "Purpose", "Issued", "Expires",
                "Tries left", "Delivery");
        assertThat(status("bob").lines().toList()).hasSize(4);
        assertThat(otpEvents(Reasons.OTP_ISSUED)).hasSize(3)
                .allSatisfy(e -> assertThat(e.actor()).isEqualTo("shell:karaf"));
        assertNoCodeShown(verify);
        assertNoCodeShown(reset);
        assertNoCodeShown(unlock);
    }

    @Test
    void otpSendRefusesWhatCannotBeSentWithOneSentenceAndSendsNothing() {
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("bob verify", "bob has a password already: a verify code is for an invited account that has"
                + " none. To replace the password send a reset code (--purpose reset); nothing was sent.");
        refused.put("ghost reset", "There is no account named 'ghost'.");
        refused.put("carol reset", "carol has no e-mail address for a code to go to; nothing was sent.");
        refused.put("dave reset", "dave is disabled, and a disabled account gets no code (warden:user-enable dave"
                + " first); nothing was sent.");
        refused.put("bob admin", "--purpose must be verify, reset or unlock, not 'admin'.");
        refused.put("bob VERIFY", "--purpose must be verify, reset or unlock, not 'VERIFY'.");
        refused.put("bob ", "--purpose must be verify, reset or unlock, not ''.");
        for (Map.Entry<String, String> r : refused.entrySet()) {
            String[] args = r.getKey().split(" ", -1);
            assertThatThrownBy(() -> send(args[0], args[1])).as(r.getKey()).isInstanceOf(CommandException.class)
                    .hasMessage(r.getValue());
        }
        assertThatThrownBy(() -> send("ghost\u001b[2J\u202e", null)).as("a name is printed escaped")
                .hasMessage("There is no account named 'ghost\\u001B[2J\\u202E'.");
        assertThat(otp.pending(null)).isEmpty();
        assertThat(smtp.getReceivedMessages()).isEmpty();
        assertThat(events).as("nothing was asked of warden-otp").isEmpty();
    }

    @Test
    void otpStatusShowsAFailedDeliveryAndAClearLineWhenNothingIsPending() throws Exception {
        assertThat(status(null)).isEqualTo("No one-time code is pending. Used, expired and refused codes are not"
                + " listed: warden:audit-search --type OTP shows them.");
        assertThat(status("bob")).isEqualTo("No one-time code is pending for bob. Used, expired and refused codes"
                + " are not listed: warden:audit-search --type OTP --user bob shows them.");
        assertThat(OtpStatusCommand.none("x\u001b]0;pwned\u0007")).contains("for x\\u001B]0;pwned\\u0007.")
                .doesNotContain("\u001b");

        smtp.stop();
        send("bob", "reset");
        await().atMost(Duration.ofSeconds(30)).until(() -> otp.pending("bob").stream()
                .anyMatch(p -> p.delivery().startsWith("failed (email)")));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OtpStatusCommand.table(otp.pending("bob")).print(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                false);
        List<String> cells = List.of(bytes.toString(StandardCharsets.UTF_8).strip().split("\t"));
        assertThat(cells).hasSize(6);
        assertThat(cells.get(0).strip()).isEqualTo("bob");
        assertThat(cells.get(1).strip()).isEqualTo("reset");
        assertThat(cells.get(4).strip()).isEqualTo("5");
        assertThat(cells.get(5)).startsWith("failed (email): SMTP 127.0.0.1:").contains("attempt 1 of 1");
        assertThat(otpEvents(Reasons.OTP_SEND_FAILED)).hasSize(1);
    }

    @Test
    void otpStatusSaysWhetherAndWhyMailIsOff() {
        assertThat(OtpStatusCommand.channels(List.of())).isEqualTo(
                "Delivery: no channel is installed: no code can be sent\n");
        assertThat(OtpStatusCommand.channels(List.of(mailChannel(Map.of("mail.host", "")))))
                .isEqualTo("Delivery by email: off: mail.host is empty (set it in etc/org.mqttwarden.otp.cfg)\n");
        assertThat(OtpStatusCommand.channels(List.of(mailChannel(Map.of("mail.host", "smtp.plant.example.org")))))
                .as("no TLS beyond loopback: refused, and said").startsWith("Delivery by email: off: its configuration"
                        + " is refused: ").contains("mail.security");
        assertThat(OtpStatusCommand.channels(List.of(mailChannel(Map.of("mail.password", "hunter2 secret")))))
                .isEqualTo("Delivery by email: ready (127.0.0.1:" + smtp.getSmtp().getPort() + ", none)\n")
                .doesNotContain("hunter2");
    }
}
