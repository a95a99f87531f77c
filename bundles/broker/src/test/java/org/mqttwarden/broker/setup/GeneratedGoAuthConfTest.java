package org.mqttwarden.broker.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.broker.lint.ConfigParser;
import org.mqttwarden.broker.lint.LintOptions;
import org.mqttwarden.broker.lint.Linter;
import org.mqttwarden.testsupport.Mosquitto;

/**
 * The generated conf.d/go-auth.conf as Mosquitto 2.0.11 reads it, unchanged but for one added line: go-auth cannot be
 * built here, so a plugin of go-auth's interface (version 4) compiled by the test from options-stub-plugin.c stands
 * at the generated auth_plugin path and writes down the options Mosquitto hands it. Proves that Mosquitto accepts the
 * file (every auth_opt_ line attached to the plugin, the caller key header among them, with the value go-auth's fork
 * will send) and that logins then go through the plugin on the generated TLS listener. Skipped without gcc.
 */
class GeneratedGoAuthConfTest {

    @TempDir
    Path tmp;

    @Test
    void mosquittoHandsEveryGeneratedGoAuthOptionToThePluginAndLoginsGoThroughIt() throws Exception {
        Path plugin = tmp.resolve("plugins/go-auth.so");
        compileStub(plugin);
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        Layout l = new Layout(tmp.resolve("broker"));
        new BrokerSetup(Clock.systemUTC()).init(new BrokerSetup.InitRequest(l, List.of(), List.of(),
                OptionalInt.empty(), false, false, plugin, Setups.http(etc, Map.of("port", "9444")),
                System.getProperty("user.name")));
        assertThat(new Linter(LintOptions.defaults()).lint(ConfigParser.parse(l.mosquittoConf()))).isEmpty();

        Map<String, String> generated = new LinkedHashMap<>();
        for (String line : Files.readAllLines(l.goAuthConf())) {
            if (line.startsWith("auth_opt_")) {
                int sp = line.indexOf(' ');
                generated.put(line.substring("auth_opt_".length(), sp), line.substring(sp + 1));
            }
        }
        Path received = tmp.resolve("received-options.txt");
        Files.writeString(l.goAuthConf(), "auth_opt_options_out " + received + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        int port = RunningBroker.freePort();
        List<String> conf = new ArrayList<>();
        for (String line : Files.readAllLines(l.mosquittoConf())) {
            conf.add(line.equals("listener 8883") ? "listener " + port + " 127.0.0.1" : line);
        }
        Files.write(l.mosquittoConf(), conf);

        Process p = new ProcessBuilder(Mosquitto.binary("mosquitto"), "-c", l.mosquittoConf().toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("mosquitto.out").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !p.isAlive() || RunningBroker.listening(port));
            assertThat(p.isAlive()).as("mosquitto runs; output:\n%s\nlog:\n%s",
                    Files.readString(tmp.resolve("mosquitto.out")), RunningBroker.log(l)).isTrue();
            Map<String, String> handed = new LinkedHashMap<>();
            for (String line : Files.readAllLines(received)) {
                int sp = line.indexOf(' ');
                handed.put(line.substring(0, sp), line.substring(sp + 1));
            }
            handed.remove("options_out");
            assertThat(handed).isEqualTo(generated);
            String key = Files.readString(etc.resolve("warden-http.key")).trim();
            assertThat(handed).containsEntry("http_header_X-Warden-Key", key).containsEntry("http_port", "9444")
                    .containsEntry("disable_superuser", "true").containsEntry("cache", "false");
            assertThat(RunningBroker.log(l)).contains("Loading plugin: " + plugin);

            SSLContext ssl = trustingOnly(l);
            MqttClient ok = connect(port, "c-ok", "device-1", "a-long-device-password-1", ssl);
            assertThat(ok.isConnected()).isTrue();
            ok.disconnect();
            ok.close();
            assertThatThrownBy(() -> connect(port, "c-bad", "device-1", "wrong-password", ssl))
                    .isInstanceOf(MqttException.class);
            assertThatThrownBy(() -> connect(port, "c-anon", null, null, ssl)).isInstanceOf(MqttException.class);
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void compileStub(Path out) throws Exception {
        Path gcc = Path.of("/usr/bin/gcc");
        Assumptions.assumeTrue(Files.isExecutable(gcc), "gcc is installed (to build the stand-in plugin)");
        Files.createDirectories(out.getParent());
        Path source = out.resolveSibling("options-stub-plugin.c");
        try (InputStream in = GeneratedGoAuthConfTest.class.getResourceAsStream("options-stub-plugin.c")) {
            Files.copy(in, source);
        }
        Process cc = new ProcessBuilder(gcc.toString(), "-shared", "-fPIC", "-o", out.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).as(output).isZero();
    }

    private static SSLContext trustingOnly(Layout l) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", BrokerSetupTest.certs(l.caCert()).get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    private static MqttClient connect(int port, String id, String user, String password, SSLContext ssl)
            throws MqttException {
        MqttClient client = new MqttClient("ssl://localhost:" + port, id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setConnectionTimeout(10);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        o.setSocketFactory(ssl.getSocketFactory());
        o.setHttpsHostnameVerificationEnabled(true);
        try {
            client.connect(o);
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        return client;
    }
}
