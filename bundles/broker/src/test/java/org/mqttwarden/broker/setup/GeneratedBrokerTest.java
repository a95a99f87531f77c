package org.mqttwarden.broker.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.broker.lint.ConfigParser;
import org.mqttwarden.broker.lint.LintOptions;
import org.mqttwarden.broker.lint.Linter;

/**
 * The generated setup run by Debian's real Mosquitto 2.0.11 (go-auth swapped for a password_file, free loopback
 * ports instead of 8883; everything else as generated) with real Paho v5 clients; and linted before the swap.
 */
class GeneratedBrokerTest {

    private static final String USER = "device-1";
    private static final String PASSWORD = "a-long-device-password-1";

    @TempDir
    Path tmp;

    private Layout generate(boolean requireCertificate, int plainPort, String responseMode) throws Exception {
        Layout l = new Layout(tmp.resolve("broker"));
        new BrokerSetup(Clock.systemUTC()).init(new BrokerSetup.InitRequest(l, List.of(), List.of(),
                plainPort > 0 ? OptionalInt.of(plainPort) : OptionalInt.empty(), requireCertificate, false,
                Setups.plugin(tmp), Setups.http(Files.createDirectories(tmp.resolve("etc")),
                        Map.of("response.mode", responseMode)), System.getProperty("user.name")));
        return l;
    }

    @Test
    void theGeneratedFilesLintClean() throws Exception {
        Layout l = generate(false, 1884, "status");
        assertThat(new Linter(LintOptions.defaults()).lint(ConfigParser.parse(l.mosquittoConf()))).isEmpty();
        assertThat(ConfigParser.parse(l.mosquittoConf()).files()).containsExactly(l.mosquittoConf(), l.goAuthConf());
        Layout strict = new Layout(tmp.resolve("strict"));
        new BrokerSetup(Clock.systemUTC()).init(new BrokerSetup.InitRequest(strict, List.of("gw.example"),
                List.of("192.0.2.1"), OptionalInt.empty(), true, false, Setups.plugin(tmp),
                Setups.http(tmp.resolve("etc"), Map.of("response.mode", "text")), System.getProperty("user.name")));
        assertThat(new Linter(LintOptions.defaults().withWardenResponseMode("text"))
                .lint(ConfigParser.parse(strict.mosquittoConf()))).isEmpty();
        // and the linter does see what would be wrong: Warden answering in another mode than go-auth expects
        assertThat(new Linter(LintOptions.defaults()).lint(ConfigParser.parse(strict.mosquittoConf())))
                .extracting(f -> f.rule()).containsExactly(Linter.RULE_GOAUTH_MODE);
    }

    @Test
    void aPahoClientConnectsOverTlsTrustingOnlyTheGeneratedCaAndNothingElseGetsIn() throws Exception {
        Layout l = generate(false, 1884, "status");
        try (RunningBroker broker = RunningBroker.start(l, Map.of(USER, PASSWORD), 1884)) {
            String tls = "ssl://localhost:" + broker.tlsPort;
            MqttClient ok = connect(tls, "c-ok", USER, PASSWORD, context(l, null));
            assertThat(ok.isConnected()).isTrue();
            ok.publish("devices/1/state", "up".getBytes(StandardCharsets.UTF_8), 1, false);
            ok.disconnect();
            ok.close();
            // the same client, but trusting the JDK's public CAs instead of the generated one
            assertThatThrownBy(() -> connect(tls, "c-public-ca", USER, PASSWORD, SSLContext.getDefault()))
                    .isInstanceOf(MqttException.class);
            // plain MQTT to the TLS port
            assertThatThrownBy(() -> connect("tcp://127.0.0.1:" + broker.tlsPort, "c-plain", USER, PASSWORD, null))
                    .isInstanceOf(MqttException.class);
            // anonymous, over TLS
            assertThatThrownBy(() -> connect(tls, "c-anon", null, null, context(l, null)))
                    .isInstanceOfSatisfying(MqttException.class,
                            e -> assertThat(e.getReasonCode()).isIn(134, 135));
            // a wrong password
            assertThatThrownBy(() -> connect(tls, "c-wrong", USER, "not-the-password", context(l, null)))
                    .isInstanceOfSatisfying(MqttException.class,
                            e -> assertThat(e.getReasonCode()).isIn(134, 135));
            // the loopback plain listener: loopback only, still authenticated
            MqttClient local = connect("tcp://127.0.0.1:" + broker.plainPort, "c-local", USER, PASSWORD, null);
            assertThat(local.isConnected()).isTrue();
            local.disconnect();
            local.close();
            assertThatThrownBy(() -> connect("tcp://127.0.0.1:" + broker.plainPort, "c-local-anon", null, null,
                    null)).isInstanceOf(MqttException.class);
            assertThat(broker.process.isAlive()).isTrue();
            // the log the watcher reads: connections with address, client id and username (epoch timestamps), and
            // the refusals (Mosquitto 2.0.11 logs a refused client as <unknown>, without its id)
            String log = RunningBroker.log(l);
            assertThat(log).containsPattern("\\d+: New client connected from 127\\.0\\.0\\.1:\\d+ as c-ok \\(p5, c1,"
                    + " k\\d+, u'" + USER + "'\\)").contains("Client <unknown> disconnected, not authorised.");
        }
    }

