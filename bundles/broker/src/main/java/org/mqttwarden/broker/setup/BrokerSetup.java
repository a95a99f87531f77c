package org.mqttwarden.broker.setup;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

import org.mqttwarden.store.files.PrivateFiles;

/**
 * warden:broker-init and warden:broker-client-cert without the shell: a complete, secure Mosquitto setup in one
 * folder ({@link Layout}): the CA and server certificate ({@link Pki}), mosquitto.conf and conf.d/go-auth.conf
 * ({@link ConfigText}) and the copy of Warden's caller key. Existing files are never overwritten unless asked
 * ({@code force}), and then every file is replaced together ({@link FileBatch}): a setup is never half old, half
 * new. Keys and files holding secrets are {@code rw-------} from their creation. Nothing here logs, and no result
 * or exception holds a key or password.
 */
public final class BrokerSetup {

    /** A DNS name for a certificate: letters, digits and '-' in dot-separated labels. */
    private static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    /** A client name: it becomes a file name and a certificate's common name. */
    private static final Pattern CLIENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** warden-http's rule for a caller key (CallerKey): 32 to 256 visible ASCII characters. */
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{32,256}");
    private static final int TLS_PORT = 8883;

    private final Pki pki;
    private final SecureRandom random = new SecureRandom();

    public BrokerSetup(Clock clock) {
        this.pki = new Pki(clock);
    }

