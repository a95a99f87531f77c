package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Test;

/**
 * The README's commands, run as a script runs them (no terminal anywhere), through {@code bin/warden} on the
 * assembly as shipped: the tar.gz unpacked under {@code target/}, default settings but for two free ports (HTTP
 * backend, SSH shell), started with {@code bin/karaf server} as {@code ./gateway} does without a terminal.
 * <ol>
 * <li>The files the README's installation names ({@code /opt/mqtt-warden/...}) are in the assembly.</li>
 * <li>First start, the README's steps in order: the password prompt of {@code bin/warden user-passwd admin} is
 * refused with the way out named, the password is changed through {@code --password-stdin}, the initial-secrets
 * file deleted; the secrets were printed on the console.</li>
 * <li>Every {@code bin/warden} line of the README's code blocks, exactly as written and in the README's order:
 * exit status 0 (1 where the README says DENY) and key output. A line added to the README is run too; a line
 * this test expects output of and the README no longer has fails the test.</li>
 * <li>{@code bin/warden --help} lists every command the README names; its own examples run; the README's prose
 * examples (options after an argument, {@code && echo allowed}).</li>
 * <li>{@code bin/status} and {@code bin/stop}; a restart: state kept, the secrets not printed again, the audit
 * chain verified against the anchors the log recorded at the stop; a stop by SIGTERM (a service manager).</li>
 * <li>{@code data/log/karaf.log} has no WARN and no ERROR line after the first start with these commands, after
 * the stop, and after the restart and its stop.</li>
 * </ol>
 * No Pax Exam here: it would add its own bundles and settings to the gateway under test.
 */
public class ReadmeCommandsIT {

    /**
     * A WARN or worse in karaf.log: Log4j lines ({@code <time> | WARN  | <thread> | ...}) and, from before
     * logging starts, Karaf Main's java.util.logging lines ({@code WARNING: ...}, {@code SEVERE: ...}).
     */
    static final Pattern LOG_PROBLEM =
            Pattern.compile("^(\\S+\\s*\\|\\s*(WARN|ERROR|FATAL)\\s*\\||(WARNING|SEVERE): )");
    /** A README code line this test runs: {@code bin/warden ...}, or a password piped into it. */
    private static final Pattern WARDEN_LINE = Pattern.compile("^(bin/warden |(echo|printf) .*\\| bin/warden ).*");
    /** A trailing shell comment of a code line (a '#' inside a topic filter is not one). */
    private static final Pattern COMMENT = Pattern.compile("\\s+#\\s.*$");
    private static final String NEW_ADMIN_PASSWORD = "the first admin password a script sets";
    private static final String BANNER = "MQTT Warden: first start";
    /** An example command line in bin/warden --help (not a placeholder like {@code <command>}). */
    private static final Pattern HELP_EXAMPLE = Pattern.compile("(bin/warden [a-z][^<(]*)");

    /** README lines (without their comment) and what they must print; each must be in the README verbatim. */
    private static final Map<String, List<String>> PRINTS = new LinkedHashMap<>();
    /** README lines that must exit 1 (a DENY); every other line must exit 0. */
    private static final Set<String> DENIED = Set.of(
            "bin/warden acl-check --client-id plc-7 plc-7 plant/line1/cmd/stop write");

