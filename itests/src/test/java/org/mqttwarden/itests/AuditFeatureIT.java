package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
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
 * The audit feature comes onto a running gateway, records what go-auth is answered, shows it in
 * the shell, and can go again while the gateway keeps deciding. Only the shell and the HTTP wire
 * are used, so the probe does not wire to bundles that are uninstalled.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuditFeatureIT extends WardenTestSupport {

    private static final String JSON = "application/json";

    @Inject
    protected FeaturesService features;

    @Test
    public void installedLiveItRecordsDecisionsAndUninstalledTheGatewayKeepsDeciding() throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/health").status() == 200);
        features.installFeature("warden-audit");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> shell("warden:audit-verify").startsWith("OK"));

        assertEquals(403, post("/user", JSON, userBody("admin", "not the admin password")).status());
        assertEquals(403, post("/acl", JSON, aclBody("intruder", "plant/secret/valve", 2)).status());
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            String tail = shell("warden:audit-tail -n 50");
            return tail.contains("auth.bad-password") && tail.contains("plant/secret/valve");
        });
        String stats = shell("warden:audit-stats");
        assertTrue(stats, stats.contains("AUTH") && stats.contains("ACL"));
        assertTrue(shell("warden:audit-verify").startsWith("OK"));

        features.uninstallFeature("warden-audit");
        assertEquals("the gateway keeps deciding", 403,
                post("/acl", JSON, aclBody("intruder", "plant/secret/valve", 2)).status());
        assertEquals(200, get("/health").status());
    }
}
