package org.mqttwarden.broker.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mqttwarden.broker.lint.Fixture.lineOf;
import static org.mqttwarden.broker.lint.Fixture.where;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.broker.lint.Fixture.Where;

/**
 * One failing configuration per rule, each checked for the exact findings (severity, rule, file and line), next to
 * the secure baseline that has none. Files, modes and certificates are real.
 */
class LinterRulesTest {

    @TempDir
    Path dir;

    Fixture fx;
    Path plugin;

    @BeforeEach
    void setUp() throws IOException {
        fx = new Fixture(dir);
        plugin = Files.writeString(dir.resolve("go-auth.so"), "stands in for go-auth: the linter checks it exists");
    }

    /** The secure setup: TLS on 8883, anonymous off, go-auth to Warden on loopback, cache off. */
    private List<String> base() {
        List<String> l = new ArrayList<>(List.of(Fixture.user(), "allow_anonymous false", "listener 8883"));
        l.addAll(List.of(fx.tls()));
        l.addAll(List.of("auth_plugin " + plugin, "auth_opt_backends http", "auth_opt_http_host 127.0.0.1",
                "auth_opt_http_port 9180", "auth_opt_http_getuser_uri /user", "auth_opt_http_aclcheck_uri /acl",
                "auth_opt_http_response_mode status", "auth_opt_cache false"));
        return l;
    }

    private int files;

    /** @return a new file (each call its own, so earlier ones stay as they were) with the lines */
    private Path conf(List<String> lines, String... more) {
        List<String> all = new ArrayList<>(lines);
        all.addAll(List.of(more));
        return fx.write("mosquitto-" + ++files + ".conf", all.toArray(String[]::new));
    }

    private static Where w(Severity s, String rule, Path file, int line) {
        return new Where(s, rule, file.getFileName().toString(), line);
    }

    @Test
    void secureBaselineHasNoFindings() {
        assertThat(fx.lint(conf(base()))).isEmpty();
    }

    @Test
    void linesMosquittoRefusesAreConfigErrorsAtTheirLine() {
        List<String[]> cases = List.of(
                new String[] {"no_such_option 1", "no_such_option"},
                new String[] {"  # an indented comment", "  #"},
                new String[] {"\tallow_anonymous false", "\t"},
                new String[] {"allow_anonymous yes", "allow_anonymous yes"},
                new String[] {"per_listener_settings true", "per_listener_settings"},
                new String[] {"include_dir " + dir.resolve("missing"), "include_dir"},
                new String[] {"listener nonsense", "listener nonsense"});
        for (String[] c : cases) {
            Path f = conf(base(), c[0]);
            assertThat(where(fx.lint(f))).as(c[0]).contains(w(Severity.CRITICAL, Linter.RULE_CONFIG_ERROR, f,
                    lineOf(f, c[1])));
        }
        Path early = fx.write("early.conf", Fixture.user(), "auth_opt_backends http", "listener 1883 127.0.0.1");
        assertThat(where(fx.lint(early))).containsExactly(w(Severity.CRITICAL, Linter.RULE_CONFIG_ERROR, early, 2),
                w(Severity.INFO, Linter.RULE_NO_AUTH, early, 3));
    }

