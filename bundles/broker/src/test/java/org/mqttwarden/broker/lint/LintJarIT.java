package org.mqttwarden.broker.lint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The linter's jar (target/warden-broker-&lt;version&gt;-lint.jar, property lint.jar) run as a CI pipeline runs it: {@code java -jar} in a child JVM with nothing else on
 * its class path. Exit codes 0 (clean), 1 (findings), 2 (unreadable, not a mosquitto.conf, bad arguments).
 */
class LintJarIT {

    private static final Path JAR = Path.of(System.getProperty("lint.jar", "target/warden-broker-lint.jar"))
            .toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path dir;

    Fixture fx;
    Path plugin;

    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void setUp() throws IOException {
        assertThat(JAR).as("mvn package builds it").isRegularFile();
        fx = new Fixture(dir);
        plugin = Files.writeString(dir.resolve("go-auth.so"), "stands in for go-auth");
    }

    private Path secure(String... more) {
        List<String> l = new ArrayList<>(List.of(Fixture.user(), "allow_anonymous false", "listener 8883"));
        l.addAll(List.of(fx.tls()));
        l.addAll(List.of("auth_plugin " + plugin, "auth_opt_backends http", "auth_opt_http_host 127.0.0.1",
                "auth_opt_http_response_mode status"));
        l.addAll(List.of(more));
        return fx.write("mosquitto.conf", l.toArray(String[]::new));
    }

    private static Run run(List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(JAVA, "-XX:-UsePerfData", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the linter exits").isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    private static Run run(String... args) throws Exception {
        return run(List.of(), args);
    }

    @Test
    void cleanConfigurationExitsZero() throws Exception {
        Run r = run(secure().toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("no findings");
    }

    @Test
    void findingsExitOneWithFileLineAndRule() throws Exception {
        Path conf = secure("allow_anonymous true");
        int line = Fixture.lineOf(conf, "allow_anonymous true");
        Run r = run(conf.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("CRITICAL " + conf + ":" + line + " [anonymous-allowed]").contains("why: ")
                .contains("fix: ");
    }

    @Test
    void jsonReportForCiTools() throws Exception {
        Path conf = secure("allow_anonymous true", "tls_version tlsv1.1");
        Run r = run("--json", conf.toString());
        assertThat(r.code()).isEqualTo(1);
        Map<String, Object> counts = new HashMap<>();
        List<String> rules = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(r.out())) {
            String field = null;
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                } else if (p.currentToken().isScalarValue() && field != null) {
                    switch (field) {
                        case "CRITICAL", "WARNING", "INFO" -> counts.put(field, p.getIntValue());
                        case "rule" -> rules.add(p.getText());
                        case "line" -> lines.add(p.getIntValue());
                        default -> {
                        }
                    }
                }
            }
        }
        assertThat(counts).containsEntry("CRITICAL", 1).containsEntry("WARNING", 1).containsEntry("INFO", 0);
        assertThat(rules).containsExactly(Linter.RULE_ANONYMOUS, Linter.RULE_TLS_VERSION);
        assertThat(lines).containsExactly(Fixture.lineOf(conf, "allow_anonymous true"),
                Fixture.lineOf(conf, "tls_version tlsv1.1"));
    }

    @Test
    void notAMosquittoConfigurationExitsTwo() throws Exception {
        Path binary = Files.write(dir.resolve("image.conf"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        Path yaml = Files.writeString(dir.resolve("compose.yaml"), "services:\n  broker:\n    image: mosquitto\n");
        for (String file : List.of(binary.toString(), yaml.toString(), dir.resolve("absent.conf").toString(),
                dir.toString())) {
            Run r = run(file);
            assertThat(r.code()).as(file + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith("warden-broker-lint: ").contains(file);
        }
        assertThat(run().code()).isEqualTo(2);
        assertThat(run("--lockout-seconds", "soon", secure().toString()).code()).isEqualTo(2);
        assertThat(run("--json", binary.toString()).out()).contains("\"error\"");
    }

    /**
     * A real permission denial: as root, the jar runs as {@code nobody} (setpriv) on a root-only file; otherwise
     * the file is made mode 000.
     */
    @Test
    void unreadableFileExitsTwo() throws Exception {
        Path conf = secure();
        Fixture.chmod(conf, "rw-------");
        List<String> prefix = List.of();
        boolean root = System.getProperty("user.name").equals("root");
        Path jarDir = Files.createDirectories(dir.resolve("jar"));
        if (root) {
            Fixture.chmod(dir, "rwxr-xr-x");
            Fixture.chmod(jarDir, "rwxr-xr-x");
            Path copy = Files.copy(JAR, jarDir.resolve("warden-broker-lint.jar"), StandardCopyOption.REPLACE_EXISTING);
            Fixture.chmod(copy, "rw-r--r--");
            prefix = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--");
        } else {
            Fixture.chmod(conf, "---------");
        }
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(JAVA, "-XX:-UsePerfData", "-jar",
                root ? jarDir.resolve("warden-broker-lint.jar").toString() : JAR.toString(), conf.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(2);
        assertThat(out).contains("cannot be read").contains(conf.toString());
    }
}
