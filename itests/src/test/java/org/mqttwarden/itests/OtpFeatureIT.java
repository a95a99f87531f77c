package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.EnumSet;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.api.otp.OtpService;
import org.mqttwarden.api.otp.OtpService.OtpConfirmation;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * warden-otp in the booted gateway, against a real SMTP server: GreenMail runs in the test driver's JVM (outside
 * Karaf) on loopback, warden-otp's e-mail channel sends to it with the gateway's own Jakarta Mail and Angus bundles
 * from its own thread (the proof that Jakarta Mail finds its providers inside OSGi), and the test reads what
 * arrived over GreenMail's POP3 with a few lines of socket code, so the probe wires to no mail bundle. A password
 * reset and an unlock after a real lockout are carried out with the mailed code and checked on go-auth's
 * {@code /user}; then the feature is uninstalled and installed again live while decisions keep being answered.
 * The probe uses warden-otp only through {@code org.mqttwarden.api.otp} (warden-api, which stays), fetching the
 * service for each call, so it survives the feature going away.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OtpFeatureIT extends WardenTestSupport {

    private static final String JSON = "application/json";
    private static final String PID = "org.mqttwarden.otp";
    private static final String FROM = "warden@itest.example";
    private static final String MAILBOX_PASSWORD = "pop3-password-of-the-itest";
    private static final Pattern GENERATED = Pattern.compile("Generated password \\(shown once\\): (\\S+)");
    private static final Pattern CODE = Pattern.compile(" is (\\d{6,10})\\.");
    /** A karaf.log line at WARN or ERROR from warden-otp or the bundles it sends mail with. */
    private static final Pattern OTP_PROBLEM = Pattern.compile("\\| (WARN|ERROR) +\\|.*\\| \\d+ - (warden-otp|"
            + "jakarta\\.mail-api|org\\.eclipse\\.angus\\.mail|angus-activation|jakarta\\.activation-api) - ");
    /** The accounts of this test; each has a mailbox in GreenMail (the address is also the POP3 login). */
    private static final List<String> USERS = List.of("itest-otp-reset", "itest-otp-unlock", "itest-otp-hot",
            "itest-otp-again", "itest-otp-invite");
    private static final Pattern OTPAUTH = Pattern.compile("otpauth://totp/\\S+[?&]secret=([A-Z2-7]+)\\S*");

    static final int SMTP_PORT = Integer.getInteger("warden.itest.smtp.port", freePort());
    static final int POP3_PORT = Integer.getInteger("warden.itest.pop3.port", freePort());

    @Inject
    protected ConfigurationAdmin configAdmin;

    @Inject
    protected FeaturesService features;

    @Inject
    protected ServiceComponentRuntime scr;

    @Override
    @Configuration
    public Option[] config() {
        // called in the driver's JVM only: the SMTP server is not in the container it tests
        Smtp.start(SMTP_PORT, POP3_PORT, USERS.stream().map(OtpFeatureIT::address).toList(), MAILBOX_PASSWORD);
        return OptionUtils.combine(super.config(),
                systemProperty("warden.itest.smtp.port").value(Integer.toString(SMTP_PORT)),
                systemProperty("warden.itest.pop3.port").value(Integer.toString(POP3_PORT)));
    }

    private static String address(String user) {
        return user + "@itest.example";
    }

    @Test
    public void aForgottenPasswordIsReplacedWithTheMailedCodeAndGoAuthTakesTheNewOne() throws Exception {
        String user = "itest-otp-reset";
        String old = newAccount(user);
        mailOn();
        assertEquals("the old password is remembered", 200, post("/user", JSON, userBody(user, old)).status());

        withOtp(otp -> {
            otp.request(user, OtpPurpose.RESET, "itest");
            return null;
        });
        String mail = awaitMail(user);
        assertTrue(mail, mail.contains("From: " + FROM));
        assertTrue(mail, mail.contains("To: " + address(user)));
        assertTrue(mail, mail.contains("Subject: Your MQTT Warden code"));
        String code = code(mail);

        String fresh = "a new password from the recovery itest";
        OtpConfirmation wrong = withOtp(otp -> otp.confirm(user, OtpPurpose.RESET, otherThan(code), fresh, "itest"));
        assertFalse("a wrong code changes nothing", wrong.confirmed());
        OtpConfirmation right = withOtp(otp -> otp.confirm(user, OtpPurpose.RESET, code, fresh, "itest"));
        assertTrue(String.valueOf(right.problem()), right.confirmed());
        assertFalse("a code is accepted once",
                withOtp(otp -> otp.confirm(user, OtpPurpose.RESET, code, fresh + " again", "itest")).confirmed());

        assertEquals("the new password logs in", 200, post("/user", JSON, userBody(user, fresh)).status());
        assertEquals("the old one, remembered before, does not", 403,
                post("/user", JSON, userBody(user, old)).status());
        assertNoCodeLeaked(code);
    }

    @Test
    public void anInvitedAccountSetsItsOwnPasswordWithTheMailedVerifyCode() throws Exception {
        String user = "itest-otp-invite";
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/health").status() == 200);
        mailOn();
        String added = shell("warden:user-add --invite --role sensor --email " + address(user) + " " + user);
        assertTrue(added, added.contains("i***@itest.example"));
        assertEquals("an invited account has no password to log in with", 403,
                post("/user", JSON, userBody(user, "any password at all")).status());
        String code = code(awaitMail(user));

        String own = "the invitee's own password";
        OtpConfirmation set = withOtp(otp -> otp.confirm(user, OtpPurpose.VERIFY, code, own, "itest"));
        assertTrue(String.valueOf(set.problem()), set.confirmed());
        awaitLogin(user, own);
        assertNoCodeLeaked(code);
    }

    @Test
    public void anAccountWithTotpLogsInThroughGoAuthWithItsPasswordAndAFreshCode() throws Exception {
        String user = "itest-otp-totp";
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/health").status() == 200);
        Matcher g = GENERATED.matcher(shell("warden:user-add --role viewer --generate " + user));
        assertTrue(g.find());
        String password = g.group(1);
        assertEquals(200, post("/user", JSON, userBody(user, password)).status());

        Matcher uri = OTPAUTH.matcher(shell("warden:totp-enroll --no-qr " + user));
        assertTrue("the enrolment prints an otpauth:// URI", uri.find());
        byte[] secret = base32(uri.group(1));
        assertTrue(shell("warden:totp-list").contains(user));
        assertEquals("the password alone, remembered before, no longer logs in", 403,
                post("/user", JSON, userBody(user, password)).status());

        String login = password + totp(secret, System.currentTimeMillis() / 1000 / 30);
        assertEquals(200, post("/user", JSON, userBody(user, login)).status());
        assertEquals("the same code again: a replay", 403, post("/user", JSON, userBody(user, login)).status());

        shell("warden:totp-disable " + user);
        assertEquals("without TOTP the password alone logs in again", 200,
                post("/user", JSON, userBody(user, password)).status());
    }

    /**
     * Until go-auth's {@code /user} lets {@code user} in with {@code password}, bounded. A typed password's first
     * login from a source the account never logged in from is under warden-lockout's login budget, which the
     * tests before may have spent: it answers login.busy (403, not a failure) until the budget refills.
     */
    private void awaitLogin(String user, String password) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> post("/user", JSON, userBody(user, password)).status() == 200);
    }

    /** RFC 4648 Base32, as an authenticator app reads the secret of the URI. */
    private static byte[] base32(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : text.toCharArray()) {
            buffer = (buffer << 5) | "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(c);
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xFF);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }

    /** RFC 6238 with its defaults (HMAC-SHA1, 6 digits), as an authenticator app computes it. */
    private static String totp(byte[] secret, long step) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA1"));
        byte[] h = mac.doFinal(java.nio.ByteBuffer.allocate(8).putLong(step).array());
        int o = h[h.length - 1] & 0x0F;
        int bin = ((h[o] & 0x7F) << 24) | ((h[o + 1] & 0xFF) << 16) | ((h[o + 2] & 0xFF) << 8) | (h[o + 3] & 0xFF);
        return String.format("%06d", bin % 1_000_000);
    }

    @Test
    public void aLockedAccountIsUnlockedWithTheMailedCode() throws Exception {
        String user = "itest-otp-unlock";
        String password = newAccount(user);
        mailOn();
        // guesses from the client id the device logged in from are counted at once (see LockoutIT)
        assertEquals(200, post("/user", JSON, userBody(user, password)).status());
        for (int i = 0; i < 5; i++) {
            assertEquals(403, post("/user", JSON, userBody(user, "wrong guess number " + i)).status());
        }
        assertEquals("locked: the right password does not get in", 403,
                post("/user", JSON, userBody(user, password)).status());
        assertTrue("warden:lockout-list shows the lock", accountLocked(user));

        withOtp(otp -> {
            otp.request(user, OtpPurpose.UNLOCK, "itest");
            return null;
        });
        String code = code(awaitMail(user));
        OtpConfirmation done = withOtp(otp -> otp.confirm(user, OtpPurpose.UNLOCK, code, null, "itest"));
        assertTrue(String.valueOf(done.problem()), done.confirmed());

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> post("/user", JSON, userBody(user, password)).status() == 200);
        assertFalse("the account's lock is gone", accountLocked(user));
        assertNoCodeLeaked(code);
    }

    @Test
    public void everyComponentOfTheFeatureIsUpInTheBootedGateway() throws Exception {
        Bundle otp = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> bundle("warden-otp"), b -> b != null && b.getState() == Bundle.ACTIVE);
        List<ComponentDescriptionDTO> components = new ArrayList<>(scr.getComponentDescriptionDTOs(otp));
        Set<String> names = new LinkedHashSet<>();
        components.forEach(c -> names.add(c.implementationClass));
        assertTrue(names.toString(), names.containsAll(
                List.of("org.mqttwarden.otp.OtpManager", "org.mqttwarden.otp.EmailChannel")));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (ComponentDescriptionDTO c : components) {
                List<ComponentConfigurationDTO> configs = new ArrayList<>(scr.getComponentConfigurationDTOs(c));
                if (configs.size() != 1 || (configs.get(0).state != ComponentConfigurationDTO.ACTIVE
                        && configs.get(0).state != ComponentConfigurationDTO.SATISFIED)) {
                    return false;
                }
            }
            return true;
        });
        assertTrue("booted with the gateway", features.isInstalled(features.getFeature("warden-otp")));
    }

    @Test
    public void theFeatureGoesAndComesBackLiveWhileDecisionsAreAnswered() throws Exception {
        String user = "itest-otp-hot";
        String password = newAccount(user);
        mailOn();
        assertEquals(200, post("/user", JSON, userBody(user, password)).status());
        // keep the rest of "warden" as features of their own, so that warden-otp alone can go
        features.installFeatures(Set.of("warden-http", "warden-audit", "warden-lockout", "warden-alerts",
                "warden-otp", "warden-crypto"), EnumSet.noneOf(FeaturesService.Option.class));
        features.uninstallFeature("warden");

        List<String> wrong = new CopyOnWriteArrayList<>();
        AtomicInteger answered = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread decider = new Thread(() -> {
            while (!stop.get()) {
                try {
                    int login = post("/user", JSON, userBody(user, password)).status();
                    int acl = post("/acl", JSON, aclBody("intruder", "plant/secret/valve", 2)).status();
                    if (login != 200 || acl != 403) {
                        wrong.add("/user " + login + ", /acl " + acl);
                    }
                    answered.addAndGet(2);
                } catch (IOException e) {
                    wrong.add(e.toString());
                }
            }
        }, "itest-decider");
        decider.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() >= 20);
            assertTrue(commandExists("warden:otp-status"));
            features.uninstallFeature("warden-otp");
            assertFalse(features.isInstalled(features.getFeature("warden-otp")));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> bundle("warden-otp") == null && otpService() == null);
            assertTrue("its mail bundles went with it", bundle("org.eclipse.angus.mail") == null
                    && bundle("jakarta.mail-api") == null);
            await().atMost(Duration.ofSeconds(10)).until(() -> !commandExists("warden:otp-status"));
            assertTrue("warden-auth's commands stay", shell("warden:user-list --no-format").contains(user));
            int before = answered.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() >= before + 20);

            features.installFeature("warden-otp");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> otpService() != null);
            // the configuration stayed, and mail works from the new bundles
            String again = "itest-otp-again";
            String againPassword = newAccount(again);
            awaitEmailReaches(address(again));
            withOtp(otp -> {
                otp.request(again, OtpPurpose.RESET, "itest");
                return null;
            });
            String code = code(awaitMail(again));
            String fresh = "a password set after the reinstall";
            assertTrue(withOtp(otp -> otp.confirm(again, OtpPurpose.RESET, code, fresh, "itest")).confirmed());
            awaitLogin(again, fresh);
            assertEquals(403, post("/user", JSON, userBody(again, againPassword)).status());
            int after = answered.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() >= after + 20);
        } finally {
            stop.set(true);
            decider.join(30_000);
            features.installFeature("warden");
        }
        assertTrue("every decision answered, and answered right, throughout: " + wrong, wrong.isEmpty());
        assertTrue("answered: " + answered.get(), answered.get() >= 60);
        for (Bundle b : bundleContext.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("warden-")) {
                assertEquals(b.getSymbolicName(), Bundle.ACTIVE, b.getState());
            }
        }
    }

    // ---- the gateway

    private String newAccount(String user) throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/health").status() == 200);
        Matcher m = GENERATED.matcher(shell("warden:user-add --role sensor --generate --email " + address(user)
                + " " + user));
        assertTrue(m.find());
        return m.group(1);
    }

    /** Points warden-otp at the driver's GreenMail through Configuration Admin, and waits until mail is on. */
    private void mailOn() throws Exception {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(PID, null);
        Dictionary<String, Object> p = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        if (!"127.0.0.1".equals(p.get("mail.host"))) {
            p.put("mail.host", "127.0.0.1");
            p.put("mail.port", Integer.toString(SMTP_PORT));
            p.put("mail.security", "none");
            p.put("mail.from", FROM);
            c.update(p);
        }
        awaitEmailReaches(address(USERS.get(0)));
    }

    /** Until the e-mail channel, as the gateway runs it, says it reaches the address (its settings applied). */
    private void awaitEmailReaches(String address) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (ServiceReference<OtpChannel> r : bundleContext.getServiceReferences(OtpChannel.class, null)) {
                OtpChannel channel = bundleContext.getService(r);
                try {
                    if (channel != null && "email".equals(channel.name()) && channel.reaches(address)) {
                        return true;
                    }
                } finally {
                    bundleContext.ungetService(r);
                }
            }
            return false;
        });
    }

    /** Calls warden-otp's service as it is now, releasing it after: the feature may go and come back. */
    private <T> T withOtp(Function<OtpService, T> call) {
        ServiceReference<OtpService> r = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(this::otpService, ref -> ref != null);
        OtpService otp = bundleContext.getService(r);
        assertNotNull(otp);
        try {
            return call.apply(otp);
        } finally {
            bundleContext.ungetService(r);
        }
    }

    private ServiceReference<OtpService> otpService() {
        return bundleContext.getServiceReference(OtpService.class);
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(bundleContext.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }

    private boolean commandExists(String command) {
        try {
            shell(command);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** @return whether {@code warden:lockout-list} shows the account locked (a row of kind account, locked since) */
    private boolean accountLocked(String user) throws Exception {
        return shell("warden:lockout-list --no-format").lines().map(l -> l.split("\t"))
                .anyMatch(row -> row.length > 3 && row[0].strip().equals("account") && row[1].strip().equals(user)
                        && !row[3].isBlank());
    }

    /**
     * The code is in no log line and no audit record, and warden-otp and the mail bundles logged no WARN or ERROR
     * (a mail handed over only at a second attempt would have).
     */
    private void assertNoCodeLeaked(String code) throws Exception {
        String log = Files.readString(Path.of(System.getProperty("karaf.data"), "log", "karaf.log"),
                StandardCharsets.UTF_8);
        assertFalse("karaf.log holds the code", log.contains(code));
        List<String> problems = log.lines().filter(l -> OTP_PROBLEM.matcher(l).find()).toList();
        assertTrue(String.join("\n", problems), problems.isEmpty());
        String audit = shell("warden:audit-tail -n 200");
        assertTrue(audit, audit.contains("otp."));
        assertFalse("the audit log holds the code", audit.contains(code));
    }

    // ---- the mail, as GreenMail received it

    private static String code(String mail) {
        Matcher m = CODE.matcher(mail);
        assertTrue(mail, m.find());
        return m.group(1);
    }

    /** The same length, one digit changed. */
    private static String otherThan(String code) {
        char last = code.charAt(code.length() - 1);
        return code.substring(0, code.length() - 1) + (last == '9' ? '0' : (char) (last + 1));
    }

    /** The one mail that arrives for {@code user}, waited for (bounded) and taken out of the mailbox. */
    private static String awaitMail(String user) {
        AtomicReference<List<String>> mails = new AtomicReference<>(List.of());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    mails.set(takeMail(address(user)));
                    return !mails.get().isEmpty();
                });
        assertEquals("one mail: " + mails.get(), 1, mails.get().size());
        return mails.get().get(0);
    }

    /** Reads and deletes every mail in a GreenMail mailbox over POP3 (RFC 1939), from inside the container. */
    private static List<String> takeMail(String login) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), POP3_PORT), 2000);
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
            ok(in.readLine());
            pop(out, in, "USER " + login);
            pop(out, in, "PASS " + MAILBOX_PASSWORD);
            int count = Integer.parseInt(pop(out, in, "STAT").split(" ")[1]);
            List<String> mails = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                pop(out, in, "RETR " + i);
                StringBuilder mail = new StringBuilder();
                for (String line = in.readLine(); !".".equals(line); line = in.readLine()) {
                    if (line == null) {
                        throw new IOException("POP3 connection closed in the middle of a mail");
                    }
                    mail.append(line.startsWith("..") ? line.substring(1) : line).append('\n');
                }
                mails.add(mail.toString());
                pop(out, in, "DELE " + i);
            }
            pop(out, in, "QUIT");
            return mails;
        }
    }

    private static String pop(Writer out, BufferedReader in, String command) throws IOException {
        out.write(command + "\r\n");
        out.flush();
        return ok(in.readLine());
    }

    private static String ok(String reply) throws IOException {
        if (reply == null || !reply.startsWith("+OK")) {
            throw new IOException("POP3 answered " + reply);
        }
        return reply;
    }

    /**
     * GreenMail, SMTP and POP3 on loopback, in the driver's JVM. Its own class, loaded only there: the probe in the
     * container never sees GreenMail's classes.
     */
    static final class Smtp {
        private static final AtomicBoolean STARTED = new AtomicBoolean();

        private Smtp() {
        }

        static void start(int smtpPort, int pop3Port, List<String> addresses, String password) {
            if (!STARTED.compareAndSet(false, true)) {
                return;
            }
            com.icegreen.greenmail.util.GreenMail mail = new com.icegreen.greenmail.util.GreenMail(
                    new com.icegreen.greenmail.util.ServerSetup[] {
                        new com.icegreen.greenmail.util.ServerSetup(smtpPort, "127.0.0.1",
                                com.icegreen.greenmail.util.ServerSetup.PROTOCOL_SMTP),
                        new com.icegreen.greenmail.util.ServerSetup(pop3Port, "127.0.0.1",
                                com.icegreen.greenmail.util.ServerSetup.PROTOCOL_POP3)});
            mail.start();
            for (String a : addresses) {
                mail.setUser(a, a, password);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(mail::stop, "greenmail-stop"));
        }
    }
}
