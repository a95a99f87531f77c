package org.mqttwarden.otp.web;

import static org.awaitility.Awaitility.await;

import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.otp.OtpService;
import org.mqttwarden.api.store.KeyFiles;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.otp.EmailChannel;
import org.mqttwarden.otp.OtpConfig;
import org.mqttwarden.otp.OtpManager;
import org.mqttwarden.otp.web.RecoveryServer.Limits;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestClock;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * The recovery listener on real parts, wired as DS wires them: warden-auth's account service and event publisher
 * on a real warden.db, the real {@link OtpManager}, its e-mail channel sending to GreenMail (a real SMTP server,
 * in-process, plain SMTP on loopback), and the {@link RecoveryServer} on a free loopback port with a clock the
 * test moves (the rate limits' clock; the code store keeps the system clock, as the public constructor gives it).
 *
 * <p>OtpManager's channel binding and both components' deactivation are package-private DS methods of
 * {@code org.mqttwarden.otp}; they are called here reflectively, as DS calls them.
 */
final class RecoveryStack implements AutoCloseable {

    static final String OLD = "alice's old password";
    static final String NEW = "alice's brand new password";
    /** Everything the shipped configuration has, but mail to GreenMail and no cooldown between codes. */
    static final Map<String, Object> BASE = Map.of("code.cooldown.seconds", 0, "code.max.per.hour", 20,
            "mail.security", "none", "mail.from", "warden@plant.example.org", "mail.attempts", 1,
            "http.port", 9190);
    private static final Pattern CODE = Pattern.compile("\\b(\\d{8})\\b");
    private static final byte[] CODE_KEY = "a code key of thirty-two bytes!!".getBytes();

    final TestClock clock = new TestClock();
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    final SqliteDatabase db;
    final AuthStack auth;
    final GreenMail smtp;
    final EmailChannel mail;
    final OtpManager otp;
    private final Map<String, Object> config;
    private final List<RecoveryServer> servers = new CopyOnWriteArrayList<>();

    private RecoveryStack(Path dir, Map<String, ?> overrides) {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        config = new HashMap<>(BASE);
        config.put("mail.host", "127.0.0.1");
        config.put("mail.port", smtp.getSmtp().getPort());
        config.putAll(overrides);
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        auth = AuthStack.on(new JdbiAccountStore(db));
        auth.sink(event -> {
            events.add(event);
            return CompletableFuture.completedFuture(null);
        });
        auth.accounts().createAccount("alice", OLD, Set.of("viewer"), "alice@example.org", "test");
        auth.accounts().createAccount("bob", OLD, Set.of("viewer"), "bob@example.org", "test");
        auth.accounts().createAccount("nomail", OLD, Set.of("viewer"), null, "test");
        OtpConfig otpConfig = config();
        KeyFiles keys = (name, bytes) -> Arrays.copyOf(CODE_KEY, bytes);
        otp = new OtpManager(db, keys, auth.accounts(), auth.events(), otpConfig);
        mail = new EmailChannel(otpConfig);
        bind(mail);
        events.clear();
    }

    /** @param overrides properties of {@code org.mqttwarden.otp} over {@link #BASE} */
    static RecoveryStack open(Path dir, Map<String, ?> overrides) {
        return new RecoveryStack(dir, overrides);
    }

    OtpConfig config() {
        return Configs.of(OtpConfig.class, config);
    }

    /** Binds another channel to the manager, as DS binds an {@link OtpChannel} service. */
    void bind(OtpChannel channel) {
        invoke(otp, "addChannel", new Class<?>[] {OtpChannel.class}, channel);
    }

    /** @return the listener with the stack's configuration, limits for tests (short timeouts), a free port */
    RecoveryServer serve() {
        return serve(Map.of(), new Limits(1000, 1000, 30_000, RecoveryServer.RATE_TABLE, 32, true));
    }

    /** @return a listener with these properties over the stack's, and these limits */
    RecoveryServer serve(Map<String, ?> overrides, Limits limits) {
        return serve(overrides, limits, otp);
    }

    RecoveryServer serve(Map<String, ?> overrides, Limits limits, OtpService service) {
        RecoveryServer server = new RecoveryServer(Configs.with(OtpConfig.class, config(), overrides), service,
                clock, limits);
        servers.add(server);
        return server;
    }

    /** @return the mails GreenMail received for {@code address} so far */
    List<MimeMessage> mailsTo(String address) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return m.getRecipients(RecipientType.TO)[0].toString().equals(address);
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    /** @return the code of mail number {@code n} (from 1) to {@code address}, waiting for it at most 20 s */
    String awaitCode(String address, int n) {
        await().atMost(Duration.ofSeconds(20)).until(() -> mailsTo(address).size() >= n);
        String body = GreenMailUtil.getBody(mailsTo(address).get(n - 1));
        Matcher m = CODE.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("No code in the mail: " + body);
        }
        return m.group(1);
    }

    boolean logsIn(String user, String password) {
        return auth.authenticator().authenticate(new Credentials(user, password, "c")).allowed();
    }

    List<SecurityEvent> otpEvents(String reason) {
        return events.stream().filter(e -> e.type() == EventType.OTP && e.reason().equals(reason)).toList();
    }

    static URI uri(RecoveryServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Override
    public void close() {
        for (RecoveryServer s : servers) {
            s.stop();
        }
        invoke(otp, "close", new Class<?>[0]);
        invoke(mail, "close", new Class<?>[0]);
        db.close();
        smtp.stop();
    }

    private static void invoke(Object target, String name, Class<?>[] types, Object... args) {
        try {
            Method m = target.getClass().getDeclaredMethod(name, types);
            m.setAccessible(true);
            m.invoke(target, args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot call " + target.getClass().getSimpleName() + "." + name, e);
        }
    }
}
