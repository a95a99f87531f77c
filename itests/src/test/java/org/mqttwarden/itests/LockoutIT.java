package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The booted gateway locks an account after five wrong passwords over go-auth's wire, refuses the
 * right one while locked, shows the lock in the shell and the audit, and lets an admin clear it; the lock
 * raises an alert that the audit keeps and {@code warden:alert-list} and {@code /metrics} show; the rules
 * change live through Configuration Admin, and a configuration over the hourly ceiling is refused.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LockoutIT extends WardenTestSupport {

    private static final String JSON = "application/json";
    private static final Pattern GENERATED = Pattern.compile("Generated password \\(shown once\\): (\\S+)");

    @Test
    public void fiveWrongPasswordsLockTheAccountUntilAnAdminClearsIt() throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/health").status() == 200);
        Matcher m = GENERATED.matcher(shell("warden:user-add --role sensor --generate itest-locked"));
        assertTrue(m.find());
        String password = m.group(1);
        assertEquals(200, post("/user", JSON, userBody("itest-locked", password)).status());

        for (int i = 0; i < 5; i++) {
            assertEquals(403, post("/user", JSON, userBody("itest-locked", "wrong guess number " + i)).status());
        }
        assertEquals("the right password does not get in while locked", 403,
                post("/user", JSON, userBody("itest-locked", password)).status());

        String list = shell("warden:lockout-list --no-format");
        assertTrue(list, list.contains("itest-locked"));
        String audit = shell("warden:audit-search --type LOCKOUT --no-format");
        assertTrue(audit, audit.contains("lockout.account-locked") && audit.contains("itest-locked"));

        shell("warden:lockout-clear itest-locked");
        assertEquals(200, post("/user", JSON, userBody("itest-locked", password)).status());
        assertTrue(shell("warden:audit-verify").startsWith("OK"));
    }

    @Test
    public void withoutItsLoginGuardTheGatewayRefusesEveryLoginWithAnErrorAndDecidesTheRest() throws Exception {
        String password = newAccount("itest-guarded");
        assertEquals(200, post("/user", JSON, userBody("itest-guarded", password)).status());
        Bundle lockout = Arrays.stream(bundleContext.getBundles())
                .filter(b -> "warden-lockout".equals(b.getSymbolicName())).findFirst().orElseThrow();
        lockout.stop();
        try {
            // login.guard.required = true in the assembly: fail closed, an error go-auth never takes for a yes
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> post("/user", JSON, userBody("itest-guarded", password)).status() == 503);
            assertEquals(503, post("/user", JSON, userBody("nobody", "whatever it is")).status());
            assertEquals("ACL decisions go on", 200,
                    post("/acl", JSON, aclBody("itest-guarded", "itest-guarded/t", 2)).status());
        } finally {
            lockout.start();
        }
        await().atMost(Duration.ofSeconds(10)).until(
                () -> post("/user", JSON, userBody("itest-guarded", password)).status() == 200);
    }

    private String newAccount(String name) throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/health").status() == 200);
        Matcher m = GENERATED.matcher(shell("warden:user-add --role sensor --generate " + name));
        assertTrue(m.find());
        return m.group(1);
    }

    /** As the gateway's shell admin would (group admingroup: config needs the manager role). */
    private void setMaxFailures(int n) throws Exception {
        shellAs("config:property-set -p org.mqttwarden.lockout account.max.failures " + n, "admin", "manager",
                "viewer");
    }

    private static long counter(String name) throws Exception {
        return get("/metrics").body().lines().filter(l -> l.startsWith(name + " "))
                .mapToLong(l -> Long.parseLong(l.substring(name.length() + 1).trim())).findFirst().orElse(-1);
    }

    private static boolean metric(String line) throws Exception {
        return get("/metrics").body().lines().anyMatch(line::equals);
    }

    @Test
    public void aLockRaisesAnAlertThatTheAuditKeepsAndTheShellAndMetricsShow() throws Exception {
        String password = newAccount("itest-alerted");
        // guesses from the client id the device logged in from are counted at once (from sources it never
        // logged in from they share the login budget, and beyond it are refused without being counted)
        assertEquals(200, post("/user", JSON, userBody("itest-alerted", password)).status());
        for (int i = 0; i < 5; i++) {
            assertEquals(403, post("/user", JSON, userBody("itest-alerted", "wrong guess " + i)).status());
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String list = shell("warden:alert-list --no-format");
            return list.contains("alert.brute-force") && list.contains("itest-alerted");
        });
        String audit = shell("warden:audit-search --type ALERT --no-format");
        assertTrue(audit, audit.contains("alert.brute-force") && audit.contains("itest-alerted"));
        String metrics = get("/metrics").body();
        assertTrue(metrics, metrics.contains("warden_alerts_raised_brute_force_total "));
        assertTrue(metrics, metrics.contains("warden_lockout_account_locks_total "));
        assertTrue(metrics, metrics.lines().anyMatch(l -> l.startsWith("warden_alerts_logins_unjudged_total ")));
        assertTrue(metrics, !metrics.contains(password));
        shell("warden:lockout-clear itest-alerted");
    }

    @Test
    public void rulesChangeLiveAndAConfigurationOverTheHourlyCeilingIsRefused() throws Exception {
        String password = newAccount("itest-live");
        try {
            setMaxFailures(3);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> metric("warden_lockout_policy_account_max_failures 3"));
            assertEquals(200, post("/user", JSON, userBody("itest-live", password)).status());
            for (int i = 0; i < 3; i++) {
                assertEquals(403, post("/user", JSON, userBody("itest-live", "wrong guess " + i)).status());
            }
            assertEquals("locked after three", 403, post("/user", JSON, userBody("itest-live", password)).status());

            // 100 failures per 15-minute window would allow well over 100 an hour: refused, the 3 stays
            long refused = counter("warden_lockout_config_refused_total");
            setMaxFailures(100);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> counter("warden_lockout_config_refused_total") > refused);
            assertTrue(metric("warden_lockout_policy_account_max_failures 3"));
            long worst = get("/metrics").body().lines()
                    .filter(l -> l.startsWith("warden_lockout_policy_worst_case_failures_per_hour "))
                    .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1).trim())).findFirst().orElse(-1);
            assertTrue("worst case in force: " + worst, worst >= 3 && worst <= 100);
        } finally {
            setMaxFailures(5);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> metric("warden_lockout_policy_account_max_failures 5"));
            shell("warden:lockout-clear itest-live");
        }
        assertEquals(200, post("/user", JSON, userBody("itest-live", password)).status());
    }

    @Test
    public void oneMetatypeDescribesEveryKeyOfThePid() throws Exception {
        Bundle lockout = Arrays.stream(bundleContext.getBundles())
                .filter(b -> "warden-lockout".equals(b.getSymbolicName())).findFirst().orElseThrow();
        String xml = entry(lockout, "OSGI-INF/metatype/org.mqttwarden.lockout.LockoutGuard$Config.xml");
        for (String key : new String[] {"account.max.failures", "source.trust.days"}) {
            assertTrue(key, xml.contains("id=\"" + key + "\""));
        }
        assertTrue("the alert keys moved to warden-alerts", !xml.contains("alert."));
        assertEquals("one OCD for the PID", 1, Collections.list(lockout.findEntries("OSGI-INF/metatype", "*.xml",
                false)).size());
        Bundle alerts = Arrays.stream(bundleContext.getBundles())
                .filter(b -> "warden-alerts".equals(b.getSymbolicName())).findFirst().orElseThrow();
        String alertXml = entry(alerts, "OSGI-INF/metatype/org.mqttwarden.alerts.AlertDetector$Config.xml");
        for (String key : new String[] {"alert.brute.failures", "alert.mqtt.enabled", "alert.mqtt.credentials.file"}) {
            assertTrue(key, alertXml.contains("id=\"" + key + "\""));
        }
        assertTrue("designated to the alerts PID", alertXml.contains("<Designate pid=\"org.mqttwarden.alerts\">"));
    }

    private static String entry(Bundle bundle, String path) throws Exception {
        URL entry = bundle.getEntry(path);
        assertTrue(path + " in " + bundle.getSymbolicName(), entry != null);
        try (InputStream in = entry.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
