package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/** Warden's features come and go on a running gateway; the rest keeps serving, state survives. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT extends WardenTestSupport {

    private static final String JSON = "application/json";

    @Inject
    protected FeaturesService features;

    private void awaitServing() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/health").status() == 200);
    }

    private static final Pattern GENERATED = Pattern.compile("Generated password \\(shown once\\): (\\S+)");

    private List<Bundle> wardenBundles() {
        return Arrays.stream(bundleContext.getBundles()).filter(b -> b.getSymbolicName().startsWith("warden-"))
                .collect(Collectors.toList());
    }

    @Test
    public void uninstallingAndReinstallingWardenLeavesTheGatewayServing() throws Exception {
        awaitServing();
        // Only the shell and the HTTP wire: the probe must not wire to warden-api, which is about to go away.
        Matcher m = GENERATED.matcher(shell("warden:user-add --role sensor --generate itest-hot"));
        assertTrue(m.find());
        String password = m.group(1);
        features.uninstallFeature("warden");
        await().atMost(Duration.ofSeconds(30)).until(() -> !reachable());
        assertTrue("no warden bundle is left", wardenBundles().isEmpty());
        assertTrue("the shell keeps working", shell("echo still-alive").contains("still-alive"));
        for (Bundle b : bundleContext.getBundles()) {
            if (b.getHeaders().get("Fragment-Host") == null) {
                assertEquals(b.getSymbolicName() + " keeps running", Bundle.ACTIVE, b.getState());
            }
        }

        features.installFeature("warden-auth");
        assertFalse("warden-auth alone serves no HTTP", reachable());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> shell("warden:user-list --no-format").contains("itest-hot"));

        features.installFeature("warden");
        awaitServing();
        for (Bundle b : wardenBundles()) {
            assertEquals(b.getSymbolicName() + " state", Bundle.ACTIVE, b.getState());
        }
        assertEquals("state survived in SQLite", 200,
                post("/user", JSON, userBody("itest-hot", password)).status());
    }

    private static boolean reachable() {
        try {
            get("/health");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

}
