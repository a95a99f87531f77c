package org.mqttwarden.crypto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.testsupport.Mosquitto;
import org.mqttwarden.testsupport.TestPki;

/**
 * A client certificate (PKCS#12) presented to a real Mosquitto whose TLS listener requires one from a client CA made
 * here with Bouncy Castle (TestPki issues server certificates only): accepted from that CA, refused without one or
 * from another CA; a wrong PKCS#12 password is an error naming the file, not the password.
 */
class SecureMqttClientCertificateTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final char[] P12_PASSWORD = "p12-Secret-771".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    static Path dir;
    private static Mosquitto broker;
    private static int tlsPort;
    private static Path caPem;
    private static Path goodP12;
    private static Path foreignP12;
    private static PreSharedKey key;

    @BeforeAll
    static void startBroker() throws Exception {
        TestPki pki = TestPki.create("mqtts");
        TestPki.Issued server = pki.server("localhost");
        caPem = pki.writeCaPem(dir);
        KeyPair clientCaKeys = keyPair();
        X509Certificate clientCa = certificate("CN=Device CA", clientCaKeys, "CN=Device CA", clientCaKeys, true);
        Path clientCaPem = dir.resolve("device-ca.pem");
        Files.writeString(clientCaPem, pem(clientCa));
        goodP12 = p12("device-1", clientCaKeys, clientCa);
        KeyPair otherCaKeys = keyPair();
        X509Certificate otherCa = certificate("CN=Other CA", otherCaKeys, "CN=Other CA", otherCaKeys, true);
        foreignP12 = p12("intruder", otherCaKeys, otherCa);

        tlsPort = SecureMqttClientTest.freePort();
        broker = Mosquitto.in(dir.resolve("broker")).anonymous()
                .config("listener " + tlsPort + " 127.0.0.1")
                .config("certfile " + server.writeChainPem(dir))
                .config("keyfile " + server.writeKeyPem(dir))
                .config("cafile " + clientCaPem)
                .config("require_certificate true")
                .start();
        await().atMost(WAIT).until(() -> listening(tlsPort));
        key = PreSharedKey.generate(dir.resolve("k.psk"), "psk-mtls", RANDOM);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void aClientCertificateFromTheDeviceCaIsAccepted() throws Exception {
        List<ReceivedMessage> received = new CopyOnWriteArrayList<>();
        try (SecureMqttClient sub = SecureMqttClient.connect(options("m-sub").clientCertificate(goodP12, P12_PASSWORD)
                .build());
                SecureMqttClient pub = SecureMqttClient.connect(options("m-pub").clientCertificate(goodP12,
                        P12_PASSWORD).stateDir(dir.resolve("state")).build())) {
            sub.subscribe("m/#", 1, received::add);
            pub.publish("m/t", "mutual".getBytes(StandardCharsets.UTF_8), 1);
            await().atMost(WAIT).until(() -> received.size() == 1);
        }
        assertThat(received.get(0).state()).isEqualTo(MessageState.OK);
    }

    @Test
    void noClientCertificateOrOneFromAnotherCaIsRefused() {
        assertThatThrownBy(() -> SecureMqttClient.connect(options("m-none").build()))
                .isInstanceOf(BrokerConnectException.class);
        assertThatThrownBy(() -> SecureMqttClient.connect(options("m-foreign")
                .clientCertificate(foreignP12, P12_PASSWORD).build())).isInstanceOf(BrokerConnectException.class);
    }

    @Test
    void theCommandLinePresentsAClientCertificate() throws Exception {
        Path passwordFile = dir.resolve("p12.pw");
        Files.writeString(passwordFile, new String(P12_PASSWORD) + "\n");
        List<ReceivedMessage> received = new CopyOnWriteArrayList<>();
        try (SecureMqttClient sub = SecureMqttClient.connect(options("m-cli-sub").clientCertificate(goodP12,
                P12_PASSWORD).build())) {
            sub.subscribe("m/#", 1, received::add);
            String[] args = {"publish", "--url", "ssl://localhost:" + tlsPort, "--cafile", caPem.toString(),
                "--key", dir.resolve("k.psk").toString(), "--topic", "m/cli", "--message", "by certificate",
                "--state-dir", dir.resolve("cli-state").toString(), "--cert", goodP12.toString(),
                "--cert-password-file", passwordFile.toString()};
            WardenMqttTest.Result r = WardenMqttTest.run("", args);
            assertThat(r.code()).as(r.err()).isZero();
            await().atMost(WAIT).until(() -> received.size() == 1);

            args[args.length - 3] = foreignP12.toString();
            WardenMqttTest.Result foreign = WardenMqttTest.run("", args);
            assertThat(foreign.code()).as(foreign.err()).isEqualTo(WardenMqtt.EXIT_BROKER);
        }
        assertThat(received.get(0).plaintext()).asString(StandardCharsets.UTF_8).isEqualTo("by certificate");
        WardenMqttTest.Result noTls = WardenMqttTest.run("", "publish", "--url", "tcp://127.0.0.1:1", "--key",
                dir.resolve("k.psk").toString(), "--topic", "t", "--message", "m", "--cert", goodP12.toString());
        assertThat(noTls.code()).isEqualTo(WardenMqtt.EXIT_USAGE);
    }

    @Test
    void aWrongPkcs12PasswordNamesTheFileNotThePassword() {
        assertThatThrownBy(() -> SecureMqttClient.connect(options("m-pw")
                .clientCertificate(goodP12, "wrong-guess-42".toCharArray()).build()))
                .isNotInstanceOf(BrokerConnectException.class).isInstanceOf(IOException.class)
                .hasMessageContaining(goodP12.toString()).hasMessageNotContaining("wrong-guess-42");
    }

    private static SecureMqttOptions.Builder options(String clientId) {
        return SecureMqttOptions.builder().url("ssl://localhost:" + tlsPort).caFile(caPem).clientId(clientId)
                .key(key).senderId(clientId).connectTimeoutSeconds(5);
    }

    private static Path p12(String name, KeyPair caKeys, X509Certificate ca) throws Exception {
        KeyPair keys = keyPair();
        X509Certificate cert = certificate("CN=" + name, keys, ca.getSubjectX500Principal().getName(), caKeys, false);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("client", keys.getPrivate(), P12_PASSWORD, new Certificate[] {cert, ca});
        Path file = dir.resolve(name + ".p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, P12_PASSWORD);
        }
        return file;
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
            boolean ca) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                new BigInteger(64, RANDOM), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(30))), new X500Name(subject), subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static String pem(X509Certificate cert) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
