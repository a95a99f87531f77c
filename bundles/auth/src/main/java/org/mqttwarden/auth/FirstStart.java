package org.mqttwarden.auth;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.health.StartupStep;
import org.mqttwarden.api.store.AccountStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secure first start: when the gateway has no MQTT account it creates {@code admin} (role admin)
 * with a random password, and when Karaf's {@code etc/users.properties} has no user it creates the
 * shell admin {@code warden-admin}, stored there hashed (SHA-512, as Karaf's JAAS encryption
 * expects). Both secrets are printed once on the console and written to
 * {@code etc/warden-credentials.properties}, readable by the gateway's OS user only. It also creates
 * the SSH key {@code etc/warden-admin.key} (0600) for {@code warden-admin}, with which
 * {@code bin/warden} runs shell commands without a password on any command line. Runs off the
 * activation thread; as a {@link StartupStep} ({@code first start}) it says when it is done, and
 * {@code /health} answers 200 only after that (bin/warden works from then on).
 */
@Component(service = StartupStep.class, immediate = true, configurationPid = "org.mqttwarden.auth")
public final class FirstStart implements StartupStep {

    private static final Logger LOG = LoggerFactory.getLogger(FirstStart.class);
    static final String MQTT_ADMIN = "admin";
    static final String SHELL_ADMIN = "warden-admin";
    static final String CREDENTIALS_FILE = "warden-credentials.properties";
    static final String SHELL_KEY_FILE = "warden-admin.key";

    private final ExecutorService executor;
    /** Written once by the first-start thread. */
    private volatile State state = State.RUNNING;

    @Activate
    public FirstStart(@Reference AccountService accounts, @Reference AccountStore store, AuthConfig config) {
        this(accounts, store, config, Paths.get(System.getProperty("karaf.etc", "etc")), System.out);
    }

    /** Starts the first start on its own thread, in {@code etc}, printing the secrets on {@code console}. */
    FirstStart(AccountService accounts, AccountStore store, AuthConfig config, Path etc, PrintStream console) {
        this.executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "warden-first-start"));
        executor.execute(() -> {
            try {
                run(accounts, store, config.bootstrap_admin(), config.bootstrap_shell_admin(), etc, console);
                state = State.DONE;
            } catch (IOException | RuntimeException e) {
                state = State.FAILED;
                LOG.error("First-start setup failed: {}", e.toString(), e);
            }
        });
    }

    /** @return {@code first start} */
    @Override
    public String name() {
        return "first start";
    }

    /** @return RUNNING until the initial accounts, shell admin and SSH key exist; then DONE, or FAILED on an error */
    @Override
    public State state() {
        return state;
    }

    @Deactivate
    void stop() {
        executor.shutdownNow();
    }

    /** @return whether anything was created */
    static boolean run(AccountService accounts, AccountStore store, boolean mqttAdmin, boolean shellAdmin, Path etc,
            PrintStream console) throws IOException {
        Path credentials = etc.resolve(CREDENTIALS_FILE);
        Properties saved = new Properties();
        if (Files.exists(credentials)) {
            try (Reader r = Files.newBufferedReader(credentials, StandardCharsets.UTF_8)) {
                saved.load(r);
            }
        }
        StringBuilder banner = new StringBuilder();
        if (mqttAdmin && store.countAccounts() == 0) {
            String password = accounts.generatePassword();
            accounts.createAccount(MQTT_ADMIN, password, Set.of(Role.ADMIN), null, "first-start");
            saved.setProperty("mqtt.admin.username", MQTT_ADMIN);
            saved.setProperty("mqtt.admin.password", password);
            banner.append("  MQTT admin account : ").append(MQTT_ADMIN).append(" / ").append(password).append('\n');
        }
        Path users = etc.resolve("users.properties");
        if (shellAdmin && Files.exists(users) && !hasUser(Files.readAllLines(users, StandardCharsets.UTF_8))) {
            String password = accounts.generatePassword();
            String line = SHELL_ADMIN + " = {CRYPT}" + sha512Hex(password) + "{CRYPT},_g_:admingroup\n";
            Files.writeString(users, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            saved.setProperty("shell.username", SHELL_ADMIN);
            saved.setProperty("shell.password", password);
            banner.append("  Karaf shell admin  : ").append(SHELL_ADMIN).append(" / ").append(password).append('\n');
        }
        Path key = etc.resolve(SHELL_KEY_FILE);
        Path keys = etc.resolve("keys.properties");
        // who may log in to the shell, with password hashes and keys: nobody else's to read, every start
        ownerOnly(users);
        ownerOnly(keys);
        if (shellAdmin && Files.exists(keys) && Files.notExists(key)) {
            KeyPair pair = newKeyPair();
            // the public half first: once bin/warden sees the private key, the shell accepts it
            Files.writeString(keys, SHELL_ADMIN + " = " + sshPublicKey((RSAPublicKey) pair.getPublic())
                    + ",_g_:admingroup\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            writePrivate(key, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            LOG.info("Created the SSH key {} that bin/warden uses to reach the shell", key.toAbsolutePath());
        }
        if (banner.length() == 0) {
            return false;
        }
        StringWriter text = new StringWriter();
        saved.store(text, "MQTT Warden initial credentials. Keep private.");
        writePrivate(credentials, text.toString());
        console.println();
        console.println("=== MQTT Warden: first start =====================================================");
        console.print(banner);
        console.println("  These secrets are shown once. They are kept in " + credentials.toAbsolutePath());
        console.println("  (readable by this OS user only). Change them, then delete that file if you wish:");
        console.println("  bin/warden logs in with the key etc/" + SHELL_KEY_FILE + " and does not need it.");
        console.println("==================================================================================");
        console.flush();
        LOG.info("First start: created initial credentials, stored in {}", credentials.toAbsolutePath());
        return true;
    }

    static boolean hasUser(List<String> lines) {
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!") || line.startsWith("_g_")) {
                continue;
            }
            if (line.contains("=")) {
                return true;
            }
        }
        return false;
    }

    static String sha512Hex(String password) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-512").digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(3072);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the key in OpenSSH's public key encoding (the base64 part of an ssh-rsa line) */
    static String sshPublicKey(RSAPublicKey key) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        byte[] type = "ssh-rsa".getBytes(StandardCharsets.US_ASCII);
        out.writeInt(type.length);
        out.write(type);
        byte[] e = key.getPublicExponent().toByteArray();
        out.writeInt(e.length);
        out.write(e);
        byte[] n = key.getModulus().toByteArray();
        out.writeInt(n.length);
        out.write(n);
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /**
     * Makes an existing file readable and writable by the gateway's OS user only, when it was more open (a
     * fresh unpack, a file copied in by hand); says so once when it changes anything.
     */
    static void ownerOnly(Path file) throws IOException {
        if (!Files.exists(file) || !FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(file);
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
        if (!owner.containsAll(now)) {
            Files.setPosixFilePermissions(file, owner);
            LOG.info("Made {} readable by this OS user only (was {})", file.toAbsolutePath(),
                    PosixFilePermissions.toString(now));
        }
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
