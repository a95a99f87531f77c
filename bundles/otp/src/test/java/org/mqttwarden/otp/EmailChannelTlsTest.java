package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.otp.OtpMessage;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestPki;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.SSLSocketCreator;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * The e-mail channel's TLS against a real SMTP server with STARTTLS and implicit TLS (subethasmtp, in-process, on
 * loopback, a random port), its certificate from a test CA the channel is told to trust through
 * {@code mail.trust.file}. What must hold against a real mail server: the mail arrives only over TLS to a server
 * whose certificate chains to a trusted CA and names the host, credentials cross only inside TLS, and every refusal
 * says why without the code or the password. Each refusal also shows that nothing was delivered and no credential
 * reached the server.
 */
class EmailChannelTlsTest {

    private static final TestPki PKI = TestPki.create("mail");
    private static final String USER = "warden";
    private static final String PASSWORD = "s3cret-Pa55 word";

    @TempDir
    Path dir;

    private SMTPServer server;
    private EmailChannel channel;
    /** Mails as the server received them. */
    private final List<byte[]> received = new CopyOnWriteArrayList<>();
    /** Every password the server was offered by AUTH, to show when none crossed. */
    private final List<String> offeredPasswords = new CopyOnWriteArrayList<>();
    /** The server side of each TLS connection, to read what was negotiated. */
    private final List<SSLSocket> tlsSockets = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    // ---- servers

