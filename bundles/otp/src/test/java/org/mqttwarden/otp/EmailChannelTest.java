package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mqttwarden.api.otp.OtpMessage;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.testsupport.Configs;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.internet.MimeMessage;

/**
 * Codes by e-mail through a real SMTP server in-process (GreenMail, plain SMTP on loopback): what arrives, and what
 * the channel refuses. GreenMail has no STARTTLS, which is how the "STARTTLS required" test gets a server that
 * does not offer it. TLS itself (STARTTLS, SMTPS, mail.trust.file) is tested in {@link EmailChannelTlsTest} and
 * {@link EmailChannelGreenMailSmtpsTest}.
 */
class EmailChannelTest {

    private GreenMail smtp;
    private EmailChannel channel;

    @BeforeEach
    void startServer() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
    }

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.close();
        }
        smtp.stop();
    }

    private EmailChannel channel(Map<String, ?> overrides) {
        Map<String, Object> p = new HashMap<>(Map.of("mail.host", "127.0.0.1", "mail.port",
                smtp.getSmtp().getPort(), "mail.security", "none", "mail.from", "warden@plant.example.org",
                "mail.attempts", 1));
        p.putAll(overrides);
        channel = new EmailChannel(Configs.of(OtpConfig.class, p));
        return channel;
    }

    private static OtpMessage message(String code) {
        return new OtpMessage("alice", "alice@example.org", OtpPurpose.RESET, code,
                Instant.now().plusSeconds(600));
    }

    @Test
    void aCodeArrivesAsPlainTextFromTheSenderToTheAccountsAddress() throws Exception {
        channel(Map.of()).deliver(message("31415926")).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getFrom()[0].toString()).isEqualTo("warden@plant.example.org");
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("alice@example.org");
        assertThat(mail.getSubject()).isEqualTo("Your MQTT Warden code");
        assertThat(GreenMailUtil.getBody(mail)).contains("31415926").contains("reset the account alice")
                .contains("can be used once");
    }

    @Test
    void withStartTlsRequiredAServerThatDoesNotOfferItGetsNoMail() {
        EmailChannel strict = channel(Map.of("mail.security", "starttls"));
        assertThat(strict.reaches("alice@example.org")).isTrue();
        assertThatThrownBy(() -> strict.deliver(message("27182818")).toCompletableFuture().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().hasMessageContaining("attempt 1 of 1")
                .hasMessageContaining("STARTTLS").satisfies(e -> assertThat(e.getMessage()).doesNotContain("27182818"));
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void noTransportSecurityIsRefusedTowardsAnythingButLoopback() {
        EmailChannel refused = channel(Map.of("mail.host", "smtp.example.org"));
        assertThat(refused.reaches("alice@example.org")).as("off: the configuration was refused").isFalse();
        refused.close();
        assertThat(channel(Map.of("mail.host", "10.0.0.25")).reaches("alice@example.org")).isFalse();
        channel.close();
        assertThat(channel(Map.of("mail.host", "cafe")).reaches("alice@example.org")).as("a name, not looked up")
                .isFalse();
        channel.close();
        assertThat(channel(Map.of("mail.host", "localhost")).reaches("alice@example.org")).isTrue();
        channel.close();
        assertThat(channel(Map.of("mail.host", "::1")).reaches("alice@example.org")).isTrue();
    }

    @Test
    void mailIsOffWithoutAHostAndRefusedWithoutASenderOrACodeInTheTemplate() {
        assertThat(channel(Map.of("mail.host", "")).reaches("alice@example.org")).isFalse();
        channel.close();
        assertThat(channel(Map.of("mail.from", "not an address")).reaches("alice@example.org")).isFalse();
        channel.close();
        assertThat(channel(Map.of("mail.template", "no code here")).reaches("alice@example.org")).isFalse();
    }

    @Test
    void withoutTlsNoTrustFileIsReadSoABrokenOneDoesNotTurnMailOff() throws Exception {
        EmailChannel c = channel(Map.of("mail.trust.file", "/nonexistent/mail-ca.pem"));
        assertThat(c.refusal()).isEmpty();
        c.deliver(message("14142135")).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    }

    @Test
    void onlyWellFormedAddressesAreReached() {
        EmailChannel c = channel(Map.of());
        assertThat(c.reaches("alice@example.org")).isTrue();
        for (String bad : new String[] {null, "", "alice", "alice@", "<alice@example.org>, bob@example.org",
            "alice@example.org\r\nBcc: eve@example.org"}) {
            assertThat(c.reaches(bad)).as("%s", bad).isFalse();
        }
    }

    @Test
    void aServerThatIsGoneIsTriedAgainThenTheFailureIsReported() {
        EmailChannel c = channel(Map.of("mail.attempts", 2, "mail.timeout.ms", 1000));
        smtp.stop();
        assertThatThrownBy(() -> c.deliver(message("16180339")).toCompletableFuture().get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().hasMessageContaining("attempt 2 of 2");
    }
}
