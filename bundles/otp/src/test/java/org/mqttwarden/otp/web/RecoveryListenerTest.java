package org.mqttwarden.otp.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mqttwarden.otp.Loopback;
import org.mqttwarden.otp.web.Http.Answer;
import org.mqttwarden.otp.web.RecoveryServer.Limits;

/**
 * Where the listener listens and how: off on port 0, loopback in clear, beyond loopback only with TLS from PEM
 * files (checked: the key only its owner may read, and the certificate's), each refusal a sentence naming the keys.
 */
class RecoveryListenerTest {

    private static final Limits ANY_PORT = new Limits(1000, 1000, 30_000, 64, 4, true);

    @TempDir
    Path dir;

    private RecoveryStack stack;

    @BeforeEach
    void open() {
        stack = RecoveryStack.open(dir, Map.of());
    }

    @AfterEach
    void close() {
        stack.close();
    }

    /** A certificate for 127.0.0.1 and its key, as PEM files (the key rw------- unless said otherwise). */
    private record Pem(Path certificate, Path key, X509Certificate cert) {
    }

    private Pem pem(String name, String algorithm) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        g.initialize(algorithm.equals("EC") ? 256 : 2048);
        KeyPair pair = g.generateKeyPair();
        X500Name subject = new X500Name("CN=recovery.test");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now
                .toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))),
                subject, pair.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(
                new JcaContentSignerBuilder(algorithm.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA")
                        .build(pair.getPrivate())));
        Path c = dir.resolve(name + ".crt");
        Path k = dir.resolve(name + ".key");
        Files.writeString(c, pem("CERTIFICATE", cert.getEncoded()));
        Files.createFile(k, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(k, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        return new Pem(c, k, cert);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static SSLContext trusting(X509Certificate cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("recovery", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    private static Map<String, Object> tls(String host, Pem pem) {
        return Map.of("http.host", host, "http.tls.certificate", pem.certificate().toString(), "http.tls.key",
                pem.key().toString());
    }

    @Test
    void listensOnLoopbackInClearByDefault() {
        RecoveryServer server = stack.serve(Map.of(), ANY_PORT);

        assertThat(server.refusal()).isEmpty();
        assertThat(server.tls()).isFalse();
        Answer page = new Http(server).get("/recovery");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Strict-Transport-Security")).as("no HSTS over plain HTTP").isEmpty();
    }

    @Test
    void isOffOnPortZero() {
        RecoveryServer server = stack.serve(Map.of("http.port", 0), ANY_PORT);

        assertThat(server.port()).isEqualTo(-1);
        assertThat(server.refusal()).contains("http.port is 0");
        server.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.10", "gateway.example.org", "localhost.example.org"})
    void refusesAnAddressBeyondLoopbackWithoutTlsNamingTheKeys(String host) {
        RecoveryServer server = stack.serve(Map.of("http.host", host), ANY_PORT);

        assertThat(server.port()).isEqualTo(-1);
        assertThat(server.refusal()).hasValueSatisfying(r -> assertThat(r).contains("http.host=" + host)
                .contains("not a loopback address").contains("http.tls.certificate").contains("http.tls.key"));
    }

    @Test
    void tellsLoopbackWithoutAskingDns() {
        for (String host : new String[] {"127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"}) {
            assertThat(Loopback.named(host)).as(host).isTrue();
        }
        for (String host : new String[] {"0.0.0.0", "::", "10.0.0.1", "example.org", "localhost.example.org",
            "127.0.0.1.nip.io"}) {
            assertThat(Loopback.named(host)).as(host).isFalse();
        }
    }

    @Test
    void servesTlsBeyondLoopbackFromPemFiles() throws Exception {
        for (String algorithm : new String[] {"EC", "RSA"}) {
            Pem pem = pem("server-" + algorithm, algorithm);
            RecoveryServer server = stack.serve(tls("0.0.0.0", pem), ANY_PORT);

            assertThat(server.refusal()).as(algorithm).isEmpty();
            assertThat(server.tls()).isTrue();
            Http https = Http.tls(server, trusting(pem.cert()));
            Answer page = https.get("/recovery");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).endsWith("; Secure"));
            assertThat(page.header("Strict-Transport-Security")).contains("max-age=31536000");
            assertThat(https.json("/recovery/api/request", "{\"username\":\"alice\",\"purpose\":\"reset\"}")
                    .status()).isEqualTo(202);
            server.stop();
        }
    }

    @Test
    void refusesAKeyFileOthersMayRead() throws Exception {
        Pem pem = pem("open", "EC");
        Files.setPosixFilePermissions(pem.key(), PosixFilePermissions.fromString("rw-r--r--"));

        RecoveryServer server = stack.serve(tls("0.0.0.0", pem), ANY_PORT);

        assertThat(server.port()).isEqualTo(-1);
        assertThat(server.refusal()).hasValueSatisfying(r -> assertThat(r).startsWith("http.tls.key: ")
                .contains("may be read by its group or others").contains("chmod 600"));
    }

    @Test
    void refusesAKeyThatIsNotTheCertificates() throws Exception {
        Pem one = pem("one", "EC");
        Pem two = pem("two", "EC");

        RecoveryServer server = stack.serve(Map.of("http.host", "0.0.0.0", "http.tls.certificate",
                one.certificate().toString(), "http.tls.key", two.key().toString()), ANY_PORT);

        assertThat(server.refusal()).hasValueSatisfying(r -> assertThat(r).contains("is not the key of the"
                + " certificate in http.tls.certificate"));
    }

    @Test
    void refusesKeysThatAreNotUnencryptedPkcs8AndCertificatesThatAreNone() throws Exception {
        Pem pem = pem("server", "RSA");
        Path pkcs1 = dir.resolve("pkcs1.key");
        Files.createFile(pkcs1, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        Path garbage = dir.resolve("garbage.crt");
        Files.writeString(garbage, "not a certificate");

        assertThat(stack.serve(Map.of("http.tls.certificate", pem.certificate().toString(), "http.tls.key",
                pkcs1.toString()), ANY_PORT).refusal()).hasValueSatisfying(r -> assertThat(r)
                        .contains("unencrypted PKCS#8").contains("it is not PKCS#8").contains("openssl pkcs8"));
        assertThat(stack.serve(Map.of("http.tls.certificate", garbage.toString(), "http.tls.key",
                pem.key().toString()), ANY_PORT).refusal()).hasValueSatisfying(r -> assertThat(r)
                        .startsWith("http.tls.certificate: ").contains("no PEM certificate chain"));
        assertThat(stack.serve(Map.of("http.tls.certificate", dir.resolve("missing.crt").toString(),
                "http.tls.key", pem.key().toString()), ANY_PORT).refusal()).hasValueSatisfying(r -> assertThat(r)
                        .startsWith("http.tls.certificate: cannot read"));
        assertThat(stack.serve(Map.of("http.host", "0.0.0.0", "http.tls.certificate", pem.certificate().toString()),
                ANY_PORT).refusal()).hasValueSatisfying(r -> assertThat(r)
                        .contains("http.tls.certificate and http.tls.key must be set together"));
    }

    @Test
    void aPortAlreadyTakenLeavesTheListenerOffAndSaysSo() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            RecoveryServer server = stack.serve(Map.of("http.port", taken.getLocalPort()),
                    new Limits(1000, 1000, 30_000, 64, 4, false));

            assertThat(server.port()).isEqualTo(-1);
            assertThat(server.refusal()).hasValueSatisfying(r -> assertThat(r)
                    .startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort()));
        }
    }
}