    /**
     * What broker-init is to write.
     *
     * @param layout the folder
     * @param hosts DNS names for the server certificate; with {@code addresses}, both empty: the gateway's host
     *     name, localhost and 127.0.0.1
     * @param addresses IP address literals for the server certificate
     * @param plainPort a plain-MQTT listener on 127.0.0.1 at this port, or none
     * @param requireCertificate whether clients need a certificate of the CA besides their password
     * @param force whether existing files are replaced
     * @param plugin the go-auth shared object (BrokerConfig goauth.plugin); may be absent
     * @param http warden-http's settings that go-auth must match
     * @param user the OS user Mosquitto is to run as: the gateway's, which owns the keys
     */
    public record InitRequest(Layout layout, List<String> hosts, List<String> addresses, OptionalInt plainPort,
            boolean requireCertificate, boolean force, Path plugin, WardenHttp http, String user) {

        public InitRequest {
            hosts = List.copyOf(hosts);
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * What was done.
     *
     * @param written every file written, in order
     * @param notes what the admin must know or do next, one sentence each
     */
    public record Result(List<Path> written, List<String> notes) {

        public Result {
            written = List.copyOf(written);
            notes = List.copyOf(notes);
        }
    }

    /**
     * Writes the setup.
     *
     * @return the files written and what to do next
     * @throws SetupException when an input is invalid, when files exist and {@code force} is not given (nothing is
     *     written), or when Warden's caller key file cannot be used
     * @throws IOException when a file cannot be written (no file has been replaced)
     */
    public Result init(InitRequest r) throws SetupException, IOException {
        List<String> hosts = new ArrayList<>();
        for (String h : r.hosts()) {
            hosts.add(host(h));
        }
        List<String> addresses = new ArrayList<>();
        for (String a : r.addresses()) {
            if (!Pki.ipLiteral(a)) {
                throw new SetupException("--ip " + a + " is not an IP address.");
            }
            addresses.add(a);
        }
        if (hosts.isEmpty() && addresses.isEmpty()) {
            hosts.addAll(defaultHosts());
            addresses.add("127.0.0.1");
        }
        hosts = List.copyOf(new LinkedHashSet<>(hosts));
        addresses = List.copyOf(new LinkedHashSet<>(addresses));
        if (r.plainPort().isPresent()) {
            int p = r.plainPort().getAsInt();
            if (p < 1 || p > 65535 || p == TLS_PORT) {
                throw new SetupException("--plain-port must be a port from 1 to 65535 other than " + TLS_PORT
                        + ", not " + p + ".");
            }
        }
        if (r.user() == null || r.user().isBlank() || !r.user().matches("[A-Za-z0-9._][A-Za-z0-9._-]*")) {
            throw new SetupException("The gateway's OS user name cannot be written into mosquitto.conf.");
        }
        try {
            r.http().goAuthHost();
        } catch (IllegalArgumentException e) {
            throw new SetupException(e.getMessage() + ".");
        }
        Layout l = r.layout();
        // refused before anything is made, the caller key file included
        List<Path> targets = List.of(l.caCert(), l.caKey(), l.serverCert(), l.serverKey(), l.mosquittoConf(),
                l.goAuthConf(), l.apiKey());
        if (!r.force()) {
            List<Path> there = targets.stream().filter(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS)).toList();
            if (!there.isEmpty()) {
                throw new SetupException(there.size() + " of the broker's files exist already (" + there.get(0)
                        + (there.size() > 1 ? ", ..." : "") + "): nothing was written; --force replaces the whole"
                        + " setup, CA included.");
            }
        }
        List<String> notes = new ArrayList<>();
        CallerKey key = callerKey(r.http());
        if (key.created()) {
            notes.add("Created Warden's caller key file " + r.http().keyFile() + " (rw-------), which warden-http"
                    + " reads when auth.key.required is true.");
        }
        Pki.Issued ca = pki.ca(hosts.isEmpty() ? addresses.get(0) : hosts.get(0));
        Pki.Issued server = pki.server(ca, hosts, addresses);
        FileBatch batch = new FileBatch();
        ConfigText.Inputs in = new ConfigText.Inputs(l, r.user(), r.plugin(), r.http(), key.value(), r.plainPort(),
                r.requireCertificate());
        batch.add(l.caCert(), ca.certificatePem(), false)
                .add(l.caKey(), ca.keyPem(), true)
                .add(l.serverCert(), server.certificatePem() + ca.certificatePem(), false)
                .add(l.serverKey(), server.keyPem(), true)
                .add(l.mosquittoConf(), ConfigText.mosquittoConf(in), false)
                .add(l.goAuthConf(), ConfigText.goAuthConf(in), true)
                .add(l.apiKey(), key.value() + "\n", true);
        // the broker's folder first, so that it too is rwx------ when made here (not only the folders in it)
        PrivateFiles.createDirectory(l.dir());
        List<Path> written = batch.commit(r.force());
        PrivateFiles.createDirectory(l.data());
        PrivateFiles.createDirectory(l.log().getParent());
        notes.add("Server certificate for " + String.join(", ", names(hosts, addresses)) + ", valid until "
                + server.certificate().getNotAfter().toInstant() + "; give clients " + l.caCert()
                + " (SHA-256 " + fingerprint(ca.certificate()) + ").");
        if (!Files.isRegularFile(r.plugin())) {
            notes.add("The go-auth plugin " + r.plugin() + " is not there: the files are written, but Mosquitto"
                    + " cannot start with them until it is (build it as mosquitto-go-auth-conf/README.md, \"Build"
                    + " go-auth\", says, or set goauth.plugin in org.mqttwarden.broker to where it is).");
        }
        if (r.user().equals("root")) {
            notes.add("The gateway runs as root, so the broker it starts would too (user root in mosquitto.conf):"
                    + " run the gateway as a user of its own, then run warden:broker-init --force again.");
        }
        if (!r.http().keyRequired()) {
            notes.add("warden-http does not require the caller key yet: once go-auth's fork runs with this"
                    + " configuration, set auth.key.required = true in " + WardenHttp.PID + ".");
        }
        if (r.force() && hasClients(l)) {
            notes.add("The client certificates in " + l.clients() + " were issued by the replaced CA and no longer"
                    + " verify: reissue them with warden:broker-client-cert NAME --force.");
        }
        return new Result(written, notes);
    }

    /**
     * Issues a client certificate from the CA broker-init wrote: PEM certificate and key, and a PKCS#12 file with
     * both and the CA under a generated password kept in a {@code rw-------} file beside it.
     *
     * @throws SetupException for a bad name, a missing CA, or files that exist without {@code force}
     * @throws IOException when a file cannot be read or written (none has been replaced)
     */
    public Result clientCert(Layout l, String name, boolean force) throws SetupException, IOException {
        if (name == null || !CLIENT.matcher(name).matches()) {
            throw new SetupException("A client name is 1 to 64 letters, digits, '.', '_' or '-', starting with a"
                    + " letter or digit.");
        }
        if (!Files.isRegularFile(l.caCert()) || !Files.isRegularFile(l.caKey())) {
            throw new SetupException("There is no broker CA in " + l.certs() + ": run warden:broker-init first.");
        }
        Pki.Issued ca;
        try {
            ca = Pki.readCa(Files.readString(l.caCert(), StandardCharsets.US_ASCII),
                    Files.readString(l.caKey(), StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new SetupException("The broker CA in " + l.certs() + " cannot be used: " + e.getMessage() + ".");
        }
        FileBatch batch = new FileBatch();
        Pki.Issued client = pki.client(ca, name);
        char[] password = password();
        try {
            batch.add(l.clientCert(name), client.certificatePem() + ca.certificatePem(), false)
                    .add(l.clientKey(name), client.keyPem(), true)
                    .add(l.clientP12(name), Pki.pkcs12(name, client, ca.certificate(), password), true)
                    .add(l.clientP12Password(name), new String(password) + "\n", true);
        } finally {
            Arrays.fill(password, '\0');
        }
        if (!force && !batch.existing().isEmpty()) {
            throw new SetupException("The client " + name + " has files already (" + batch.existing().get(0)
                    + "): nothing was written; --force replaces them.");
        }
        List<Path> written = batch.commit(force);
        return new Result(written, List.of("Client certificate " + name + " valid until "
                + client.certificate().getNotAfter().toInstant() + "; the PKCS#12 file's password is in "
                + l.clientP12Password(name) + "."));
    }

    /** @return the gateway's host name (when it has one) and localhost */
    static List<String> defaultHosts() {
        List<String> out = new ArrayList<>();
        try {
            String name = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
            if (HOST.matcher(name).matches() && !Pki.ipLiteral(name)) {
                out.add(name);
            }
        } catch (IOException e) {
            // no resolvable host name: localhost and 127.0.0.1 only
        }
        out.add("localhost");
        return out;
    }

    private static String host(String value) throws SetupException {
        String h = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (Pki.ipLiteral(h)) {
            throw new SetupException("--host " + h + " is an address: give it with --ip.");
        }
        if (!HOST.matcher(h).matches()) {
            throw new SetupException("--host must be a DNS name (letters, digits, '-' and dots), not '"
                    + org.mqttwarden.api.text.Printable.escape(String.valueOf(value)) + "'.");
        }
        return h;
    }

    private static List<String> names(List<String> hosts, List<String> addresses) {
        List<String> all = new ArrayList<>(hosts);
        all.addAll(addresses);
        return all;
    }

    private static boolean hasClients(Layout l) throws IOException {
        if (!Files.isDirectory(l.clients())) {
            return false;
        }
        try (var s = Files.list(l.clients())) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".crt"));
        }
    }

