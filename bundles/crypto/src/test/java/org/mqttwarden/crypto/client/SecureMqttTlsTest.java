package org.mqttwarden.crypto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.testsupport.Mosquitto;
import org.mqttwarden.testsupport.TestPki;

/**
 * SecureMqttClient and warden-mqtt over TLS to a real Mosquitto whose test-port certificate comes from a CA made by
 * the test (TestPki, bcpkix): the client trusts that CA's PEM file and nothing else, and checks the host name.
 */
class SecureMqttTlsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static Mosquitto broker;
    private static int tlsPort;
    private static Path caPem;
    private static Path otherCaPem;
    private static PreSharedKey key;

    @BeforeAll
    static void startBroker() throws Exception {
        TestPki pki = TestPki.create("mqtt");
        // the certificate names localhost only: ssl://127.0.0.1 must then fail the host name check
        TestPki.Issued server = pki.server("localhost");
        caPem = pki.writeCaPem(dir);
        otherCaPem = TestPki.create("other").writeCaPem(dir);
        tlsPort = SecureMqttClientTest.freePort();
        broker = Mosquitto.in(dir.resolve("broker")).anonymous()
                .config("listener " + tlsPort + " 127.0.0.1")
                .config("certfile " + server.writeChainPem(dir))
                .config("keyfile " + server.writeKeyPem(dir))
                .start();
        await().atMost(WAIT).until(() -> listening(tlsPort));
        key = PreSharedKey.generate(dir.resolve("k.psk"), "psk-tls", new java.security.SecureRandom());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void securePublisherToSecureSubscriberOverTlsTrustingOnlyTheCaFile() throws Exception {
        List<ReceivedMessage> received = new CopyOnWriteArrayList<>();
        try (SecureMqttClient sub = SecureMqttClient.connect(options("tls-sub").build());
                SecureMqttClient pub = SecureMqttClient.connect(options("tls-pub").stateDir(dir.resolve("state"))
                        .build())) {
            sub.subscribe("site/#", 1, received::add);
            pub.publish("site/gate", "gate opened by badge 0042".getBytes(StandardCharsets.UTF_8), 1);
            await().atMost(WAIT).until(() -> received.size() == 1);
        }
        assertThat(received.get(0).state()).isEqualTo(MessageState.OK);
        assertThat(received.get(0).plaintext()).asString(StandardCharsets.UTF_8).isEqualTo("gate opened by badge 0042");
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() {
        SecureMqttOptions o = options("tls-other").caFile(otherCaPem).build();
        assertThatThrownBy(() -> SecureMqttClient.connect(o)).isInstanceOf(BrokerConnectException.class)
                .hasMessageContaining("TLS");
    }

    @Test
    void aHostNameTheCertificateDoesNotNameIsRefused() {
        SecureMqttOptions o = options("tls-ip").url("ssl://127.0.0.1:" + tlsPort).build();
        assertThatThrownBy(() -> SecureMqttClient.connect(o)).isInstanceOf(BrokerConnectException.class)
                .hasMessageContaining("TLS");
    }

    @Test
    void theCommandLinePublishesOverTlsWithCafile() throws Exception {
        List<ReceivedMessage> received = new CopyOnWriteArrayList<>();
        try (SecureMqttClient sub = SecureMqttClient.connect(options("tls-cli-sub").build())) {
            sub.subscribe("site/#", 1, received::add);
            WardenMqttTest.Result r = WardenMqttTest.run("", "publish", "--url", "ssl://localhost:" + tlsPort,
                    "--cafile", caPem.toString(), "--key", dir.resolve("k.psk").toString(), "--topic", "site/door",
                    "--message", "closed", "--state-dir", dir.resolve("cli-state").toString());
            assertThat(r.code()).as(r.err()).isZero();
            await().atMost(WAIT).until(() -> received.size() == 1);
        }
        assertThat(received.get(0).plaintext()).asString(StandardCharsets.UTF_8).isEqualTo("closed");

        WardenMqttTest.Result untrusted = WardenMqttTest.run("", "publish", "--url", "ssl://localhost:" + tlsPort,
                "--cafile", otherCaPem.toString(), "--key", dir.resolve("k.psk").toString(), "--topic", "site/door",
                "--message", "closed", "--state-dir", dir.resolve("cli-state").toString());
        assertThat(untrusted.code()).as(untrusted.err()).isEqualTo(WardenMqtt.EXIT_BROKER);
    }

    private static SecureMqttOptions.Builder options(String clientId) {
        return SecureMqttOptions.builder().url("ssl://localhost:" + tlsPort).caFile(caPem).clientId(clientId)
                .key(key).senderId(clientId).connectTimeoutSeconds(5);
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
