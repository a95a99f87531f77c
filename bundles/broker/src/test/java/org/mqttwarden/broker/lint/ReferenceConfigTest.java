package org.mqttwarden.broker.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mqttwarden.broker.lint.Fixture.where;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.broker.lint.Fixture.Where;
import org.mqttwarden.testsupport.Mosquitto;
import org.mqttwarden.testsupport.MosquittoProcess;

/**
 * The repository's reference configuration (mosquitto-go-auth-conf/, what warden:broker-init will generate) and
 * Debian's stock /etc/mosquitto/mosquitto.conf, linted; and the real Mosquitto starting with what the linter
 * passes, and refusing what it reports as fatal.
 */
class ReferenceConfigTest {

    private static final Path REFERENCE = Path.of("").toAbsolutePath().resolve("../../mosquitto-go-auth-conf")
            .normalize();
    private static final String DYNSEC = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";

    @TempDir
    Path dir;

    Fixture fx;
    Path confd;

    @BeforeEach
    void setUp() throws IOException {
        fx = new Fixture(dir);
        confd = Files.createDirectories(dir.resolve("conf.d"));
        Files.createDirectories(dir.resolve("data"));
    }

    /**
     * The reference mosquitto.conf with what is machine-specific moved into the test's folder: the broker's user,
     * pid file, persistence, log, certificate paths, include_dir and (when given) the listener. Everything else as
     * written; per_listener_settings is kept unless {@code dropPerListener}.
     */
    private Path adapted(String listener, boolean dropPerListener) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(REFERENCE.resolve("mosquitto.conf"))) {
            String l = line;
            if (l.startsWith("user ")) {
                l = Fixture.user();
            } else if (l.startsWith("pid_file ")) {
                l = "pid_file " + dir.resolve("mosquitto.pid");
            } else if (l.startsWith("persistence_location ")) {
                l = "persistence_location " + dir.resolve("data") + "/";
            } else if (l.startsWith("log_dest file ")) {
                l = "log_dest file " + dir.resolve("mosquitto.log");
            } else if (l.startsWith("certfile ")) {
                l = "certfile " + fx.cert;
            } else if (l.startsWith("keyfile ")) {
                l = "keyfile " + fx.key;
            } else if (l.startsWith("cafile ")) {
                l = "cafile " + fx.ca;
            } else if (l.startsWith("include_dir ")) {
                l = "include_dir " + confd;
            } else if (l.equals("listener 8883") && listener != null) {
                l = listener;
            } else if (l.startsWith("per_listener_settings") && dropPerListener) {
                l = "# dropped: deprecated in 2.1, false is the default";
            }
            out.add(l);
        }
        return fx.write("mosquitto.conf", out.toArray(String[]::new));
    }

    /** Installs one go-auth-*.conf as conf.d/go-auth.conf (0640), its plugin path moved to a stand-in file. */
    private Path installGoAuth(String variant) throws IOException {
        Path plugin = Files.writeString(dir.resolve("go-auth.so"), "stands in for go-auth");
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(REFERENCE.resolve(variant))) {
            out.add(line.startsWith("auth_plugin ") ? "auth_plugin " + plugin : line);
        }
        Path file = fx.write("conf.d/go-auth.conf", out.toArray(String[]::new));
        Fixture.chmod(file, "rw-r-----");
        return file;
    }

    @Test
    void theGeneratedConfigurationHasNoFindings() throws IOException {
        installGoAuth("go-auth-status-nosuperuser.conf");
        Path conf = adapted(null, true);
        assertThat(fx.lint(conf)).isEmpty();
        assertThat(ConfigParser.parseQuietly(conf).files()).hasSize(2);
    }

    @Test
    void theReferenceFileAsWrittenHasNoFinding() throws IOException {
        installGoAuth("go-auth-status-nosuperuser.conf");
        Path conf = adapted(null, false);
        assertThat(where(fx.lint(conf))).isEmpty();
    }

    @Test
    void eachGoAuthVariantMatchesItsWardenResponseMode() throws IOException {
        for (String[] v : List.of(new String[] {"go-auth-status.conf", "status"},
                new String[] {"go-auth-json.conf", "json"}, new String[] {"go-auth-text.conf", "text"})) {
            Path goAuth = installGoAuth(v[0]);
            Path conf = adapted(null, true);
            assertThat(Fixture.lint(conf, LintOptions.defaults().withWardenResponseMode(v[1]))).as(v[0]).isEmpty();
            if (!v[1].equals("status")) {
                assertThat(where(fx.lint(conf))).as(v[0] + " against Warden in status mode").containsExactly(
                        new Where(Severity.CRITICAL, Linter.RULE_GOAUTH_MODE, "go-auth.conf",
                                Fixture.lineOf(goAuth, "auth_opt_http_response_mode")));
            }
        }
    }

    @Test
    void debiansStockConfigurationHasNoFalsePositives() {
        Path stock = Path.of("/etc/mosquitto/mosquitto.conf");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(stock), "Debian's mosquitto is installed");
        // No listener: Mosquitto 2.x listens on loopback only and lets local clients in anonymously. That, and
        // nothing else, is worth saying; conf.d holds only a README (not *.conf).
        assertThat(where(Fixture.lint(stock, LintOptions.defaults()))).containsExactly(
                new Where(Severity.INFO, Linter.RULE_ANONYMOUS, "mosquitto.conf", 0));
        assertThat(where(Fixture.lint(stock, LintOptions.defaults().withTarget("2.1")))).containsExactly(
                new Where(Severity.INFO, Linter.RULE_ANONYMOUS, "mosquitto.conf", 0),
                new Where(Severity.INFO, Linter.RULE_DUPLICATES_21, "mosquitto.conf", 0));
    }

    /**
     * The reference configuration, on a free loopback port, with go-auth's file swapped for Mosquitto's own
     * dynamic-security plugin (go-auth is not installable here; a password_file would be a 2.1 deprecation):
     * the linter passes it and the real broker starts with it.
     */
    @Test
    void aConfigurationTheLinterPassesIsAcceptedByTheRealMosquitto() throws Exception {
        Path dynsec = dir.resolve("data/dynamic-security.json");
        Process init = new ProcessBuilder(Mosquitto.binary("mosquitto_ctrl"), "dynsec", "init", dynsec.toString(),
                "admin", "not-a-real-secret-0").redirectErrorStream(true).start();
        init.getInputStream().readAllBytes();
        assertThat(init.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(init.exitValue()).isZero();
        fx.write("conf.d/dynsec.conf", "plugin " + DYNSEC, "plugin_opt_config_file " + dynsec);
        int port = MosquittoProcess.freePort();
        Path conf = adapted("listener " + port + " 127.0.0.1", true);
        assertThat(fx.lint(conf)).isEmpty();
        try (MosquittoProcess broker = MosquittoProcess.start(conf)) {
            assertThat(broker.awaitListening(port)).as("mosquitto listens; its output:\n%s", broker.output())
                    .isTrue();
            // its own log file (log_dest file): the start-up line follows the listening socket
            Path log = dir.resolve("mosquitto.log");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15))
                    .until(() -> Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8)
                            .matches("(?s).*mosquitto version \\S+ running.*") || !broker.process().isAlive());
            assertThat(broker.process().isAlive()).as("still running; output:\n%s", broker.output()).isTrue();
        }
    }

    /** What the linter reports as fatal, the real broker refuses: it exits instead of listening. */
    @Test
    void whatTheLinterCallsFatalTheRealMosquittoRefuses() throws Exception {
        fx.write("conf.d/dynsec.conf", "plugin " + DYNSEC, "plugin_opt_config_file " + dir.resolve("dyn.json"));
        List<String[]> cases = List.of(
                new String[] {"  # indented comment", Linter.RULE_CONFIG_ERROR},
                new String[] {"no_such_option 1", Linter.RULE_CONFIG_ERROR},
                new String[] {"allow_anonymous yes", Linter.RULE_CONFIG_ERROR},
                new String[] {"tls_version tlsv1", Linter.RULE_TLS_VERSION},
                new String[] {"certfile " + dir.resolve("absent.crt"), Linter.RULE_TLS_FILE_MISSING},
                new String[] {"auth_plugin " + dir.resolve("absent.so"), Linter.RULE_PLUGIN_MISSING});
        for (String[] c : cases) {
            int port = MosquittoProcess.freePort();
            List<String> lines = new ArrayList<>(Files.readAllLines(adapted("listener " + port + " 127.0.0.1", true)));
            // last, so that it overrides the reference file's own line (Mosquitto keeps the last value)
            lines.add(c[0]);
            int at = lines.size();
            Path conf = fx.write("broken.conf", lines.toArray(String[]::new));
            assertThat(fx.lint(conf)).as(c[0]).anySatisfy(f -> {
                assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
                assertThat(f.rule()).isEqualTo(c[1]);
                assertThat(f.line()).isEqualTo(at);
            });
            try (MosquittoProcess broker = MosquittoProcess.start(conf)) {
                assertThat(broker.awaitExit()).as("%s; output:\n%s", c[0], broker.output()).isNotZero();
            }
        }
    }
}