    /** Warden's caller key and whether its file was made now. */
    private record CallerKey(String value, boolean created) {
        @Override
        public String toString() {
            return "CallerKey[***]";
        }
    }

    /**
     * @return the key on the first line of warden-http's key file, the file made first (rw-------, a random key in
     *     warden-http's own format) when it does not exist
     */
    private CallerKey callerKey(WardenHttp http) throws SetupException, IOException {
        Path file = http.keyFile();
        boolean created = false;
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            byte[] line = (Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            Arrays.fill(bytes, (byte) 0);
            created = PrivateFiles.createWith(file, line);
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new SetupException("Warden's caller key file " + file + " is not a regular file.");
        }
        Optional<String> open = PrivateFiles.openMode(file);
        if (open.isPresent()) {
            throw new SetupException("Warden's caller key file " + file + " has mode " + open.get() + ": warden-http"
                    + " refuses it too; chmod 600 it.");
        }
        String first = Files.readAllLines(file, StandardCharsets.US_ASCII).stream().findFirst().orElse("");
        if (first.endsWith("\r")) {
            first = first.substring(0, first.length() - 1);
        }
        if (!KEY.matcher(first).matches()) {
            throw new SetupException("The first line of Warden's caller key file " + file + " is not a key of 32 to"
                    + " 256 visible ASCII characters.");
        }
        return new CallerKey(first, created);
    }

    private char[] password() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        char[] out = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
        Arrays.fill(bytes, (byte) 0);
        return out;
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
