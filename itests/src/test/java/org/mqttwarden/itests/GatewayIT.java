package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.mqttwarden.api.account.AccountService;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/** The assembly as shipped: every bundle active, the shell adds users, go-auth gets answers. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GatewayIT extends WardenTestSupport {

    private static final String JSON = "application/json";
    private static final Pattern GENERATED = Pattern.compile("Generated password \\(shown once\\): (\\S+)");

    @Inject
    protected AccountService accounts;

    private void awaitServing() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/health").status() == 200);
    }

    @Test
    public void everyWardenBundleIsActive() {
        List<Bundle> warden = Arrays.stream(bundleContext.getBundles())
                .filter(b -> b.getSymbolicName().startsWith("warden-")).collect(Collectors.toList());
        assertEquals("warden bundles: " + warden, new java.util.TreeSet<>(List.of("warden-api", "warden-audit",
                "warden-alerts", "warden-auth", "warden-broker", "warden-crypto", "warden-http", "warden-lockout",
                "warden-otp", "warden-store")),
                warden.stream().map(Bundle::getSymbolicName).collect(Collectors.toCollection(java.util.TreeSet::new)));
        for (Bundle b : warden) {
            assertEquals(b.getSymbolicName() + " state", Bundle.ACTIVE, b.getState());
        }
        for (Bundle b : bundleContext.getBundles()) {
            if (b.getHeaders().get("Fragment-Host") == null) {
                assertEquals(b.getSymbolicName() + " is not active", Bundle.ACTIVE, b.getState());
            }
        }
    }

    @Test
    public void firstStartCreatedTheAdminsAndNoDefaultPasswordExists() throws Exception {
        Path etc = Paths.get(System.getProperty("karaf.etc"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(etc.resolve("warden-credentials.properties")));
        String users = Files.readString(etc.resolve("users.properties"), StandardCharsets.UTF_8);
        assertFalse("karaf/karaf must not exist", users.lines().anyMatch(l -> l.startsWith("karaf")));
        assertTrue("shell admin stored hashed", users.contains("warden-admin = {CRYPT}"));
        assertTrue(accounts.findAccount("admin").isPresent());
        assertEquals("127.0.0.1", readCfg(etc.resolve("org.mqttwarden.http.cfg"), "host"));
    }

    @Test
    public void aUserAddedThroughTheShellGetsDecisionsOverHttp() throws Exception {
        awaitServing();
        String out = shell("warden:user-add --role sensor --generate itest-dev");
        Matcher m = GENERATED.matcher(out);
        assertTrue("printed a generated password: " + out, m.find());
        String password = m.group(1);

        assertEquals(200, post("/user", JSON, userBody("itest-dev", password)).status());
        assertEquals(403, post("/user", JSON, userBody("itest-dev", password + "x")).status());
        assertEquals(403, post("/superuser", JSON, "{\"username\":\"itest-dev\"}").status());
        assertEquals(200, post("/acl", JSON, aclBody("itest-dev", "itest-dev/temp", 2)).status());
        assertEquals(403, post("/acl", JSON, aclBody("itest-dev", "other/temp", 2)).status());
        assertEquals(200, post("/acl", "application/x-www-form-urlencoded",
                "acc=4&clientid=c&topic=itest-dev%2F%23&username=itest-dev").status());

        shell("warden:acl-add --user itest-dev -c itest plant/+/temp read");
        String check = shell("warden:acl-check itest-dev plant/line1/temp read");
        assertTrue(check, check.startsWith("ALLOW") && check.contains("plant/+/temp"));
        assertEquals(200, post("/acl", JSON, aclBody("itest-dev", "plant/line1/temp", 1)).status());

        try {
            shell("warden:user-add --generate bad/name");
            fail("a bad username must fail the command");
        } catch (Exception expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("'/'"));
        }
        String list = shell("warden:user-list --no-format");
        assertTrue(list, list.contains("itest-dev") && !list.contains("bad/name"));
        String metrics = get("/metrics").body();
        assertTrue(metrics, metrics.contains("warden_decisions_total{endpoint=\"user\",result=\"allow\"}"));
    }

    private static final String SUPERUSER_ITEST_JSON = "{\"username\":\"itest-json\"}";

    @Test
    public void editingTheHttpConfigFileAppliesWithoutARestart() throws Exception {
        awaitServing();
        accounts.createAccount("itest-json", "correct horse battery", java.util.Set.of("viewer"), null, "itest");
        Path cfg = Paths.get(System.getProperty("karaf.etc"), "org.mqttwarden.http.cfg");
        String original = Files.readString(cfg, StandardCharsets.UTF_8);
        try {
            Files.writeString(cfg, original.replaceAll("(?m)^response\\.mode\\s*=.*$", "response.mode = json"),
                    StandardCharsets.UTF_8);
            // polled on /superuser: wrong passwords every 200 ms would be a guessing attack (budget, lockout)
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> post("/superuser", JSON, SUPERUSER_ITEST_JSON).body()
                            .equals("{\"ok\":false,\"error\":\"denied\"}"));
            // a first login with a typed password (bcrypt) from a new source shares the login budget with
            // other such logins of the last second (other tests'): refused at once while it is spent
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                    .until(() -> post("/user", JSON, userBody("itest-json", "correct horse battery")).status() == 200);
            Answer ok = post("/user", JSON, userBody("itest-json", "correct horse battery"));
            assertEquals(200, ok.status());
            assertEquals("{\"ok\":true,\"error\":\"\"}", ok.body());
            assertEquals("{\"ok\":false,\"error\":\"denied\"}",
                    post("/user", JSON, userBody("itest-json", "wrong password!")).body());
        } finally {
            Files.writeString(cfg, original, StandardCharsets.UTF_8);
            // a denial is 403 in every mode: wait for the status mode's empty body, i.e. the restarted server
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> post("/superuser", JSON, SUPERUSER_ITEST_JSON).body().isEmpty());
        }
    }

    @Test
    public void onlyShellAdminsMayChangeAccountsWhileViewersMayLook() throws Exception {
        awaitServing();
        String list = shellAs("warden:user-list --no-format", "viewer");
        assertTrue(list, list.contains("admin"));
        try {
            shellAs("warden:user-add --generate itest-sneaky", "viewer");
            fail("a viewer must not add accounts");
        } catch (Exception expected) {
            assertFalse(accounts.findAccount("itest-sneaky").isPresent());
        }
    }

    @Test
    public void binWardenRunsCommandsNonInteractivelyWithTheirExitStatus() throws Exception {
        awaitServing();
        // no wait for etc/warden-admin.key: on a first start bin/warden itself waits for it while the shell listens
        Run added = binWarden("correct horse battery staple\n", "user-add", "--role", "sensor", "--password-stdin",
                "itest-cli");
        assertEquals(added.output, 0, added.status);
        assertTrue(added.output, added.output.contains("Created account itest-cli"));
        // a first typed-password login from a new source may meet a login budget spent by other tests' logins
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(
                () -> post("/user", JSON, userBody("itest-cli", "correct horse battery staple")).status() == 200);

        Run topic = binWarden("", "acl-check", "itest-cli", "itest-cli/#", "subscribe");
        assertEquals(topic.output, 0, topic.status);
        assertTrue(topic.output, topic.output.startsWith("ALLOW"));

        Run duplicate = binWarden("", "user-add", "--generate", "itest-cli");
        assertTrue("a failed command exits non-zero", duplicate.status != 0);
        assertTrue(duplicate.output, duplicate.output.contains("already exists"));
        assertFalse("nothing generated for a refused account", duplicate.output.contains("Generated password"));
    }

    private record Run(int status, String output) {
    }

    private static Run binWarden(String stdin, String... args) throws Exception {
        Path home = Paths.get(System.getProperty("karaf.home"));
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(home.resolve("bin/warden").toString());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("WARDEN_SSH_PORT", Integer.toString(SSH_PORT_IN_CONTAINER));
        pb.environment().put("KARAF_ETC", System.getProperty("karaf.etc"));
        Process p = pb.start();
        try (java.io.OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("bin/warden did not finish: " + out);
        }
        return new Run(p.exitValue(), out);
    }

    private static String readCfg(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] kv = line.split("=", 2);
            if (kv.length == 2 && kv[0].trim().equals(key)) {
                return kv[1].trim();
            }
        }
        return null;
    }
}
