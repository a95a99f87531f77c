package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The booted gateway locks an account after five wrong passwords over go-auth's wire, refuses the
 * right one while locked, shows the lock in the shell and the audit, and lets an admin clear it.
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
}