    @Test
    void withRequireCertificateAClientNeedsAGeneratedCertificateAndItsPassword() throws Exception {
        Layout l = generate(true, 0, "status");
        new BrokerSetup(Clock.systemUTC()).clientCert(l, "sensor-7", false);
        try (RunningBroker broker = RunningBroker.start(l, Map.of(USER, PASSWORD), 0)) {
            String tls = "ssl://localhost:" + broker.tlsPort;
            MqttClient ok = connect(tls, "c-cert", USER, PASSWORD, context(l, "sensor-7"));
            assertThat(ok.isConnected()).isTrue();
            ok.disconnect();
            ok.close();
            assertThatThrownBy(() -> connect(tls, "c-nocert", USER, PASSWORD, context(l, null)))
                    .isInstanceOf(MqttException.class);
            // a certificate alone is not a login (use_identity_as_username false)
            assertThatThrownBy(() -> connect(tls, "c-certonly", null, null, context(l, "sensor-7")))
                    .isInstanceOf(MqttException.class);
            // a certificate from another CA (a second, unrelated setup)
            Layout other = new Layout(tmp.resolve("other"));
            new BrokerSetup(Clock.systemUTC()).init(new BrokerSetup.InitRequest(other, List.of(), List.of(),
                    OptionalInt.empty(), true, false, Setups.plugin(tmp), Setups.http(tmp.resolve("etc"), Map.of()),
                    System.getProperty("user.name")));
            new BrokerSetup(Clock.systemUTC()).clientCert(other, "sensor-7", false);
            SSLContext foreign = SSLContext.getInstance("TLS");
            foreign.init(context(other, "sensor-7", true).getKeyManagers(), trust(l).getTrustManagers(), null);
            assertThatThrownBy(() -> connect(tls, "c-foreign", USER, PASSWORD, foreign))
                    .isInstanceOf(MqttException.class);
        }
    }

    private static MqttClient connect(String url, String id, String user, String password, SSLContext ssl)
            throws MqttException {
        MqttClient client = new MqttClient(url, id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        if (ssl != null) {
            o.setSocketFactory(ssl.getSocketFactory());
            o.setHttpsHostnameVerificationEnabled(true);
        }
        try {
            client.connect(o);
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        return client;
    }

    /** @return TLS trusting only the setup's CA, with the client's certificate from its PKCS#12 file if named */
    private static SSLContext context(Layout l, String client) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(client == null ? null : context(l, client, true).getKeyManagers(), trust(l).getTrustManagers(), null);
        return ssl;
    }

    private static KeyManagerFactory context(Layout l, String client, boolean keys) throws Exception {
        char[] password = Files.readString(l.clientP12Password(client)).trim().toCharArray();
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(l.clientP12(client))) {
            p12.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(p12, password);
        return kmf;
    }

    private static TrustManagerFactory trust(Layout l) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        X509Certificate ca = BrokerSetupTest.certs(l.caCert()).get(0);
        trust.setCertificateEntry("broker-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }
}
