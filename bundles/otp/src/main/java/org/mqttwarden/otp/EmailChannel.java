package org.mqttwarden.otp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

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
 *
 * <p>TLS (starttls and smtps alike) is what a code crossing a network needs, so it is never relaxed: TLS 1.2 or
 * 1.3 only, the server's certificate must chain to a trusted CA (those of {@code mail.trust.file}, read when the
 * configuration is applied, else the JVM's trust store), and must name {@code mail.host} (checked during the
 * handshake, before any credential or code is sent). There is no setting to trust any certificate.
 */
@Component(service = OtpChannel.class, configurationPid = OtpManager.PID)
public final class EmailChannel implements OtpChannel {

    private static final Logger LOG = LoggerFactory.getLogger(EmailChannel.class);
    private static final int QUEUE = 256;

    /** The mail settings in force; {@code null} when mail is off or the configuration was refused. */
    private volatile Settings settings;
    /** Why the configuration in force was refused (what the ERROR said); {@code null} when it was not. */
    private volatile String refusal;
    private final ScheduledThreadPoolExecutor sender;

    /** The TLS protocols offered: never below TLS 1.2 (RFC 8996), whatever the JVM would still allow. */
    static final String TLS_PROTOCOLS = "TLSv1.3 TLSv1.2";
    /** A trust file is a few CA certificates; the largest public bundles are well under this. */
    private static final long MAX_TRUST_FILE = 1 << 20;
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\R?(.*?)-----END \\1-----", Pattern.DOTALL);

    /**
     * What one configuration says, checked.
     *
     * @param tls the socket factory trusting {@code mail.trust.file}'s CAs; {@code null}: the JVM's trust store
     * @param trust says where trust comes from, for logs and failure reasons
     */
    record Settings(String host, int port, String security, String username, String password, InternetAddress from,
            String subject, String template, int attempts, int timeoutMs, SSLSocketFactory tls, String trust) {

        /** Without the password: a record's own toString would show it. */
        @Override
        public String toString() {
            return "Settings[" + host + ":" + port + " " + security + ", user '" + username + "', from " + from
                    + ", trust " + trust + "]";
        }
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
        refusal = null;
        if (config.mail_host().isBlank()) {
            settings = null;
            LOG.info("One-time codes by e-mail are off (mail.host is empty)");
            return;
        }
        List<String> problems = new ArrayList<>();
        Settings s = parse(config, problems);
        if (!problems.isEmpty()) {
            settings = null;
            refusal = String.join("; ", problems);
            LOG.error("E-mail of one-time codes is off, its configuration is refused: {}", refusal);
            return;
        }
        settings = s;
        if (s.security().equals("none")) {
            LOG.info("One-time codes by e-mail through {}:{} (no TLS: loopback only)", s.host(), s.port());
        } else {
            LOG.info("One-time codes by e-mail through {}:{} ({}, TLS 1.2 or later, the server's certificate must name"
                    + " {} and chain to {})", s.host(), s.port(), s.security(), s.host(), s.trust());
        }
    }