    static {
        PRINTS.put("bin/warden user-add --role sensor --generate plc-7",
                List.of("Created account plc-7", "Generated password (shown once): wd1_"));
        PRINTS.put("echo 'a long operator password' | bin/warden user-add --role viewer --email ops@example.org"
                + " --password-stdin alice", List.of("Created account alice"));
        PRINTS.put("bin/warden acl-add --role viewer -c \"dashboards\" 'plant/+/temp' read",
                List.of("role:viewer read plant/+/temp"));
        PRINTS.put("bin/warden acl-add --user plc-7 'plant/line1/cmd/#' deny",
                List.of("user:plc-7 deny plant/line1/cmd/#"));
        PRINTS.put("bin/warden acl-check --client-id plc-7 plc-7 plant/line1/cmd/stop write",
                List.of("DENY write plant/line1/cmd/stop", "user:plc-7 deny plant/line1/cmd/#"));
        PRINTS.put("bin/warden user-list", List.of("plc-7", "alice", "ops@example.org"));
        PRINTS.put("bin/warden audit-tail -n 20", List.of("account.password", "acl.add"));
        PRINTS.put("bin/warden audit-stats --since 24h", List.of("ADMIN_CHANGE"));
        PRINTS.put("bin/warden audit-export --format csv --since 2026-11-01 /tmp/audit.csv", List.of("Exported"));
        PRINTS.put("bin/warden audit-verify", List.of("the chain is intact"));
        PRINTS.put("bin/warden audit-verify --anchors-from data/log/karaf.log", List.of("the chain is intact"));
        PRINTS.put("bin/warden lockout-clear plc-7", List.of("plc-7"));
        PRINTS.put("bin/warden user-add --email erin@example.org --invite --role viewer erin",
                List.of("Created invited account erin"));
        PRINTS.put("bin/warden totp-enroll --no-qr alice", List.of("otpauth://totp/MQTT%20Warden:alice?secret="));
        PRINTS.put("bin/warden totp-list", List.of("alice"));
        PRINTS.put("bin/warden key-create --prefix plant/secure", List.of("Created key"));
        PRINTS.put("bin/warden key-list", List.of("plant/secure"));
        PRINTS.put("echo 'a one-time passphrase for boiler-1' | bin/warden key-export --prefix plant/secure --out"
                + " boiler-1.export --passphrase-stdin", List.of("Wrote key"));
    }

    private Path home;
    private Process karaf;
    private int httpPort;
    private boolean passed;