    @Test
    void anonymousOnANetworkListenerIsCriticalAtItsLine() {
        Path f = conf(base(), "allow_anonymous true");
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.CRITICAL, Linter.RULE_ANONYMOUS, f,
                lineOf(f, "allow_anonymous true")));
    }

    @Test
    void anonymousOnLoopbackOnlyIsAWarning() {
        List<String> b = base();
        b.set(b.indexOf("listener 8883"), "listener 8883 127.0.0.1");
        Path f = conf(b, "allow_anonymous true");
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.WARNING, Linter.RULE_ANONYMOUS, f,
                lineOf(f, "allow_anonymous true")));
    }

    @Test
    void listenerAllowAnonymousOfMosquitto21OverridesTheGlobalOption() {
        Path f = conf(base(), "listener_allow_anonymous true");
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.CRITICAL, Linter.RULE_ANONYMOUS, f,
                lineOf(f, "listener_allow_anonymous")));
    }

    @Test
    void noListenerMeansImplicitLoopbackAnonymousAsInfoOnly() {
        Path f = fx.write("mosquitto.conf", "pid_file " + dir.resolve("pid"), "persistence true");
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.INFO, Linter.RULE_ANONYMOUS, f, 0));
    }

    @Test
    void noAuthenticationAndAnonymousIsCritical() {
        List<String> l = new ArrayList<>(List.of(Fixture.user(), "allow_anonymous true", "listener 8883"));
        l.addAll(List.of(fx.tls()));
        Path f = conf(l);
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.CRITICAL, Linter.RULE_NO_AUTH, f, 2));
    }

    @Test
    void aListenerWithoutAuthenticationOrAnonymousRefusesEveryoneWhichIsANoteOnly() {
        List<String> l = new ArrayList<>(List.of(Fixture.user(), "allow_anonymous false", "listener 8883"));
        l.addAll(List.of(fx.tls()));
        Path f = conf(l);
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.INFO, Linter.RULE_NO_AUTH, f, 3));
    }

    @Test
    void perListenerSettingsKeepsAuthenticationToItsListener() {
        List<String> l = new ArrayList<>(List.of("per_listener_settings true", Fixture.user(), "listener 8883"));
        l.addAll(List.of(fx.tls()));
        l.addAll(List.of("allow_anonymous false", "auth_plugin " + plugin, "auth_opt_backends http",
                "auth_opt_http_host 127.0.0.1", "listener 1884 127.0.0.1", "allow_anonymous true",
                "listener 8884"));
        l.addAll(List.of(fx.tls()));
        l.add("allow_anonymous true");
        Path f = conf(l);
        int second = lineOf(f, "listener 1884");
        assertThat(where(fx.lint(f))).containsExactly(
                w(Severity.INFO, Linter.RULE_DEPRECATED, f, 1),
                w(Severity.WARNING, Linter.RULE_NO_AUTH, f, second + 1),
                w(Severity.CRITICAL, Linter.RULE_NO_AUTH, f, l.size()));
    }

    @Test
    void plaintextListenerOnAllInterfacesIsCritical() {
        Path f = conf(base(), "listener 1883");
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.CRITICAL, Linter.RULE_PLAINTEXT, f,
                lineOf(f, "listener 1883")));
        Path loop = conf(base(), "listener 1883 127.0.0.1");
        assertThat(fx.lint(loop)).isEmpty();
        Path sock = conf(base(), "listener 0 " + dir.resolve("mqtt.sock"));
        assertThat(fx.lint(sock)).isEmpty();
    }

    @Test
    void aListenerOptionBeforeTheFirstListenerOpensPlainPort1883() {
        List<String> b = base();
        b.add(1, "max_connections 100");
        Path f = conf(b);
        List<Finding> findings = fx.lint(f);
        assertThat(where(findings)).containsExactly(w(Severity.CRITICAL, Linter.RULE_PLAINTEXT, f, 2));
        assertThat(findings.get(0).message()).contains("port 1883").contains("before the first listener line");
    }

    @Test
    void certfileWithoutKeyfileIsPlaintext() {
        List<String> b = base();
        b.removeIf(s -> s.startsWith("keyfile"));
        Path f = conf(b);
        List<Finding> findings = fx.lint(f);
        assertThat(where(findings)).containsExactly(w(Severity.CRITICAL, Linter.RULE_PLAINTEXT, f,
                lineOf(f, "listener 8883")));
        assertThat(findings.get(0).message()).contains("certfile without keyfile");
    }

    @Test
    void websocketsWithoutTls() {
        Path f = conf(base(), "listener 9001", "protocol websockets");
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.CRITICAL, Linter.RULE_WEBSOCKETS, f,
                lineOf(f, "listener 9001")));
        Path loop = conf(base(), "listener 9001 127.0.0.1", "protocol websockets");
        assertThat(where(fx.lint(loop))).containsExactly(w(Severity.INFO, Linter.RULE_WEBSOCKETS, loop,
                lineOf(loop, "listener 9001")));
    }

    @Test
    void tlsBelow12() {
        Path f = conf(base(), "tls_version tlsv1.1");
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.WARNING, Linter.RULE_TLS_VERSION, f,
                lineOf(f, "tls_version tlsv1.1")));
        Path g = conf(base(), "tls_version tlsv1");
        assertThat(where(fx.lint(g))).containsExactly(w(Severity.CRITICAL, Linter.RULE_TLS_VERSION, g,
                base().size() + 1));
    }

    @Test
    void missingCertificateFile() {
        List<String> b = base();
        b.replaceAll(s -> s.startsWith("certfile") ? "certfile " + dir.resolve("nope.crt") : s);
        Path f = conf(b);
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.CRITICAL, Linter.RULE_TLS_FILE_MISSING, f,
                lineOf(f, "certfile")));
    }

    @Test
    void keyTheBrokersUserCannotReadIsFound() throws IOException {
        Fixture.chmod(dir, "rwxr-xr-x");
        Fixture.chmod(fx.cert, "rw-r--r--");
        Fixture.chmod(fx.ca, "rw-r--r--");
        Fixture.chmod(fx.key, "rw-------");
        Path passwd = Files.writeString(dir.resolve("passwd"), "broker:x:4242:4242::/nonexistent:/bin/false\n");
        Path group = Files.writeString(dir.resolve("group"), "broker:x:4242:\n");
        List<String> b = base();
        b.set(0, "user broker");
        Path f = conf(b);
        LintOptions o = new LintOptions(900, "status", "2.0", passwd, group);
        assertThat(where(Fixture.lint(f, o))).containsExactly(w(Severity.CRITICAL, Linter.RULE_TLS_FILE_UNREADABLE,
                f, lineOf(f, "keyfile")));
        // the same key, group-readable by a group the broker's user is in: fine
        Path group2 = Files.writeString(dir.resolve("group2"), "broker:x:4242:\n"
                + Files.readAttributes(fx.key, java.nio.file.attribute.PosixFileAttributes.class).group().getName()
                + ":x:777:broker\n");
        Fixture.chmod(fx.key, "rw-r-----");
        assertThat(Fixture.lint(f, new LintOptions(900, "status", "2.0", passwd, group2))).isEmpty();
    }

    @Test
    void keyFileReadableByOthers() {
        Fixture.chmod(fx.key, "rw-r--r--");
        Path f = conf(base());
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.CRITICAL, Linter.RULE_KEY_READABLE, f,
                lineOf(f, "keyfile")));
    }

    @Test
    void requireCertificateWithoutCa() {
        List<String> b = base();
        b.removeIf(s -> s.startsWith("cafile"));
        Path f = conf(b, "require_certificate true");
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.WARNING, Linter.RULE_REQUIRE_CERT_NO_CA, f,
                lineOf(f, "require_certificate")));
        assertThat(fx.lint(conf(base(), "require_certificate true"))).isEmpty();
    }

    @Test
    void certificateIdentityAsUsernameSkipsWarden() {
        Path f = conf(base(), "require_certificate true", "use_identity_as_username true");
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.WARNING, Linter.RULE_IDENTITY_BYPASS, f,
                lineOf(f, "use_identity_as_username")));
    }

    @Test
    void goAuthToARemoteBackendWithoutTls() {
        List<String> b = base();
        b.replaceAll(s -> s.startsWith("auth_opt_http_host") ? "auth_opt_http_host 192.0.2.10" : s);
        Path f = conf(b);
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.CRITICAL, Linter.RULE_GOAUTH_PLAINTEXT, f,
                lineOf(f, "auth_opt_http_host")));
        Path tls = conf(b, "auth_opt_http_with_tls true", "auth_opt_http_verify_peer true");
        assertThat(fx.lint(tls)).isEmpty();
        Path unverified = conf(b, "auth_opt_http_with_tls true");
        assertThat(where(fx.lint(unverified))).containsExactly(w(Severity.WARNING, Linter.RULE_GOAUTH_UNVERIFIED,
                unverified, lineOf(unverified, "auth_opt_http_with_tls")));
        // "True" is not exactly "true": go-auth stays on plain HTTP
        Path capital = conf(b, "auth_opt_http_with_tls True");
        assertThat(where(fx.lint(capital))).extracting(Where::rule).containsExactly(Linter.RULE_GOAUTH_PLAINTEXT);
    }

    @Test
    void goAuthCacheLongerThanTheLockout() {
        List<String> b = base();
        b.remove("auth_opt_cache false");
        Path f = conf(b, "auth_opt_cache true", "auth_opt_auth_cache_seconds 3600", "auth_opt_acl_cache_seconds 30");
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.WARNING, Linter.RULE_GOAUTH_CACHE, f,
                lineOf(f, "auth_opt_auth_cache_seconds")));
        // a longer lockout (the parameter) makes the same TTL fine
        assertThat(Fixture.lint(f, LintOptions.defaults().withLockoutSeconds(7200))).isEmpty();
        // the cache off: its TTLs do not matter
        assertThat(fx.lint(conf(base(), "auth_opt_auth_cache_seconds 3600"))).isEmpty();
        // a negative TTL never expires; refresh keeps used entries forever
        Path never = conf(b, "auth_opt_cache true", "auth_opt_acl_cache_seconds -1", "auth_opt_cache_refresh true");
        assertThat(where(fx.lint(never))).containsExactly(
                w(Severity.WARNING, Linter.RULE_GOAUTH_CACHE, never, lineOf(never, "auth_opt_acl_cache_seconds")),
                w(Severity.WARNING, Linter.RULE_GOAUTH_CACHE, never, lineOf(never, "auth_opt_cache_refresh")));
        // jitter counts: 890 + 20 > 900
        Path jitter = conf(b, "auth_opt_cache true", "auth_opt_auth_cache_seconds 890",
                "auth_opt_auth_jitter_seconds 20");
        assertThat(where(fx.lint(jitter))).extracting(Where::line)
                .containsExactly(lineOf(jitter, "auth_opt_auth_cache_seconds"));
    }

    @Test
    void responseModeThatDoesNotMatchWardens() {
        List<String> b = base();
        b.remove("auth_opt_http_response_mode status");
        Path text = conf(b, "auth_opt_http_response_mode text");
        assertThat(where(fx.lint(text))).containsExactly(w(Severity.CRITICAL, Linter.RULE_GOAUTH_MODE, text,
                lineOf(text, "auth_opt_http_response_mode")));
        assertThat(Fixture.lint(text, LintOptions.defaults().withWardenResponseMode("text"))).isEmpty();
        Path json = conf(b, "auth_opt_http_response_mode json");
        assertThat(where(fx.lint(json))).extracting(Where::severity).containsExactly(Severity.CRITICAL);
        // go-auth in status mode reads Warden's json answers correctly (200 / 403): a note, not a problem
        Path status = conf(base());
        assertThat(where(Fixture.lint(status, LintOptions.defaults().withWardenResponseMode("json"))))
                .containsExactly(w(Severity.INFO, Linter.RULE_GOAUTH_MODE, status,
                        lineOf(status, "auth_opt_http_response_mode")));
        // "JSON" is not json to go-auth: it silently means status
        Path upper = conf(b, "auth_opt_http_response_mode JSON");
        assertThat(where(fx.lint(upper))).containsExactly(w(Severity.WARNING, Linter.RULE_GOAUTH_MODE, upper,
                lineOf(upper, "auth_opt_http_response_mode")));
    }

    @Test
    void optionsDeprecatedInMosquitto21() throws IOException {
        Path pw = Files.writeString(dir.resolve("passwd"), "");
        Path f = conf(base(), "password_file " + pw, "acl_file " + pw);
        assertThat(where(fx.lint(f))).containsExactly(
                w(Severity.INFO, Linter.RULE_DEPRECATED, f, lineOf(f, "password_file")),
                w(Severity.INFO, Linter.RULE_DEPRECATED, f, lineOf(f, "acl_file")));
    }

    @Test
    void mosquitto21ChangedDefaultsOnlyWhenTargetingIt() {
        Path f = conf(base());
        LintOptions v21 = LintOptions.defaults().withTarget("2.1");
        assertThat(where(Fixture.lint(f, v21))).containsExactly(
                w(Severity.INFO, Linter.RULE_DUPLICATES_21, f, 0),
                w(Severity.INFO, Linter.RULE_SPECIAL_CHARS_21, f, lineOf(f, "auth_plugin")));
        Path off = conf(base(), "auth_plugin_deny_special_chars false", "allow_duplicate_messages false");
        assertThat(where(Fixture.lint(off, v21))).containsExactly(
                w(Severity.INFO, Linter.RULE_DEPRECATED, off, lineOf(off, "allow_duplicate_messages")));
        assertThat(fx.lint(f)).isEmpty();
    }

    @Test
    void pluginFileMissing() {
        List<String> b = base();
        b.replaceAll(s -> s.startsWith("auth_plugin ") ? "auth_plugin " + dir.resolve("absent.so") : s);
        Path f = conf(b);
        assertThat(where(fx.lint(f))).containsExactly(w(Severity.CRITICAL, Linter.RULE_PLUGIN_MISSING, f,
                lineOf(f, "auth_plugin")));
    }

    @Test
    void includeDirIsFollowedInMosquittosOrderAndFindingsPointIntoIncludedFiles() {
        Path confd = dir.resolve("conf.d");
        for (String name : List.of("b.conf", "A.conf", "01.conf", "a.conf", "B.conf", "00.conf")) {
            fx.write("conf.d/" + name, "# " + name, "sys_interval 10");
        }
        fx.write("conf.d/notes.txt", "not loaded: not *.conf");
        Path anon = fx.write("conf.d/zz-anonymous.conf", "# a later file turns anonymous on", "",
                "allow_anonymous true");
        fx.write("conf.d/zzz-nested.conf", "include_dir " + dir);
        Path f = conf(base(), "include_dir " + confd);
        MosquittoConfig config;
        try {
            config = ConfigParser.parse(f);
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
        assertThat(config.files()).extracting(p -> p.getFileName().toString()).containsExactly(f.getFileName().toString(),
                "00.conf", "01.conf", "A.conf", "a.conf", "B.conf", "b.conf", "zz-anonymous.conf",
                "zzz-nested.conf");
        assertThat(where(new Linter(LintOptions.defaults()).lint(config))).containsExactly(
                w(Severity.CRITICAL, Linter.RULE_ANONYMOUS, anon, 3),
                w(Severity.INFO, Linter.RULE_INCLUDE_IGNORED, confd.resolve("zzz-nested.conf"), 1));
    }

    @Test
    void secretHeaderInAConfigEveryoneCanRead() {
        Path goAuth = fx.write("conf.d/go-auth.conf", "auth_plugin " + plugin, "auth_opt_backends http",
                "auth_opt_http_host 127.0.0.1", "auth_opt_http_header_X-Warden-Key 0123456789abcdef");
        Path f = fx.write("mosquitto.conf", Fixture.user(), "allow_anonymous false", "listener 8883",
                fx.tls()[0], fx.tls()[1], fx.tls()[2], "include_dir " + dir.resolve("conf.d"));
        Fixture.chmod(goAuth, "rw-r--r--");
        List<Finding> findings = fx.lint(f);
        assertThat(where(findings)).containsExactly(w(Severity.CRITICAL, Linter.RULE_SECRET_CONFIG_READABLE, goAuth,
                4));
        // the report names the option and the file, never the key
        assertThat(findings.get(0).message() + findings.get(0).why() + findings.get(0).fix())
                .doesNotContain("0123456789abcdef");
        Fixture.chmod(goAuth, "rw-r-----");
        assertThat(fx.lint(f)).isEmpty();
    }

    @Test
    void whatIsNotAMosquittoConfigurationIsRefused() throws IOException {
        Path json = Files.writeString(dir.resolve("config.json"), "{\"listener\": 1883}\n");
        assertThatThrownBy(() -> ConfigParser.parse(json)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a Mosquitto configuration");
        Path binary = Files.write(dir.resolve("blob"), new byte[] {'l', 0, 1, 2});
        assertThatThrownBy(() -> ConfigParser.parse(binary)).hasMessageContaining("not text");
        Path latin1 = Files.write(dir.resolve("latin1.conf"), "user m\u00e9\n".getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigParser.parse(latin1)).hasMessageContaining("not UTF-8");
        Path big = dir.resolve("big.conf");
        try (var out = Files.newBufferedWriter(big)) {
            String line = "sys_interval 10\n";
            for (int i = 0; i <= ConfigParser.MAX_BYTES / line.length(); i++) {
                out.write(line);
            }
        }
        assertThatThrownBy(() -> ConfigParser.parse(big)).hasMessageContaining("larger than");
        assertThatThrownBy(() -> ConfigParser.parse(dir)).hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> ConfigParser.parse(dir.resolve("absent.conf"))).isInstanceOf(ConfigException.class);
        Path empty = Files.writeString(dir.resolve("empty.conf"), "# only a comment\n");
        assertThatThrownBy(() -> ConfigParser.parse(empty)).hasMessageContaining("no Mosquitto option");
    }

    /** A FIFO named *.conf in include_dir would block a reader forever: it is skipped, as for Mosquitto. */
    @Test
    void aFifoInIncludeDirDoesNotHangTheLinter() throws Exception {
        Path confd = Files.createDirectories(dir.resolve("conf.d"));
        Process mkfifo = new ProcessBuilder("mkfifo", confd.resolve("trap.conf").toString()).start();
        assertThat(mkfifo.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        fx.write("conf.d/real.conf", "sys_interval 10");
        Path f = conf(base(), "include_dir " + confd);
        MosquittoConfig config = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(10), () -> ConfigParser.parse(f));
        assertThat(config.files()).extracting(p -> p.getFileName().toString())
                .containsExactly(f.getFileName().toString(), "real.conf");
        assertThatThrownBy(() -> ConfigParser.parse(confd.resolve("trap.conf")))
                .hasMessageContaining("not a regular file");
    }

    /** Many included files, each under the per-file limit, are refused once together over the total limit. */
    @Test
    void includedFilesTogetherAreBounded() throws IOException {
        Path confd = Files.createDirectories(dir.resolve("conf.d"));
        String line = "sys_interval 10\n";
        String body = line.repeat((int) (3L * 1024 * 1024 / line.length()));
        for (int i = 0; i < 6; i++) {
            Files.writeString(confd.resolve("big-" + i + ".conf"), body);
        }
        Path f = conf(base(), "include_dir " + confd);
        assertThat(fx.lint(f)).anySatisfy(x -> {
            assertThat(x.rule()).isEqualTo(Linter.RULE_CONFIG_ERROR);
            assertThat(x.message()).contains("larger than 16 MiB");
        });
    }

    /** A path with an escape sequence is printed with the control characters replaced. */
    @Test
    void controlCharactersInValuesDoNotReachTheTerminal() {
        List<String> b = base();
        b.replaceAll(s -> s.startsWith("certfile") ? "certfile " + dir.resolve("x\u001b]0;owned\u0007\u001b[2J.crt") : s);
        Path f = conf(b);
        java.io.StringWriter out = new java.io.StringWriter();
        int code = LintMain.run(new String[] {f.toString()}, new java.io.PrintWriter(out),
                new java.io.PrintWriter(new java.io.StringWriter()));
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("[tls-file-missing]").contains("x?]0;owned??[2J.crt")
                .doesNotContain("\u001b").doesNotContain("\u0007");
    }

    @Test
    void includeDirOrderIsMosquittos() {
        List<String> names = new ArrayList<>(List.of("b.conf", "A.conf", "01.conf", "a.conf", "B.conf", "00.conf"));
        names.sort(ConfigParser::mosquittoOrder);
        assertThat(names).containsExactly("00.conf", "01.conf", "A.conf", "a.conf", "B.conf", "b.conf");
    }
}