    private static Settings parse(OtpConfig c, List<String> problems) {
        String security = c.mail_security().strip().toLowerCase(Locale.ROOT);
        if (!List.of("starttls", "smtps", "none").contains(security)) {
            problems.add("mail.security must be starttls, smtps or none, not '" + c.mail_security() + "'");
        } else if (security.equals("none") && !Loopback.named(c.mail_host().strip())) {
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
        String trustFile = c.mail_trust_file().strip();
        SSLSocketFactory tls = null;
        String trust = "a CA in the JVM's trust store";
        if (!trustFile.isEmpty() && security.equals("none")) {
            LOG.warn("mail.trust.file is not used: mail.security=none makes no TLS connection");
        } else if (!trustFile.isEmpty()) {
            tls = trusting(trustFile, problems);
            trust = "a CA in " + trustFile;
        }
        return new Settings(c.mail_host().strip(), c.mail_port(), security, c.mail_username(), c.mail_password(), from,
                c.mail_subject(), c.mail_template(), c.mail_attempts(), c.mail_timeout_ms(), tls, trust);
    }

    /**
     * Reads {@code mail.trust.file}: PEM {@code CERTIFICATE} blocks only (a private key or anything else in it is
     * refused, as a sign that the wrong file was named), at least one.
     *
     * @return a socket factory whose trust managers trust exactly these certificates (PKIX: each one a trust
     *     anchor, the server's chain must end at one); {@code null} with the reasons in {@code problems}
     */
    private static SSLSocketFactory trusting(String file, List<String> problems) {
        Path path;
        try {
            path = Path.of(file);
        } catch (InvalidPathException e) {
            problems.add("mail.trust.file is not a valid path: '" + file + "'");
            return null;
        }
        if (!path.isAbsolute()) {
            problems.add("mail.trust.file must be an absolute path (e.g. ${karaf.etc}/mail-ca.pem), not '" + file
                    + "'");
            return null;
        }
        String text;
        try {
            if (!Files.isRegularFile(path)) {
                problems.add("mail.trust.file " + file + " is not a readable file");
                return null;
            }
            if (Files.size(path) > MAX_TRUST_FILE) {
                problems.add("mail.trust.file " + file + " is larger than 1 MiB: not a file of CA certificates");
                return null;
            }
            text = Files.readString(path, StandardCharsets.ISO_8859_1);
        } catch (IOException | SecurityException e) {
            problems.add("mail.trust.file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
            return null;
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            Matcher block = PEM_BLOCK.matcher(text);
            while (block.find()) {
                if (!block.group(1).equals("CERTIFICATE")) {
                    problems.add("mail.trust.file " + file + " holds a " + block.group(1) + "; it must hold only CA"
                            + " certificates (-----BEGIN CERTIFICATE-----)");
                    return null;
                }
                byte[] der;
                try {
                    der = Base64.getDecoder().decode(block.group(2).replaceAll("\\s", ""));
                } catch (IllegalArgumentException e) {
                    problems.add("certificate " + (certificates.size() + 1) + " of mail.trust.file " + file
                            + " is not valid Base64");
                    return null;
                }
                try (InputStream in = new ByteArrayInputStream(der)) {
                    certificates.add((X509Certificate) x509.generateCertificate(in));
                } catch (CertificateException | IOException e) {
                    problems.add("certificate " + (certificates.size() + 1) + " of mail.trust.file " + file
                            + " is not an X.509 certificate");
                    return null;
                }
            }
            if (certificates.isEmpty()) {
                problems.add("mail.trust.file " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
                return null;
            }
            if (text.split("-----BEGIN ", -1).length - 1 != certificates.size()) {
                problems.add("mail.trust.file " + file + " has a PEM block without its -----END line");
                return null;
            }
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                anchors.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(anchors);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            for (X509Certificate ca : certificates) {
                try {
                    ca.checkValidity();
                } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                    LOG.warn("mail.trust.file {}: the certificate of {} is valid only from {} to {}, not now", file,
                            ca.getSubjectX500Principal().getName(), ca.getNotBefore().toInstant(),
                            ca.getNotAfter().toInstant());
                }
            }
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            problems.add("mail.trust.file " + file + " cannot be made a trust store: " + e.getMessage());
            return null;
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

    /** @return why e-mail is off because its configuration was refused; empty when it was not refused */
    Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public String status() {
        Settings s = settings;
        String why = refusal;
        if (why != null) {
            return "off: its configuration is refused: " + why;
        }
        return s == null ? "off: mail.host is empty (set it in etc/org.mqttwarden.otp.cfg)"
                : "ready (" + s.host() + ":" + s.port() + ", " + s.security() + ")";
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
                    + s.attempts() + ": " + tlsProblem(s, e) + describe(e);
            if (attempt < s.attempts()) {
                LOG.warn("A one-time code mail to {} was not handed over, trying again: {}", message.address(), why);
                schedule(s, message, attempt + 1, done, 1L << attempt);
            } else {
                done.completeExceptionally(new IllegalStateException(why));
            }
        }
    }

    /**
     * @return why the TLS handshake refused the server, in words an operator acts on, followed by "; "; empty when
     *     the failure was not one of certificate trust, validity or name
     */
    private static String tlsProblem(Settings s, Exception e) {
        List<Throwable> causes = new ArrayList<>();
        for (Throwable t = e; t != null && !causes.contains(t); t = t.getCause()) {
            causes.add(t);
        }
        // most specific first: an expired certificate also fails its path validation
        if (causes.stream().anyMatch(CertificateExpiredException.class::isInstance)) {
            return "the server's certificate has expired; ";
        }
        if (causes.stream().anyMatch(CertificateNotYetValidException.class::isInstance)) {
            return "the server's certificate is not valid yet; ";
        }
        if (causes.stream().anyMatch(t -> t instanceof CertPathBuilderException
                || t instanceof CertPathValidatorException)) {
            return "the server's certificate is not trusted: it does not chain to " + s.trust() + "; ";
        }
        // the JDK's hostname check: "No subject alternative DNS name matching ...", "No subject alternative names
        // matching IP address ...", "No subject alternative names present", "No name matching ..."
        if (causes.stream().anyMatch(t -> t instanceof CertificateException && t.getMessage() != null
                && t.getMessage().matches("(?s)No (subject alternative|name).*(matching|present).*"))) {
            return "the server's certificate does not name " + s.host() + "; ";
        }
        return causes.stream().anyMatch(SSLException.class::isInstance) ? "the TLS handshake failed; " : "";
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
            // Angus sets the "LDAPS" endpoint identification on the socket before the handshake: a certificate
            // that does not name the host ends the handshake, before AUTH or any mail is sent.
            p.put("mail." + protocol + ".ssl.checkserveridentity", "true");
            p.put("mail." + protocol + ".ssl.protocols", TLS_PROTOCOLS);
            if (s.tls() != null) {
                // an instance, not a class name: no class loading inside OSGi, and the CAs read once
                p.put("mail." + protocol + ".ssl.socketFactory", s.tls());
            }
            // Angus would otherwise try again with the JVM's default factory when ours fails (smtps): a certificate
            // the trust file refuses would then pass on a CA of the JVM's store, and the reason would be lost
            p.put("mail." + protocol + ".socketFactory.fallback", "false");
        }
        // Jakarta Mail finds its providers (META-INF/services of Angus Mail) through the thread's context class
        // loader (TOOLCHAIN.md): inside OSGi, Angus Mail's own bundle loader is the one that sees them. Proven in
        // Karaf by OtpFeatureIT (real mail from the booted gateway); without this line every send fails there with
        // "No provider of jakarta.mail.util.StreamProvider was found".
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
            mail.saveChanges();
            // The transport named by the protocol, not Transport.send: that picks the transport by the address
            // type (rfc822 -> "smtp"), which for smtps would ignore the mail.smtps.* settings and talk plain SMTP
            // to localhost:25.
            try (Transport transport = session.getTransport(protocol)) {
                if (s.username().isEmpty()) {
                    transport.connect(s.host(), s.port(), null, null);
                } else {
                    transport.connect(s.host(), s.port(), s.username(), s.password());
                }
                transport.sendMessage(mail, mail.getAllRecipients());
            }
        } finally {
            t.setContextClassLoader(before);
        }
    }
}
