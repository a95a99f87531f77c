package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.security.KeyStoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.otp.OtpMessage;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestPki;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.internet.MimeMessage;

/**
 * SMTPS against a second, independent SMTP server (GreenMail), presenting a certificate of the test CA: the
 * implicit-TLS path must hold against more than one implementation.
 *
 * <p>GreenMail 2.1.2 reads its TLS key store once per JVM, from the system properties
 * {@code greenmail.tls.keystore.file} and {@code greenmail.tls.keystore.password} (its
 * {@code DummySSLServerSocketFactory} is a singleton made at the first secure server). So this class sets them
 * before its first server, and checks that GreenMail really presents the test certificate: should another test
 * in the same JVM ever start a GreenMail SMTPS server first, this one fails saying so rather than testing
 * GreenMail's built-in certificate.
 */
class EmailChannelGreenMailSmtpsTest {

    private static final TestPki PKI = TestPki.create("greenmail");
    private static final TestPki.Issued SERVER = PKI.server("localhost", "127.0.0.1");
    private static final String KEYSTORE_FILE = "greenmail.tls.keystore.file";
    private static final String KEYSTORE_PASSWORD = "greenmail.tls.keystore.password";

    @TempDir
    static Path keys;
    @TempDir
    Path dir;

    private GreenMail smtps;
    private EmailChannel channel;

    @BeforeAll
    static void greenMailPresentsTheTestCertificate() {
        char[] password = "changeit".toCharArray();
        System.setProperty(KEYSTORE_FILE, SERVER.writePkcs12(keys, password).toString());
        System.setProperty(KEYSTORE_PASSWORD, new String(password));
    }

    @AfterAll
    static void forgetTheKeyStore() {
        System.clearProperty(KEYSTORE_FILE);
        System.clearProperty(KEYSTORE_PASSWORD);
    }

    @BeforeEach
    void start() throws KeyStoreException {
        smtps = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS).dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("warden@plant.example.org", "warden",
                        "s3cret-Pa55 word"));
        smtps.start();
        assertThat(((DummySSLServerSocketFactory) DummySSLServerSocketFactory.getDefault()).getKeyStore()
                .getCertificate(TestPki.Issued.ALIAS))
                .as("GreenMail's TLS key store is made once per JVM: another test started GreenMail SMTPS before"
                        + " this class could set " + KEYSTORE_FILE)
                .isEqualTo(SERVER.certificate());
    }

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.close();
        }
        smtps.stop();
    }

    private EmailChannel channel(Path trust) {
        Map<String, Object> p = new HashMap<>(Map.of("mail.host", "127.0.0.1", "mail.port",
                smtps.getSmtps().getPort(), "mail.security", "smtps", "mail.from", "warden@plant.example.org",
                "mail.attempts", 1, "mail.username", "warden", "mail.password", "s3cret-Pa55 word",
                "mail.trust.file", trust.toString()));
        channel = new EmailChannel(Configs.of(OtpConfig.class, p));
        return channel;
    }

    private static OtpMessage message(String code) {
        return new OtpMessage("alice", "alice@example.org", OtpPurpose.UNLOCK, code, Instant.now().plusSeconds(600));
    }

    @Test
    void overSmtpsWithAuthTheCodeArrivesAtGreenMail() throws Exception {
        channel(PKI.writeCaPem(dir)).deliver(message("31415926")).toCompletableFuture().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> smtps.getReceivedMessages().length == 1);
        MimeMessage mail = smtps.getReceivedMessages()[0];
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("alice@example.org");
        assertThat(GreenMailUtil.getBody(mail)).contains("unlock the account alice is 31415926");
    }

    @Test
    void overSmtpsGreenMailIsRefusedWhenItsCaIsNotTheTrustedOne() {
        Throwable e = catchThrowable(() -> channel(TestPki.create("other").writeCaPem(dir))
                .deliver(message("27182818")).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertThat(e).isInstanceOf(ExecutionException.class);
        assertThat(e.getCause().getMessage()).contains("(smtps)").contains("is not trusted")
                .doesNotContain("27182818").doesNotContain("s3cret");
        assertThat(smtps.getReceivedMessages()).isEmpty();
    }
}