    private SMTPServer.Builder base(boolean auth) {
        SMTPServer.Builder b = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress()).hostName("localhost")
                .messageHandler((context, from, to, data) -> received.add(data));
        if (auth) {
            b.requireAuth().authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((user, pass, ctx) -> {
                offeredPasswords.add(pass);
                if (!USER.equals(user) || !PASSWORD.equals(pass)) {
                    throw new LoginFailedException("bad credentials");
                }
            }));
        }
        return b;
    }

    /** A server that takes mail only after STARTTLS, presenting {@code cert}; AUTH required when {@code auth}. */
    private int startTlsServer(TestPki.Issued cert, boolean auth, String... protocols) {
        SSLContext context = cert.sslContext();
        SSLSocketCreator tls = socket -> {
            InetSocketAddress peer = (InetSocketAddress) socket.getRemoteSocketAddress();
            SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(socket, peer.getHostString(),
                    peer.getPort(), true);
            s.setUseClientMode(false);
            if (protocols.length > 0) {
                s.setEnabledProtocols(protocols);
            }
            tlsSockets.add(s);
            return s;
        };
        server = base(auth).enableTLS().requireTLS().startTlsSocketFactory(tls).build();
        server.start();
        return server.getPortAllocated();
    }

    /** A server speaking TLS from the first byte (SMTPS), presenting {@code cert}. */
    private int smtpsServer(TestPki.Issued cert, boolean auth) {
        server = base(auth).serverSocketFactory(cert.sslContext()).build();
        server.start();
        return server.getPortAllocated();
    }

    /** A server that offers no STARTTLS but does offer AUTH: what a downgrading man in the middle shows. */
    private int plainServerOfferingAuth() {
        server = base(true).build();
        server.start();
        return server.getPortAllocated();
    }

    // ---- the channel

    private EmailChannel channel(int port, String security, Map<String, ?> overrides) {
        Map<String, Object> p = new HashMap<>(Map.of("mail.host", "localhost", "mail.port", port, "mail.security",
                security, "mail.from", "warden@plant.example.org", "mail.attempts", 1,
                "mail.trust.file", PKI.writeCaPem(dir).toString()));
        p.putAll(overrides);
        channel = new EmailChannel(Configs.of(OtpConfig.class, p));
        return channel;
    }

    private EmailChannel channel(int port, String security) {
        return channel(port, security, Map.of());
    }

    private static OtpMessage message(String code) {
        return new OtpMessage("alice", "alice@example.org", OtpPurpose.RESET, code, Instant.now().plusSeconds(600));
    }

    private static void delivered(EmailChannel c, String code) throws Exception {
        c.deliver(message(code)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** @return the reason the delivery failed with, after checking it holds neither the code nor the password */
    private static String refused(EmailChannel c, String code) {
        ExecutionException e = (ExecutionException) catchThrowable(
                () -> c.deliver(message(code)).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertThat(e).as("the delivery must fail").isNotNull();
        String why = e.getCause().getMessage();
        assertThat(why).doesNotContain(code).doesNotContain(PASSWORD).contains("attempt 1 of 1");
        return why;
    }

    private MimeMessage onlyMail() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
        assertThat(received).hasSize(1);
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(received.get(0)));
    }

    private void nothingDelivered() {
        assertThat(received).as("no mail reached the server").isEmpty();
    }

    // ---- STARTTLS

    @Test
    void overStartTlsTheCodeArrivesFromAServerTrustedThroughTheTrustFile() throws Exception {
        EmailChannel c = channel(startTlsServer(PKI.server("localhost", "127.0.0.1"), false), "starttls");
        assertThat(c.refusal()).isEmpty();
        delivered(c, "31415926");
        MimeMessage mail = onlyMail();
        assertThat(mail.getFrom()[0].toString()).isEqualTo("warden@plant.example.org");
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("alice@example.org");
        assertThat(mail.getSubject()).isEqualTo("Your MQTT Warden code");
        assertThat(((String) mail.getContent())).contains("Your MQTT Warden code to reset the account alice is 31415926.")
                .contains("can be used once");
        assertThat(tlsSockets).hasSize(1);
        assertThat(tlsSockets.get(0).getSession().getProtocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void theHostMayBeNamedByItsAddressWhenTheCertificateCarriesIt() throws Exception {
        EmailChannel c = channel(startTlsServer(PKI.server("localhost", "127.0.0.1"), false), "starttls",
                Map.of("mail.host", "127.0.0.1"));
        delivered(c, "11235813");
        assertThat((String) onlyMail().getContent()).contains("11235813");
    }

    @Test
    void aServerThatSpeaksOnlyTls12IsServed() throws Exception {
        EmailChannel c = channel(startTlsServer(PKI.server("localhost"), false, "TLSv1.2"), "starttls");
        delivered(c, "14142135");
        assertThat((String) onlyMail().getContent()).contains("14142135");
        assertThat(tlsSockets.get(0).getSession().getProtocol()).isEqualTo("TLSv1.2");
    }

    @Test
    void smtpAuthWorksOverStartTlsAndTheServerSeesThePasswordOnlyInsideTls() throws Exception {
        EmailChannel c = channel(startTlsServer(PKI.server("localhost"), true), "starttls",
                Map.of("mail.username", USER, "mail.password", PASSWORD));
        delivered(c, "27182818");
        assertThat((String) onlyMail().getContent()).contains("27182818");
        assertThat(offeredPasswords).containsExactly(PASSWORD);
    }

    @Test
    void aWrongPasswordIsReportedWithoutThePasswordAndNothingIsDelivered() {
        EmailChannel c = channel(startTlsServer(PKI.server("localhost"), true), "starttls",
                Map.of("mail.username", USER, "mail.password", "not-" + PASSWORD));
        String why = refused(c, "16180339");
        assertThat(why).doesNotContain("not-" + PASSWORD);
        assertThat(offeredPasswords).containsExactly("not-" + PASSWORD);
        nothingDelivered();
    }

    @Test
    void aServerWithACertificateFromAnotherCaGetsNeitherMailNorPassword() {
        EmailChannel c = channel(startTlsServer(TestPki.create("other").server("localhost"), true), "starttls",
                Map.of("mail.username", USER, "mail.password", PASSWORD));
        assertThat(refused(c, "57721566")).contains("the server's certificate is not trusted: it does not chain to a"
                + " CA in " + dir.resolve("mail-ca.pem"));
        assertThat(offeredPasswords).isEmpty();
        nothingDelivered();
    }

    @Test
    void withoutATrustFileOnlyTheJvmTrustStoreCountsSoAPrivateCaIsNotTrusted() {
        EmailChannel c = channel(startTlsServer(PKI.server("localhost"), false), "starttls",
                Map.of("mail.trust.file", ""));
        assertThat(refused(c, "66260701")).contains("does not chain to a CA in the JVM's trust store");
        nothingDelivered();
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsRefused() {
        EmailChannel c = channel(startTlsServer(PKI.server("mail.example.org"), true), "starttls",
                Map.of("mail.username", USER, "mail.password", PASSWORD));
        assertThat(refused(c, "30102999")).contains("the server's certificate does not name localhost");
        assertThat(offeredPasswords).isEmpty();
        nothingDelivered();
    }

    @Test
    void aCertificateNamingLocalhostDoesNotServeTheHostNamedByItsAddress() {
        EmailChannel c = channel(startTlsServer(PKI.server("localhost"), false), "starttls",
                Map.of("mail.host", "127.0.0.1"));
        assertThat(refused(c, "44721359")).contains("does not name 127.0.0.1");
        nothingDelivered();
    }

    @Test
    void anExpiredCertificateIsRefused() {
        EmailChannel c = channel(startTlsServer(PKI.expiredServer("localhost"), false), "starttls");
        assertThat(refused(c, "69314718")).contains("the server's certificate has expired");
        nothingDelivered();
    }

    @Test
    void aServerThatDoesNotOfferStartTlsNeverSeesThePassword() {
        EmailChannel c = channel(plainServerOfferingAuth(), "starttls",
                Map.of("mail.username", USER, "mail.password", PASSWORD));
        assertThat(refused(c, "23571113")).contains("STARTTLS");
        assertThat(offeredPasswords).as("AUTH must not be tried in clear").isEmpty();
        nothingDelivered();
    }

    // ---- SMTPS (implicit TLS)

    @Test
    void overSmtpsTheCodeArrivesWithAuthFromAServerTrustedThroughTheTrustFile() throws Exception {
        EmailChannel c = channel(smtpsServer(PKI.server("localhost"), true), "smtps",
                Map.of("mail.username", USER, "mail.password", PASSWORD));
        delivered(c, "12345678");
        assertThat((String) onlyMail().getContent()).contains("12345678");
        assertThat(offeredPasswords).containsExactly(PASSWORD);
    }

    @Test
    void overSmtpsAnotherCaIsRefused() {
        EmailChannel c = channel(smtpsServer(TestPki.create("other").server("localhost"), true), "smtps",
                Map.of("mail.username", USER, "mail.password", PASSWORD));
        assertThat(refused(c, "87654321")).contains("(smtps)").contains("is not trusted");
        assertThat(offeredPasswords).isEmpty();
        nothingDelivered();
    }

    @Test
    void overSmtpsAWrongNameIsRefused() {
        EmailChannel c = channel(smtpsServer(PKI.server("mail.example.org"), true), "smtps",
                Map.of("mail.username", USER, "mail.password", PASSWORD));
        assertThat(refused(c, "99999999")).contains("does not name localhost");
        assertThat(offeredPasswords).isEmpty();
        nothingDelivered();
    }

    @Test
    void overSmtpsAnExpiredCertificateIsRefused() {
        EmailChannel c = channel(smtpsServer(PKI.expiredServer("localhost"), false), "smtps");
        assertThat(refused(c, "10000001")).contains("has expired");
        nothingDelivered();
    }

    @Test
    void smtpsTowardsAServerThatSpeaksPlainSmtpFailsWithoutSendingAnything() {
        EmailChannel c = channel(plainServerOfferingAuth(), "smtps",
                Map.of("mail.username", USER, "mail.password", PASSWORD, "mail.timeout.ms", 2000));
        assertThat(refused(c, "20000002")).contains("(smtps)");
        assertThat(offeredPasswords).isEmpty();
        nothingDelivered();
    }

    // ---- mail.trust.file refused

    @Test
    void aTrustFileThatCannotServeTurnsMailOffNamingTheKey() throws Exception {
        Path key = PKI.server("localhost").writeKeyPem(dir);
        Path der = Files.write(dir.resolve("ca.der"), PKI.caCertificate().getEncoded());
        Path empty = Files.createFile(dir.resolve("empty.pem"));
        String ca = Files.readString(PKI.writeCaPem(dir));
        Path caAndKey = Files.writeString(dir.resolve("ca-and-key.pem"), ca + Files.readString(key));
        Path badBase64 = Files.writeString(dir.resolve("bad.pem"),
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
        Path notX509 = Files.writeString(dir.resolve("notx509.pem"),
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Path unclosed = Files.writeString(dir.resolve("unclosed.pem"), ca + "-----BEGIN CERTIFICATE-----\nMIIB\n");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(dir.resolve("missing.pem").toString(), "is not a readable file");
        expected.put(dir.toString(), "is not a readable file");
        expected.put("mail-ca.pem", "must be an absolute path");
        expected.put(empty.toString(), "holds no PEM certificate");
        expected.put(der.toString(), "holds no PEM certificate");
        expected.put(key.toString(), "holds a PRIVATE KEY; it must hold only CA certificates");
        expected.put(caAndKey.toString(), "holds a PRIVATE KEY");
        expected.put(badBase64.toString(), "certificate 1 of mail.trust.file " + badBase64 + " is not valid Base64");
        expected.put(notX509.toString(), "is not an X.509 certificate");
        expected.put(unclosed.toString(), "has a PEM block without its -----END line");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            EmailChannel c = channel(25, "starttls", Map.of("mail.trust.file", e.getKey()));
            assertThat(c.reaches("alice@example.org")).as(e.getKey()).isFalse();
            assertThat(c.refusal()).as(e.getKey()).hasValueSatisfying(
                    why -> assertThat(why).contains("mail.trust.file").contains(e.getValue()));
            assertThatThrownBy(() -> c.deliver(message("31415926")).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .hasMessageContaining("e-mail is off");
            c.close();
        }
    }

    @Test
    void aTrustFileMayHoldSeveralCasAndAnyOfThemServes() throws Exception {
        TestPki other = TestPki.create("other");
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), "# our CAs\n"
                + Files.readString(other.writeCaPem(dir)) + "\n" + Files.readString(PKI.writeCaPem(dir)),
                StandardCharsets.US_ASCII);
        EmailChannel c = channel(startTlsServer(PKI.server("localhost"), false), "starttls",
                Map.of("mail.trust.file", bundle.toString()));
        delivered(c, "24681012");
        assertThat((String) onlyMail().getContent()).contains("24681012");
    }

    @Test
    void aTrustFileIsReadWhenTheConfigurationIsAppliedSoALaterChangeNeedsItAppliedAgain() throws Exception {
        Path trust = PKI.writeCaPem(dir);
        EmailChannel c = channel(startTlsServer(PKI.server("localhost"), false), "starttls");
        Files.writeString(trust, "replaced by something that is no certificate");
        delivered(c, "13579111");
        assertThat((String) onlyMail().getContent()).contains("13579111");
    }
}
