package org.mqttwarden.broker.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.broker.config.BrokerConfig;
import org.mqttwarden.broker.config.BrokerPaths;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestClock;

/** broker-init and broker-client-cert on real files with real modes, time from a test clock. */
class BrokerSetupTest {

    @TempDir
    Path tmp;

    Path dir;
    Path etc;
    TestClock clock;
    BrokerSetup setup;

    @BeforeEach
    void setUp() throws IOException {
        dir = tmp.resolve("broker");
        etc = Files.createDirectories(tmp.resolve("etc"));
        clock = new TestClock();
        setup = new BrokerSetup(clock);
    }

    private BrokerSetup.Result init(boolean force) throws Exception {
        return setup.init(Setups.request(dir, Setups.http(etc, Map.of()), Setups.plugin(tmp), force));
    }

    @Test
    void writesTheWholeSetupWithSecretsReadableByTheOwnerOnly() throws Exception {
        BrokerSetup.Result result = init(false);
        Layout l = new Layout(dir);
        assertThat(result.written()).containsExactly(l.caCert(), l.caKey(), l.serverCert(), l.serverKey(),
                l.mosquittoConf(), l.goAuthConf(), l.apiKey());
        for (Path secret : List.of(l.caKey(), l.serverKey(), l.goAuthConf(), l.apiKey(), etc.resolve("warden-http.key"))) {
            assertThat(Setups.mode(secret)).as(secret.toString()).isEqualTo("rw-------");
        }
        assertThat(Setups.mode(l.caCert())).isEqualTo("rw-r--r--");
        assertThat(Setups.mode(l.mosquittoConf())).isEqualTo("rw-r--r--");
        assertThat(Setups.mode(dir)).isEqualTo("rwx------");
        assertThat(l.data()).isDirectory();
        assertThat(l.log().getParent()).isDirectory();
        // no staging file left behind
        try (Stream<Path> all = Files.walk(dir)) {
            assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".new"));
        }
        assertThat(result.notes()).anyMatch(n -> n.contains("Created Warden's caller key file"))
                .anyMatch(n -> n.contains("auth.key.required = true"))
                .noneMatch(n -> n.contains("go-auth plugin"));
    }

    @Test
    void goAuthSendsTheCallerKeyWardenHttpReadsUnderTheHeaderItExpects() throws Exception {
        // warden-http's key file exists already (made by warden-http): its key is used, not replaced
        Path keyFile = etc.resolve("warden-http.key");
        String key = "k".repeat(20) + "-_0123456789ABCDEFGHIJ";
        Files.writeString(keyFile, key + "\nignored second line\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        WardenHttp http = Setups.http(etc, Map.of("port", "9333", "response.mode", "json", "path.user", "/u",
                "path.acl", "/a", "path.superuser", "/s", "auth.header.name", "X-Gw-Key", "auth.key.required",
                "true"));
        BrokerSetup.Result result = setup.init(Setups.request(dir, http, Setups.plugin(tmp), false));
        Layout l = new Layout(dir);
        Map<String, String> opts = options(l.goAuthConf());
        assertThat(opts).containsEntry("auth_opt_http_header_X-Gw-Key", key)
                .containsEntry("auth_opt_http_host", "127.0.0.1").containsEntry("auth_opt_http_port", "9333")
                .containsEntry("auth_opt_http_getuser_uri", "/u").containsEntry("auth_opt_http_aclcheck_uri", "/a")
                .containsEntry("auth_opt_http_superuser_uri", "/s").containsEntry("auth_opt_http_response_mode", "json")
                .containsEntry("auth_opt_disable_superuser", "true").containsEntry("auth_opt_cache", "false")
                .containsEntry("auth_opt_backends", "http").containsEntry("auth_plugin", Setups.plugin(tmp).toString());
        assertThat(Files.readString(l.apiKey())).isEqualTo(key + "\n");
        assertThat(Files.readString(keyFile)).startsWith(key + "\n");
        assertThat(result.notes()).noneMatch(n -> n.contains("caller key")).noneMatch(n -> n.contains("auth.key"));
        // the key is in the two files meant for it, nowhere in what is printed
        assertThat(String.join("\n", result.notes()) + result.written()).doesNotContain(key);
    }

    @Test
    void mosquittoConfIsTheReferenceForThisGatewayWithoutTheDeprecatedLine() throws Exception {
        setup.init(new BrokerSetup.InitRequest(new Layout(dir), List.of(), List.of(), OptionalInt.of(1884), false,
                false, Setups.plugin(tmp), Setups.http(etc, Map.of()), "gateway"));
        Layout l = new Layout(dir);
        List<String> lines = Files.readAllLines(l.mosquittoConf()).stream()
                .filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
        assertThat(lines).contains("allow_anonymous false", "allow_zero_length_clientid false", "listener 8883",
                "tls_version tlsv1.2", "require_certificate false", "use_identity_as_username false", "user gateway",
                "certfile " + l.serverCert(), "keyfile " + l.serverKey(), "cafile " + l.caCert(),
                "persistence true", "persistence_location " + l.data() + "/", "log_dest file " + l.log(),
                "log_type notice", "log_type information", "connection_messages true", "log_timestamp true",
                "listener 1884 127.0.0.1");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("include_dir " + l.confD());
        assertThat(lines).noneMatch(s -> s.startsWith("per_listener_settings"))
                .noneMatch(s -> s.startsWith("allow_anonymous true"));
        // every comment is a line of its own (Mosquitto reads '#' as a comment only in the first column)
        assertThat(Files.readAllLines(l.mosquittoConf())).noneMatch(s -> s.matches("\\s+#.*|[^#].*\\s#.*"));
        assertThat(Files.readAllLines(l.goAuthConf())).noneMatch(s -> s.matches("\\s+#.*"));
    }

    @Test
    void certificatesHaveTheirPurposesNamesAndLifetimes() throws Exception {
        setup.init(new BrokerSetup.InitRequest(new Layout(dir), List.of("Broker.Example.org", "gw"),
                List.of("192.0.2.7", "::1"), OptionalInt.empty(), false, false, Setups.plugin(tmp),
                Setups.http(etc, Map.of()), "gateway"));
        Layout l = new Layout(dir);
        X509Certificate ca = certs(l.caCert()).get(0);
        List<X509Certificate> chain = certs(l.serverCert());
        X509Certificate server = chain.get(0);
        assertThat(chain).hasSize(2).last().isEqualTo(ca);
        ca.verify(ca.getPublicKey());
        server.verify(ca.getPublicKey());
        assertThat(ca.getBasicConstraints()).isZero();
        assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(ca.getNotAfter().toInstant()).isEqualTo(TestClock.T0.plus(Pki.CA_LIFETIME));
        assertThat(ca.getNotBefore().toInstant()).isEqualTo(TestClock.T0.minus(Duration.ofHours(1)));
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(server.getNotAfter().toInstant()).isEqualTo(TestClock.T0.plus(Pki.SERVER_LIFETIME));
        List<String> sans = new ArrayList<>();
        for (List<?> san : server.getSubjectAlternativeNames()) {
            sans.add(san.get(0) + ":" + san.get(1));
        }
        assertThat(sans).containsExactly("2:broker.example.org", "2:gw", "7:192.0.2.7", "7:0:0:0:0:0:0:0:1");

        clock.advance(Duration.ofDays(30));
        setup.clientCert(l, "sensor-1", false);
        X509Certificate client = certs(l.clientCert("sensor-1")).get(0);
        client.verify(ca.getPublicKey());
        assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(client.getSubjectX500Principal().getName()).contains("CN=sensor-1");
        assertThat(client.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(Pki.CLIENT_LIFETIME));
        for (Path p : List.of(l.clientKey("sensor-1"), l.clientP12("sensor-1"), l.clientP12Password("sensor-1"))) {
            assertThat(Setups.mode(p)).as(p.toString()).isEqualTo("rw-------");
        }
        char[] password = Files.readString(l.clientP12Password("sensor-1")).trim().toCharArray();
        assertThat(password.length).isGreaterThanOrEqualTo(32);
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(l.clientP12("sensor-1"))) {
            p12.load(in, password);
        }
        assertThat(p12.getCertificateChain("sensor-1")).containsExactly(client, ca);
        assertThat(p12.getKey("sensor-1", password)).isNotNull();
        assertThatThrownBy(() -> {
            try (var in = Files.newInputStream(l.clientP12("sensor-1"))) {
                KeyStore.getInstance("PKCS12").load(in, "wrong".toCharArray());
            }
        }).isInstanceOf(IOException.class);
    }

    @Test
    void aSecondRunWithoutForceChangesNothing() throws Exception {
        init(false);
        Map<Path, String> before = snapshot(dir, etc);
        assertThatThrownBy(() -> init(false)).isInstanceOf(SetupException.class)
                .hasMessageContaining("nothing was written").hasMessageContaining("--force");
        assertThat(snapshot(dir, etc)).isEqualTo(before);
        // one file left from an old setup is enough to refuse
        Layout l = new Layout(dir);
        for (Path p : List.of(l.caCert(), l.caKey(), l.serverCert(), l.serverKey(), l.mosquittoConf())) {
            if (!p.equals(l.serverKey())) {
                Files.delete(p);
            }
        }
        Map<Path, String> partial = snapshot(dir, etc);
        assertThatThrownBy(() -> init(false)).isInstanceOf(SetupException.class);
        assertThat(snapshot(dir, etc)).isEqualTo(partial);
        assertThat(l.caCert()).doesNotExist();
    }

    @Test
    void forceReplacesTheWholeSetupAndSaysClientCertificatesMustBeReissued() throws Exception {
        init(false);
        Layout l = new Layout(dir);
        setup.clientCert(l, "dev", false);
        String oldCa = Files.readString(l.caCert());
        String oldKey = Files.readString(l.serverKey());
        String apiKey = Files.readString(l.apiKey());
        BrokerSetup.Result again = init(true);
        assertThat(again.written()).hasSize(7);
        assertThat(Files.readString(l.caCert())).isNotEqualTo(oldCa);
        assertThat(Files.readString(l.serverKey())).isNotEqualTo(oldKey);
        assertThat(Files.readString(l.apiKey())).isEqualTo(apiKey);
        certs(l.serverCert()).get(0).verify(certs(l.caCert()).get(0).getPublicKey());
        assertThat(Setups.mode(l.serverKey())).isEqualTo("rw-------");
        assertThat(again.notes()).anyMatch(n -> n.contains("reissue them with warden:broker-client-cert"));
        // the client's own files are not replaced without --force on it
        assertThatThrownBy(() -> setup.clientCert(l, "dev", false)).isInstanceOf(SetupException.class)
                .hasMessageContaining("--force");
        setup.clientCert(l, "dev", true);
        certs(l.clientCert("dev")).get(0).verify(certs(l.caCert()).get(0).getPublicKey());
    }

    @Test
    void aFailureWhileWritingLeavesTheOldSetupWhole() throws Exception {
        init(false);
        Layout l = new Layout(dir);
        // conf.d made unwritable: go-auth.conf cannot be staged, after the certificates were
        Files.setPosixFilePermissions(l.confD(), PosixFilePermissions.fromString("r-x------"));
        Map<Path, String> before = snapshot(dir, etc);
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(l.confD()),
                    "root writes into a read-only folder");
            assertThatThrownBy(() -> init(true)).isInstanceOf(IOException.class);
            assertThat(snapshot(dir, etc)).isEqualTo(before);
        } finally {
            Files.setPosixFilePermissions(l.confD(), PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aFailureWhileStagingLeavesTheOldSetupWholeEvenForRoot() throws Exception {
        init(false);
        Layout l = new Layout(dir);
        // conf.d is a file now: go-auth.conf cannot be staged, after the CA and server files were
        Files.delete(l.goAuthConf());
        Files.delete(l.confD());
        Files.writeString(l.confD(), "not a folder");
        Map<Path, String> before = snapshot(dir, etc);
        assertThatThrownBy(() -> init(true)).isInstanceOf(IOException.class);
        assertThat(snapshot(dir, etc)).isEqualTo(before);
    }

    @Test
    void refusesInputsThatWouldMakeABrokenOrInsecureSetupAndWritesNothing() throws Exception {
        WardenHttp http = Setups.http(etc, Map.of());
        Path plugin = Setups.plugin(tmp);
        List<BrokerSetup.InitRequest> bad = List.of(
                new BrokerSetup.InitRequest(new Layout(dir), List.of("10.0.0.1"), List.of(), OptionalInt.empty(),
                        false, false, plugin, http, "u"),
                new BrokerSetup.InitRequest(new Layout(dir), List.of("a b"), List.of(), OptionalInt.empty(), false,
                        false, plugin, http, "u"),
                new BrokerSetup.InitRequest(new Layout(dir), List.of("evil\nlistener 1883"), List.of(),
                        OptionalInt.empty(), false, false, plugin, http, "u"),
                new BrokerSetup.InitRequest(new Layout(dir), List.of(), List.of("example.org"), OptionalInt.empty(),
                        false, false, plugin, http, "u"),
                new BrokerSetup.InitRequest(new Layout(dir), List.of(), List.of(), OptionalInt.of(8883), false,
                        false, plugin, http, "u"),
                new BrokerSetup.InitRequest(new Layout(dir), List.of(), List.of(), OptionalInt.of(0), false, false,
                        plugin, http, "u"),
                new BrokerSetup.InitRequest(new Layout(dir), List.of(), List.of(), OptionalInt.empty(), false, false,
                        plugin, Setups.http(etc, Map.of("host", "192.0.2.1")), "u"),
                new BrokerSetup.InitRequest(new Layout(dir), List.of(), List.of(), OptionalInt.empty(), false, false,
                        plugin, http, "bad user\nallow_anonymous true"));
        for (BrokerSetup.InitRequest r : bad) {
            assertThatThrownBy(() -> setup.init(r)).as(r.toString()).isInstanceOf(SetupException.class);
        }
        assertThat(dir).doesNotExist();
        assertThat(etc.resolve("warden-http.key")).doesNotExist();
        assertThatThrownBy(() -> Setups.http(etc, Map.of("port", "0"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
        assertThatThrownBy(() -> Setups.http(etc, Map.of("path.acl", "/acl\nauth_opt_backends files")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Setups.http(etc, Map.of("auth.header.name", "X Key")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCallerKeyFileOthersMayReadIsRefusedAsWardenHttpRefusesIt() throws Exception {
        Path keyFile = etc.resolve("warden-http.key");
        Files.writeString(keyFile, "x".repeat(43) + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> init(false)).isInstanceOf(SetupException.class).hasMessageContaining("rw-r--r--")
                .hasMessageNotContaining("x".repeat(43));
        assertThat(new Layout(dir).caCert()).doesNotExist();
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(keyFile, "short\n");
        assertThatThrownBy(() -> init(false)).isInstanceOf(SetupException.class).hasMessageContaining("32 to 256")
                .hasMessageNotContaining("short");
    }

    @Test
    void withoutTheGoAuthPluginTheSetupIsWrittenAndSaysSo() throws Exception {
        Path absent = tmp.resolve("nowhere/go-auth.so");
        BrokerSetup.Result result = setup.init(Setups.request(dir, Setups.http(etc, Map.of()), absent, false));
        assertThat(result.written()).hasSize(7);
        assertThat(result.notes()).anyMatch(n -> n.contains("The go-auth plugin " + absent + " is not there")
                && n.contains("mosquitto-go-auth-conf/README.md"));
        assertThat(options(new Layout(dir).goAuthConf())).containsEntry("auth_plugin", absent.toString());
    }

    @Test
    void aGatewayRunningAsRootIsToldTheBrokerWouldRunAsRootToo() throws Exception {
        BrokerSetup.Result result = setup.init(new BrokerSetup.InitRequest(new Layout(dir), List.of(), List.of(),
                OptionalInt.empty(), false, false, Setups.plugin(tmp), Setups.http(etc, Map.of()), "root"));
        assertThat(options(new Layout(dir).mosquittoConf())).containsEntry("user", "root");
        assertThat(result.notes()).anyMatch(n -> n.startsWith("The gateway runs as root"));
        BrokerSetup.Result other = setup.init(new BrokerSetup.InitRequest(new Layout(tmp.resolve("b2")), List.of(),
                List.of(), OptionalInt.empty(), false, false, Setups.plugin(tmp), Setups.http(etc, Map.of()),
                "warden"));
        assertThat(other.notes()).noneMatch(n -> n.startsWith("The gateway runs as root"));
    }

    @Test
    void clientNamesThatAreNotPlainFileNamesAreRefused() throws Exception {
        init(false);
        Layout l = new Layout(dir);
        for (String name : List.of("../ca", "a/b", "", ".hidden", "x".repeat(65), "a b", "n\u00e9")) {
            assertThatThrownBy(() -> setup.clientCert(l, name, false)).as(name).isInstanceOf(SetupException.class);
        }
        assertThat(l.clients()).doesNotExist();
        Files.delete(l.caKey());
        assertThatThrownBy(() -> setup.clientCert(l, "ok", false)).isInstanceOf(SetupException.class)
                .hasMessageContaining("broker-init");
    }

    @Test
    void theCaKeyMustBelongToTheCaCertificate() throws Exception {
        init(false);
        Layout l = new Layout(dir);
        Files.copy(l.serverKey(), l.caKey(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> setup.clientCert(l, "dev", false)).isInstanceOf(SetupException.class)
                .hasMessageContaining("does not belong");
    }

    @Test
    void theLayoutIsBrokerPaths() {
        BrokerPaths paths = BrokerPaths.of(Configs.of(BrokerConfig.class, Map.of("broker.dir", dir.toString())));
        Layout l = new Layout(dir);
        assertThat(l.dir()).isEqualTo(paths.dir());
        assertThat(l.mosquittoConf()).isEqualTo(paths.mosquittoConf());
        assertThat(l.goAuthConf()).isEqualTo(paths.goAuthConf());
        assertThat(l.certs()).isEqualTo(paths.certs());
        assertThat(l.clients()).isEqualTo(paths.clients());
        assertThat(l.apiKey()).isEqualTo(paths.apiKey());
        assertThat(l.data()).isEqualTo(paths.data());
        assertThat(l.log()).isEqualTo(paths.log());
    }

    /** @return every file under the folders: content and modification time */
    static Map<Path, String> snapshot(Path... dirs) throws IOException {
        Map<Path, String> out = new TreeMap<>();
        for (Path d : dirs) {
            if (!Files.exists(d)) {
                continue;
            }
            try (Stream<Path> all = Files.walk(d)) {
                for (Path p : all.toList()) {
                    if (Files.isRegularFile(p)) {
                        FileTime t = Files.getLastModifiedTime(p);
                        out.put(p, t + " " + Setups.mode(p) + " " + Files.readString(p, StandardCharsets.ISO_8859_1));
                    } else {
                        out.put(p, "dir " + Setups.mode(p));
                    }
                }
            }
        }
        return out;
    }

    static List<X509Certificate> certs(Path pem) throws Exception {
        Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)));
        return all.stream().map(c -> (X509Certificate) c).toList();
    }

    /** @return the file's options (the last value of each key), comments skipped */
    static Map<String, String> options(Path file) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int sp = line.indexOf(' ');
            out.put(line.substring(0, sp), line.substring(sp + 1));
        }
        return out;
    }
}
