package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The audit feature boots with the gateway and records what go-auth is answered; it can go while
 * the gateway keeps deciding, and come back live, continuing the same chain. Only the shell and the
 * HTTP wire are used, so the probe does not wire to bundles that are uninstalled.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuditFeatureIT extends WardenTestSupport {

    private static final String JSON = "application/json";

    @Inject
    protected FeaturesService features;

    @Test
    public void auditRecordsDecisionsGoesAndComesBackLiveWithTheChainIntact() throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/health").status() == 200);
        assertTrue("booted with the gateway", features.isInstalled(features.getFeature("warden-audit")));

        assertEquals(403, post("/user", JSON, userBody("admin", "not the admin password")).status());
        assertEquals(403, post("/acl", JSON, aclBody("intruder", "plant/secret/valve", 2)).status());
        // security-relevant events are committed before the answer: they are there at once
        String tail = shell("warden:audit-tail -n 50");
        assertTrue(tail, tail.contains("auth.bad-password") && tail.contains("plant/secret/valve"));
        String stats = shell("warden:audit-stats");
        assertTrue(stats, stats.contains("AUTH") && stats.contains("ACL"));
        assertTrue(shell("warden:audit-verify").startsWith("OK"));
        String metrics = get("/metrics").body();
        assertTrue(metrics, metrics.contains("warden_audit_events_written_total"));

        // keep the HTTP backend, drop the rest of "warden" (the audit)
        features.installFeature("warden-http");
        features.uninstallFeature("warden");
        assertFalse(features.isInstalled(features.getFeature("warden-audit")));
        assertEquals("the gateway keeps deciding", 403,
                post("/acl", JSON, aclBody("intruder", "plant/secret/valve", 2)).status());
        assertEquals(200, get("/health").status());
        await().atMost(Duration.ofSeconds(10)).until(() -> !commandExists("warden:audit-tail -n 1"));

        features.installFeature("warden-audit");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> shell("warden:audit-verify").startsWith("OK"));
        assertEquals(403, post("/acl", JSON, aclBody("intruder", "plant/after/reinstall", 2)).status());
        assertTrue(shell("warden:audit-tail -n 5").contains("plant/after/reinstall"));
        String verified = shell("warden:audit-verify");
        assertTrue("one chain across the reinstall: " + verified, verified.startsWith("OK"));
        assertTrue(shell("warden:audit-search --topic plant/secret/valve").contains("plant/secret/valve"));
    }

    private boolean commandExists(String command) {
        try {
            shell(command);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
