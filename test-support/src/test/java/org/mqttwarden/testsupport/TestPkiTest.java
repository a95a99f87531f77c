package org.mqttwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TestPki's certificates through real TLS handshakes on loopback, checked as a strict client checks them. */
class TestPkiTest {

    private static final TestPki PKI = TestPki.create("t");

    @TempDir
    Path dir;

    /** Serves one handshake with {@code server}, and makes it as a client trusting {@code trusted}. */
    private static void handshake(SSLContext server, SSLContext trusted, String host) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                    s.getOutputStream().write(1);
                } catch (Exception e) {
                    // the client's refusal ends the server's handshake too
                }
            });
            try (SSLSocket client = (SSLSocket) trusted.getSocketFactory().createSocket(host, listener.getLocalPort())) {
                SSLParameters p = client.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                client.setSSLParameters(p);
                client.startHandshake();
                assertThat(client.getInputStream().read()).isEqualTo(1);
            } finally {
                served.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aServerCertificateIsAcceptedByAClientTrustingOnlyItsCaUnderEachOfItsNames() throws Exception {
        TestPki.Issued server = PKI.server("localhost", "127.0.0.1");
        handshake(server.sslContext(), PKI.clientContext(), "localhost");
        handshake(server.sslContext(), PKI.clientContext(), "127.0.0.1");
        assertThat(server.chain()).hasSize(2);
        assertThat(server.chain().get(1)).isEqualTo(PKI.caCertificate());
        assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(server.certificate().getBasicConstraints()).isEqualTo(-1);
        assertThat(PKI.caCertificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void anotherCaAWrongNameAndAnExpiredCertificateAreRefused() {
        SSLContext client = PKI.clientContext();
        assertThatThrownBy(() -> handshake(TestPki.create("other").server("localhost").sslContext(), client,
                "localhost")).isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> handshake(PKI.server("wrong.example.org").sslContext(), client, "localhost"))
                .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("localhost");
        assertThatThrownBy(() -> handshake(PKI.server("localhost").sslContext(), client, "127.0.0.1"))
                .as("a DNS name is no IP address name").isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> handshake(PKI.expiredServer("localhost").sslContext(), client, "localhost"))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void pemFilesReadBackAsTheCertificatesAndAnOwnerOnlyPkcs8Key() throws Exception {
        TestPki.Issued server = PKI.server("localhost", "::1");
        Path ca = PKI.writeCaPem(dir);
        Path chain = server.writeChainPem(dir);
        Path key = server.writeKeyPem(dir);
        assertThat(ca.getFileName()).hasToString("t-ca.pem");
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        try (InputStream in = Files.newInputStream(ca)) {
            assertThat(List.copyOf(x509.generateCertificates(in))).isEqualTo(List.of(PKI.caCertificate()));
        }
        try (InputStream in = Files.newInputStream(chain)) {
            assertThat(List.copyOf(x509.generateCertificates(in))).isEqualTo(server.chain());
        }
        String text = Files.readString(key);
        assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----");
        byte[] der = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
        assertThat(KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)))
                .isEqualTo(server.privateKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

        Files.writeString(key, "old");
        server.writeKeyPem(dir);
        assertThat(Files.readString(key)).as("replaced").isEqualTo(text);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    }

    @Test
    void aPkcs12FileHoldsTheKeyAndChainUnderOneAlias() throws Exception {
        TestPki.Issued server = PKI.server("localhost");
        char[] password = "secret".toCharArray();
        Path p12 = server.writePkcs12(dir, password);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(Files.readAllBytes(p12)), password);
        assertThat(List.of(ks.getCertificateChain(TestPki.Issued.ALIAS))).containsExactlyElementsOf(server.chain());
        assertThat(ks.getKey(TestPki.Issued.ALIAS, password)).isEqualTo(server.privateKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p12))).isEqualTo("rw-------");
        assertThat((X509Certificate) ks.getCertificate(TestPki.Issued.ALIAS)).isEqualTo(server.certificate());
    }

    @Test
    void labelsThatWouldMakeStrangeFileNamesAreRefused() {
        assertThatThrownBy(() -> TestPki.create("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PKI.server()).isInstanceOf(IllegalArgumentException.class);
    }
}
