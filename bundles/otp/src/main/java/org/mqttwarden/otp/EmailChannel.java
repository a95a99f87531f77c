package org.mqttwarden.otp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.otp.OtpMessage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * Codes by e-mail over SMTP (Eclipse Angus Mail), configured in {@code org.mqttwarden.otp}'s {@code mail.*} keys.
 * With {@code starttls} (the default) a server that does not offer STARTTLS gets no mail; {@code none} is accepted
 * only towards a loopback address, where no network sees the code. Mails are handed over on a thread of this
 * channel, a failed attempt tried again after 2, 4, ... seconds up to {@code mail.attempts}; the stage
 * {@link #deliver} returns says how it ended. Neither the code nor the password is ever logged.
 */
@Component(service = OtpChannel.class, configurationPid = OtpManager.PID)
public final class EmailChannel implements OtpChannel {

    private static final Logger LOG = LoggerFactory.getLogger(EmailChannel.class);
    private static final int QUEUE = 256;

    /** The mail settings in force; {@code null} when mail is off or the configuration was refused. */
    private volatile Settings settings;
    private final ScheduledThreadPoolExecutor sender;

    /** What one configuration says, checked. */
    record Settings(String host, int port, String security, String username, String password, InternetAddress from,
            String subject, String template, int attempts, int timeoutMs) {
    }

    @Activate
    public EmailChannel(OtpConfig config) {
        this.sender = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "warden-otp-mail");
            t.setDaemon(true);
            return t;
        });
        apply(config);
    }

    @Modified
    void apply(OtpConfig config) {
        if (config.mail_host().isBlank()) {
            settings = null;
            LOG.info("One-time codes by e-mail are off (mail.host is empty)");
            return;
        }
        List<String> problems = new ArrayList<>();
        Settings s = parse(config, problems);
        if (!problems.isEmpty()) {
            settings = null;
            LOG.error("E-mail of one-time codes is off, its configuration is refused: {}", String.join("; ", problems));
            return;
        }
        settings = s;
        LOG.info("One-time codes by e-mail through {}:{} ({})", s.host(), s.port(), s.security());
    }

    private static Settings parse(OtpConfig c, List<String> problems) {
        String security = c.mail_security().strip().toLowerCase(Locale.ROOT);
        if (!List.of("starttls", "smtps", "none").contains(security)) {
            problems.add("mail.security must be starttls, smtps or none, not '" + c.mail_security() + "'");
        } else if (security.equals("none") && !loopback(c.mail_host().strip())) {
            problems.add("mail.security=none is accepted only when mail.host is a loopback address, not '"
                    + c.mail_host() + "': a code must not cross a network in clear");
        }
        if (c.mail_port() < 1 || c.mail_port() > 65_535) {
            problems.add("mail.port must be 1 to 65535, was " + c.mail_port());
        }
        InternetAddress from = null;
        try {
            from = new InternetAddress(c.mail_from(), true);
        } catch (AddressException e) {
            problems.add("mail.from must be an e-mail address, not '" + c.mail_from() + "'");
        }
        if (c.mail_attempts() < 1 || c.mail_attempts() > 5) {
            problems.add("mail.attempts must be 1 to 5, was " + c.mail_attempts());
        }
        if (c.mail_timeout_ms() < 1000 || c.mail_timeout_ms() > 120_000) {
            problems.add("mail.timeout.ms must be 1000 to 120000, was " + c.mail_timeout_ms());
        }
        if (!c.mail_template().contains("{code}")) {
            problems.add("mail.template must contain {code}");
        }
        return new Settings(c.mail_host().strip(), c.mail_port(), security, c.mail_username(), c.mail_password(), from,
                c.mail_subject(), c.mail_template(), c.mail_attempts(), c.mail_timeout_ms());
    }

    /** IPv4 and IPv6 address literals (an IPv6 one has a colon), which InetAddress parses without asking DNS. */
    private static final Pattern ADDRESS_LITERAL = Pattern.compile("[0-9.]+|\\[?[0-9a-fA-F.]*:[0-9a-fA-F:.]*]?");

    /**
     * @return whether {@code host} is {@code localhost} or a loopback address literal; decided without a DNS
     *     lookup (this runs while the component activates), so a name that would resolve to loopback is refused
     */
    private static boolean loopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!ADDRESS_LITERAL.matcher(host).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Lets a mail being sent finish, up to 10 s; the ones still waiting for a retry are dropped. */
    @Deactivate
    void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(10, TimeUnit.SECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            sender.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public boolean reaches(String address) {
        if (settings == null || address == null) {
            return false;
        }
        try {
            new InternetAddress(address, true);
            return address.indexOf('@') > 0;
        } catch (AddressException e) {
            return false;
        }
    }

    @Override
    public CompletionStage<Void> deliver(OtpMessage message) {
        Settings s = settings;
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (s == null) {
            done.completeExceptionally(new IllegalStateException("e-mail is off"));
            return done;
        }
        if (sender.getQueue().size() >= QUEUE) {
            done.completeExceptionally(new IllegalStateException("too many mails waiting to be sent"));
            return done;
        }
        schedule(s, message, 1, done, 0);
        return done;
    }

    private void schedule(Settings s, OtpMessage message, int attempt, CompletableFuture<Void> done, long delayS) {
        try {
            sender.schedule(() -> attempt(s, message, attempt, done), delayS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the mail channel is stopping"));
        }
    }

    private void attempt(Settings s, OtpMessage message, int attempt, CompletableFuture<Void> done) {
        try {
            send(s, message);
            done.complete(null);
        } catch (MessagingException | RuntimeException e) {
            String why = "SMTP " + s.host() + ":" + s.port() + " (" + s.security() + "), attempt " + attempt + " of "
                    + s.attempts() + ": " + describe(e);
            if (attempt < s.attempts()) {
                LOG.warn("A one-time code mail to {} was not handed over, trying again: {}", message.address(), why);
                schedule(s, message, attempt + 1, done, 1L << attempt);
            } else {
                done.completeExceptionally(new IllegalStateException(why));
            }
        }
    }

    private static String describe(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e ? m : m + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    private static void send(Settings s, OtpMessage m) throws MessagingException {
        String protocol = s.security().equals("smtps") ? "smtps" : "smtp";
        Properties p = new Properties();
        p.put("mail.transport.protocol", protocol);
        p.put("mail." + protocol + ".host", s.host());
        p.put("mail." + protocol + ".port", Integer.toString(s.port()));
        p.put("mail." + protocol + ".connectiontimeout", Integer.toString(s.timeoutMs()));
        p.put("mail." + protocol + ".timeout", Integer.toString(s.timeoutMs()));
        p.put("mail." + protocol + ".writetimeout", Integer.toString(s.timeoutMs()));
        p.put("mail." + protocol + ".auth", Boolean.toString(!s.username().isEmpty()));
        if (s.security().equals("starttls")) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        if (!s.security().equals("none")) {
            p.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        }
        // Jakarta Mail finds its providers (META-INF/services of Angus Mail) through the thread's context class
        // loader (TOOLCHAIN.md): inside OSGi, Angus Mail's own bundle loader is the one that sees them. Not yet
        // proven inside Karaf: warden-otp is in no feature yet (issue 13's next step, with a Pax Exam test).
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(SMTPTransport.class.getClassLoader());
        try {
            Session session = Session.getInstance(p);
            MimeMessage mail = new MimeMessage(session);
            mail.setFrom(s.from());
            mail.setRecipient(Message.RecipientType.TO, new InternetAddress(m.address(), true));
            mail.setSubject(s.subject(), StandardCharsets.UTF_8.name());
            long minutes = Math.max(1, java.time.Duration.between(java.time.Instant.now(), m.expiresAt()).toMinutes());
            String text = s.template().replace("{purpose}", m.purpose().id()).replace("{username}", m.username())
                    .replace("{minutes}", Long.toString(minutes)).replace("{code}", m.code());
            mail.setText(text, StandardCharsets.UTF_8.name());
            if (s.username().isEmpty()) {
                Transport.send(mail);
            } else {
                Transport.send(mail, s.username(), s.password());
            }
        } finally {
            t.setContextClassLoader(before);
        }
    }
}