    @Test
    public void theReadmeCommandsWorkFromAScriptAndTheLogStaysClean() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("warden.readme")), StandardCharsets.UTF_8);
        List<String> lines = wardenLines(readme);
        for (String expected : PRINTS.keySet()) {
            assertTrue("the README no longer has: " + expected, lines.contains(expected));
        }
        unpack();
        // the files the README's installation names (as /opt/mqtt-warden/...) are in the assembly
        Matcher installed = Pattern.compile("/opt/mqtt-warden/([\\w./-]+)")
                .matcher(String.join("\n", codeLines(readme)));
        while (installed.find()) {
            assertTrue("the README names " + installed.group() + ": not in the assembly",
                    Files.exists(home.resolve(installed.group(1))));
        }

        // First start, as the README says: start, change the admin password (a script has no terminal to type it
        // on: refused, naming the ways that work), then the initial-secrets file may go.
        start("console-1.out");
        String userPasswd = "bin/warden user-passwd admin";
        assertTrue("the README's first-start step", readme.contains("`" + userPasswd + "`"));
        Run prompt = sh(userPasswd);
        assertEquals(prompt.toString(), 1, prompt.status());
        assertTrue(prompt.toString(), prompt.output().contains("--password-stdin")
                && prompt.output().contains("--generate") && prompt.output().contains("nothing was changed"));
        Path initial = home.resolve("etc/warden-credentials.properties");
        // written by the first start right after the key bin/warden waited for
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(initial));
        Properties secrets = new Properties();
        try (InputStream in = Files.newInputStream(initial)) {
            secrets.load(in);
        }
        String firstPassword = secrets.getProperty("mqtt.admin.password");
        assertTrue("the first start printed the secrets on the console",
                Files.readString(home.resolve("console-1.out")).contains(firstPassword));
        Run changed = sh("printf '%s\\n' \"$PW\" | bin/warden user-passwd --password-stdin admin",
                Map.of("PW", NEW_ADMIN_PASSWORD));
        assertEquals(changed.toString(), 0, changed.status());
        assertTrue(changed.toString(), changed.output().contains("Password of admin changed"));
        Files.delete(initial);
        // a first typed-password login from a new source needs the login budget: bounded wait
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> login("admin", NEW_ADMIN_PASSWORD) == 200);
        assertEquals("the initial password no longer works", 403, login("admin", firstPassword));

        // Every bin/warden line of the README's code blocks, in order, exactly as written; only the export goes
        // to this gateway's folder instead of the host's /tmp (several checkouts may run the tests at once).
        Path export = home.resolve("audit.csv");
        for (String line : lines) {
            Run run = sh(line.replace(" /tmp/audit.csv", " " + export));
            assertEquals(run.toString(), DENIED.contains(line) ? 1 : 0, run.status());
            for (String text : PRINTS.getOrDefault(line, List.of())) {
                assertTrue(run + "\nmust print: " + text, run.output().contains(text));
            }
        }
        assertTrue("the export wrote a CSV file", Files.readAllLines(export).size() > 1);
        // the README's key export, taken over on a device by bin/warden-mqtt (a plain JVM) with its passphrase
        Path exported = home.resolve("boiler-1.export");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(exported)));
        Run imported = sh("echo 'a one-time passphrase for boiler-1' | bin/warden-mqtt import-key --in"
                + " boiler-1.export --out boiler-1.key");
        assertEquals(imported.toString(), 0, imported.status());
        assertTrue(imported.toString(), imported.output().contains("topic prefix 'plant/secure'"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                home.resolve("boiler-1.key"))));

        // The README's prose: --help lists the commands it names; <command> --help; options after an argument
        // are refused with the command line in the right order; acl-check's exit status in a script.
        Run help = sh("bin/warden --help");
        assertEquals(help.toString(), 0, help.status());
        for (String command : namedCommands(readme)) {
            assertTrue(help + "\nmust list: " + command, help.output().contains("  " + command + " "));
        }
        // the examples --help gives, as printed (its note in parentheses aside): dev1 becomes a sensor
        List<String> examples = help.output().lines().map(l -> HELP_EXAMPLE.matcher(l))
                .filter(Matcher::find).map(m -> m.group(1).trim()).collect(Collectors.toList());
        assertEquals(help.toString(), List.of("bin/warden user-add --role sensor --generate dev1",
                "bin/warden acl-check --client-id c1 dev1 dev1/temp write"), examples);
        for (String example : examples) {
            Run run = sh(example);
            assertEquals(run.toString(), 0, run.status());
        }
        Run commandHelp = sh("bin/warden user-add --help");
        assertEquals(commandHelp.toString(), 0, commandHelp.status());
        assertTrue(commandHelp.toString(), commandHelp.output().contains("--password-stdin"));
        assertTrue(readme.contains("`user-add alice --role sensor`"));
        Run misordered = sh("bin/warden user-add alice --role sensor");
        assertNotEquals(misordered.toString(), 0, misordered.status());
        assertTrue(misordered.toString(), misordered.output().contains("user-add --role sensor alice"));
        String allowed = "bin/warden acl-check dev1 dev1/t write && echo allowed";
        assertTrue(readme.contains("`" + allowed + "`"));
        Run allow = sh(allowed);
        assertEquals(allow.toString(), 0, allow.status());
        assertTrue(allow.toString(), allow.output().startsWith("ALLOW") && allow.output().endsWith("allowed\n"));
        Run deny = sh(allowed.replace("dev1/t", "dev2/t"));
        assertEquals(deny.toString(), 1, deny.status());
        assertTrue(deny.toString(), deny.output().startsWith("DENY") && !deny.output().contains("allowed"));
        // on a terminal (script(1) gives bin/warden one), user-add prompts for a password, except for an
        // invitation, which has none: it must not wait for one (stdin is at EOF, so a prompt would fail it)
        Run invite = sh("script -qec 'bin/warden user-add --email frank@example.org --invite --role viewer frank'"
                + " /dev/null");
        assertEquals(invite.toString(), 0, invite.status());
        assertTrue(invite.toString(), invite.output().contains("Created invited account frank")
                && !invite.output().contains("Password:"));

        assertCleanLog("the first start and the README's commands");
        Run status = sh("bin/status");
        assertEquals(status.toString(), 0, status.status());
        stop(true);
        assertNotEquals("bin/status after bin/stop", 0, sh("bin/status").status());
        assertCleanLog("bin/stop");

        // Restart: state kept, no secret printed again, the anchor the stop logged verifies.
        start("console-2.out");
        Run list = sh("bin/warden user-list");
        assertEquals(list.toString(), 0, list.status());
        assertTrue(list.toString(), list.output().contains("plc-7") && list.output().contains("alice"));
        Run anchored = sh("bin/warden audit-verify --anchors-from data/log/karaf.log");
        assertEquals(anchored.toString(), 0, anchored.status());
        assertTrue(anchored.toString(), Pattern.compile("Anchors read from the log files: [1-9]")
                .matcher(anchored.output()).find());
        assertEquals(200, login("admin", NEW_ADMIN_PASSWORD));
        stop(false);
        assertFalse("secrets are printed on the first start only",
                Files.readString(home.resolve("console-2.out")).contains(BANNER));
        assertCleanLog("the restart and its stop");
        passed = true;
    }

    @Test
    public void theLogCheckSeesWarningsOfBothLogFormats() {
        List<String> problems = List.of(
                "2026-11-29T22:49:32,041 | WARN  | FelixStartLevel  | Store                            | 12 - x | m",
                "2026-11-29T22:49:32,041 | ERROR | FelixStartLevel  | Store                            | 12 - x | m",
                "WARNING: Karaf Main could not lock", "SEVERE: Could not launch framework");
        List<String> fine = List.of(
                "2026-11-29T22:49:32,041 | INFO  | FelixStartLevel  | WARN                             | 12 - x | m",
                "INFO: Installing and starting initial bundles", "  WARNING: in a stack trace's message");
        problems.forEach(l -> assertTrue(l, LOG_PROBLEM.matcher(l).find()));
        fine.forEach(l -> assertFalse(l, LOG_PROBLEM.matcher(l).find()));
    }

    @After
    public void stopAndCleanUp() throws Exception {
        if (karaf != null && karaf.isAlive()) {
            stop(false);
        }
        if (passed && home != null) {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } else if (home != null) {
            System.out.println("ReadmeCommandsIT: the gateway's folder is kept for a look: " + home);
        }
    }

    /** The lines of the README's sh code blocks that run bin/warden, without their comments, in order. */
    static List<String> wardenLines(String readme) {
        List<String> lines = codeLines(readme).stream().map(l -> COMMENT.matcher(l).replaceFirst("").trim())
                .filter(l -> WARDEN_LINE.matcher(l).matches()).collect(Collectors.toList());
        assertTrue("the README has bin/warden examples", lines.size() >= 10);
        return lines;
    }

    /** The lines of the README's sh code blocks, in order. */
    static List<String> codeLines(String readme) {
        List<String> lines = new ArrayList<>();
        boolean inBlock = false;
        for (String line : readme.split("\n")) {
            if (line.startsWith("```")) {
                inBlock = !inBlock && line.trim().equals("```sh");
            } else if (inBlock) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The command names the README lists in its "Commands:" paragraph and uses in its code blocks. */
    static Set<String> namedCommands(String readme) {
        Set<String> names = new TreeSet<>();
        Matcher paragraph = Pattern.compile("\nCommands: (.*?)\\. The same commands", Pattern.DOTALL).matcher(readme);
        assertTrue("the README's list of commands", paragraph.find());
        Matcher name = Pattern.compile("`([a-z]+(-[a-z]+)+)").matcher(paragraph.group(1));
        while (name.find()) {
            names.add(name.group(1));
        }
        for (String line : wardenLines(readme)) {
            Matcher used = Pattern.compile("bin/warden ([a-z-]+)").matcher(line);
            if (used.find()) {
                names.add(used.group(1));
            }
        }
        assertTrue(names.toString(), names.size() >= 16);
        return names;
    }

    private void unpack() throws Exception {
        String version = System.getProperty("warden.version");
        Path tarball = Path.of(System.getProperty("maven.repo.local"), "org", "mqttwarden", "warden-karaf-assembly",
                version, "warden-karaf-assembly-" + version + ".tar.gz");
        assertTrue("the assembly is built and installed: " + tarball, Files.isRegularFile(tarball));
        // under target/ with karaf.pid in it: ./run-tests ends a gateway an interrupted run left behind
        home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "readme-gateway-");
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", home.toString(),
                "--strip-components=1").redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("tar ended", tar.waitFor(60, TimeUnit.SECONDS));
        assertEquals(out, 0, tar.exitValue());
        httpPort = freePort();
        setKey(home.resolve("etc/org.mqttwarden.http.cfg"), "port", httpPort);
        setKey(home.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort", freePort());
        // the recovery listener's key is shipped commented out: a line of our own, after it, sets it
        Files.writeString(home.resolve("etc/org.mqttwarden.otp.cfg"), "\nhttp.port = " + freePort() + "\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * Starts the gateway as ./gateway does from a script and returns at once: the first bin/warden call that
     * follows must wait for the starting gateway by itself (before its JVM has written karaf.pid, and on a
     * restart while the file still names the old, ended JVM), as the README promises.
     */
    private void start(String console) throws Exception {
        karaf = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve(console).toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /**
     * Stops the gateway with bin/stop (the README's way, the systemd unit's ExecStop; it returns at once), else as
     * a service manager does (SIGTERM to the JVM), and waits for bin/karaf to end.
     */
    private void stop(boolean binStop) throws Exception {
        long started = System.nanoTime();
        long pid = gatewayPid();
        if (binStop) {
            Run run = sh("bin/stop");
            assertEquals(run.toString(), 0, run.status());
        } else {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
        if (!karaf.waitFor(60, TimeUnit.SECONDS)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            karaf.destroyForcibly();
            fail("the gateway did not stop within 60 s");
        }
        System.out.println("(gateway stopped in " + (System.nanoTime() - started) / 1_000_000 + " ms)");
    }

    private long gatewayPid() {
        try {
            return Long.parseLong(Files.readString(home.resolve("karaf.pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The one line of Karaf's shell-core stop failure caused by gogo's weak session map (see assertCleanLog). */
    private static final String GOGO_STOP_RACE = "Cannot invoke \"org.apache.felix.service.command.CommandSession"
            + ".close()\" because \"session\" is null";

    private void assertCleanLog(String after) throws IOException {
        List<String> problems;
        try (Stream<Path> logs = Files.list(home.resolve("data/log"))) {
            problems = logs.filter(f -> f.getFileName().toString().startsWith("karaf.log"))
                    .flatMap(ReadmeCommandsIT::lines).filter(l -> LOG_PROBLEM.matcher(l).find())
                    .collect(Collectors.toList());
        }
        if (problems.stream().anyMatch(l -> l.contains(GOGO_STOP_RACE))) {
            // Karaf's own shell bundle sometimes fails its stop when the framework shuts down: gogo's
            // CommandProcessorImpl.stop (line 114) meets a null session among those it closes. A race inside
            // Karaf 4.4.10 / gogo, not in a Warden bundle, seen once in about ten runs (2026-11-30). Only those
            // lines of org.apache.karaf.shell.core are left out; any other WARN or ERROR still fails the test.
            problems = problems.stream().filter(l -> !l.contains("org.apache.karaf.shell.core")).toList();
        }
        assertEquals("WARN/ERROR lines in data/log/karaf.log after " + after + ":\n" + String.join("\n", problems),
                List.of(), problems);
    }

    private static Stream<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Run(String line, int status, String output, long millis) {
        @Override
        public String toString() {
            return "$ " + line + "\n(exit status " + status + ", " + millis + " ms)\n" + output;
        }
    }

    private Run sh(String line) throws Exception {
        return sh(line, Map.of());
    }

    /** Runs a line with bash in the gateway's folder, no terminal: stdin /dev/null, output to a pipe. */
    private Run sh(String line, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", line).directory(home.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("WARDEN_") || k.startsWith("KARAF_"));
        pb.environment().putAll(env);
        long started = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("did not finish: " + line + "\n" + out);
        }
        Run run = new Run(line, p.exitValue(), out, (System.nanoTime() - started) / 1_000_000);
        System.out.println(run); // the transcript: target/failsafe-reports/...ReadmeCommandsIT-output.txt
        return run;
    }

    private int login(String user, String password) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + httpPort + "/user").openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setConnectTimeout(2000);
        c.setReadTimeout(10000);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream os = c.getOutputStream()) {
            os.write(("{\"clientid\":\"readme-it\",\"password\":\"" + password + "\",\"username\":\"" + user + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return c.getResponseCode();
    }

    private static void setKey(Path cfg, String key, int value) throws IOException {
        String text = Files.readString(cfg, StandardCharsets.UTF_8);
        Pattern line = Pattern.compile("(?m)^" + Pattern.quote(key) + "\\s*=.*$");
        assertEquals(cfg + " sets " + key + " once", 1, line.matcher(text).results().count());
        Files.writeString(cfg, line.matcher(text).replaceFirst(key + " = " + value), StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
