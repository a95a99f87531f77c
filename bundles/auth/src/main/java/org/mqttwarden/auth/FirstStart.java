package org.mqttwarden.auth;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngineFactory;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.health.StartupStep;
import org.mqttwarden.api.store.AccountStore;
import org.mqttwarden.store.files.PrivateFiles;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secure first start: when the gateway has no MQTT account it creates {@code admin} (role admin) with a random
 * password, and when Karaf's JAAS realm {@code karaf} has no shell user it creates the shell admin
 * {@code warden-admin} through the realm's own backing engine, so the encryption Karaf is configured with
 * ({@code etc/org.apache.karaf.jaas.cfg}) stores its password. Both secrets are printed once on the console and
 * written to {@code etc/warden-credentials.properties}, readable by the gateway's OS user only; they are never
 * logged. It also creates the SSH key {@code etc/warden-admin.key} (0600) and gives its public half to
 * {@code warden-admin} through the realm's public key engine ({@code etc/keys.properties}), so {@code bin/warden}
 * runs shell commands without a password on any command line. Runs off the activation thread; as a
 * {@link StartupStep} ({@code first start}) it says when it is done, and {@code /health} answers 200 only after
 * that (bin/warden works from then on).
 */
@Component(service = StartupStep.class, immediate = true, configurationPid = "org.mqttwarden.auth")
public final class FirstStart implements StartupStep {

    private static final Logger LOG = LoggerFactory.getLogger(FirstStart.class);
    static final String MQTT_ADMIN = "admin";
    static final String SHELL_ADMIN = "warden-admin";
    static final String CREDENTIALS_FILE = "warden-credentials.properties";
    static final String SHELL_KEY_FILE = "warden-admin.key";
    /** How long the first start waits for Karaf's JAAS realm and its backing engines to be registered. */
    static final Duration JAAS_WAIT = Duration.ofSeconds(60);

    /** Where Karaf's shell users are, once known. */
    @FunctionalInterface
    interface ShellUsers {
        /** @return the shell users, waiting at most {@code wait} for them; empty when they did not come */
        Optional<KarafShellUsers> await(Duration wait) throws InterruptedException;
    }

    private final List<JaasRealm> realms = new CopyOnWriteArrayList<>();
    private final List<BackingEngineFactory> factories = new CopyOnWriteArrayList<>();
    private final ExecutorService executor;
    /** Written once by the first-start thread. */
    private volatile State state = State.RUNNING;

    @Activate
    public FirstStart(@Reference AccountService accounts, @Reference AccountStore store, AuthConfig config) {
        this(accounts, store, config, null, Paths.get(System.getProperty("karaf.etc", "etc")), System.out);
    }

    /**
     * Starts the first start on its own thread, in {@code etc}, printing the secrets on {@code console}.
     *
     * @param shell where Karaf's shell users are; null for the JAAS services bound to this component
     */
    FirstStart(AccountService accounts, AccountStore store, AuthConfig config, ShellUsers shell, Path etc,
            PrintStream console) {
        ShellUsers users = shell != null ? shell : this::boundShellUsers;
        this.executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "warden-first-start"));
        executor.execute(() -> {
            try {
                run(accounts, store, config.bootstrap_admin(), config.bootstrap_shell_admin() ? users : null, etc,
                        console);
                state = State.DONE;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                state = State.FAILED;
            } catch (IOException | RuntimeException e) {
                state = State.FAILED;
                LOG.error("First-start setup failed: {}", e.toString(), e);
            }
        });
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addRealm(JaasRealm realm) {
        realms.add(realm);
        jaasChanged();
    }

    void removeRealm(JaasRealm realm) {
        realms.remove(realm);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFactory(BackingEngineFactory factory) {
        factories.add(factory);
        jaasChanged();
    }

    void removeFactory(BackingEngineFactory factory) {
        factories.remove(factory);
    }

    private synchronized void jaasChanged() {
        notifyAll();
    }

    /** @return Karaf's shell users from the JAAS services bound, waiting (bounded) until they are there */
    private synchronized Optional<KarafShellUsers> boundShellUsers(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Optional<KarafShellUsers> users = KarafShellUsers.of(realms, factories);
        while (users.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return users;
            }
            wait(Math.max(1, left / 1_000_000));
            users = KarafShellUsers.of(realms, factories);
        }
        return users;
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

    /**
     * @param shell where Karaf's shell users are, or null to leave them alone ({@code bootstrap.shell.admin=false})
     * @return whether any secret was created (and shown)
     * @throws IllegalStateException when the shell users are asked for and Karaf's JAAS realm does not come
     */
    static boolean run(AccountService accounts, AccountStore store, boolean mqttAdmin, ShellUsers shell, Path etc,
            PrintStream console) throws IOException, InterruptedException {
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
        if (shell == null) {
            // Karaf's own files stay as they are, but nobody else may read them
            ownerOnly(etc.resolve("users.properties"));
            ownerOnly(etc.resolve("keys.properties"));
            return show(banner, saved, credentials, console);
        }
        try {
            KarafShellUsers users = shell.await(JAAS_WAIT).orElseThrow(() -> new IllegalStateException(
                    "Karaf's JAAS realm '" + KarafShellUsers.REALM + "' with its properties backing engine did not"
                            + " appear within " + JAAS_WAIT.toSeconds() + " s; the shell admin was not created"));
            shellAdmin(users, accounts, etc, saved, banner);
        } catch (IOException | InterruptedException | RuntimeException e) {
            // a secret made before the failure (the MQTT admin's) exists: it is still kept and shown, once
            try {
                show(banner, saved, credentials, console);
            } catch (IOException | RuntimeException notShown) {
                e.addSuppressed(notShown);
            }
            throw e;
        }
        return show(banner, saved, credentials, console);
    }

    /**
     * Keeps the secrets made in the credentials file and shows them on the console, once.
     *
     * @return whether there was anything to show
     */
    private static boolean show(StringBuilder banner, Properties saved, Path credentials, PrintStream console)
            throws IOException {
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

    /** Creates the shell admin when the realm has no user, and bin/warden's key when it has none. */
    private static void shellAdmin(KarafShellUsers users, AccountService accounts, Path etc, Properties saved,
            StringBuilder banner) throws IOException {
        // who may log in to the shell, with password hashes and keys: nobody else's to read, every start
        for (Path f : users.files()) {
            ownerOnly(f);
        }
        if (!users.hasUser()) {
            String password = accounts.generatePassword();
            users.addAdmin(SHELL_ADMIN, password);
            saved.setProperty("shell.username", SHELL_ADMIN);
            saved.setProperty("shell.password", password);
            banner.append("  Karaf shell admin  : ").append(SHELL_ADMIN).append(" / ").append(password).append('\n');
            LOG.info("Created the Karaf shell admin {} through Karaf's JAAS realm", SHELL_ADMIN);
        }
        Path key = etc.resolve(SHELL_KEY_FILE);
        if (users.holdsKeys() && Files.notExists(key)) {
            KeyPair pair = newKeyPair();
            // the public half first: once bin/warden sees the private key, the shell accepts it
            users.addAdminKey(SHELL_ADMIN, sshPublicKey(pair));
            writePrivate(key, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            LOG.info("Created the SSH key {} that bin/warden uses to reach the shell", key.toAbsolutePath());
        }
        for (Path f : users.files()) {
            ownerOnly(f);
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

    /** @return the public key as Karaf's keys file holds it: the base64 part of its OpenSSH line (Apache SSHD's) */
    static String sshPublicKey(KeyPair pair) {
        String line = PublicKeyEntry.toString(pair.getPublic());
        return line.substring(line.indexOf(' ') + 1).strip();
    }

    /**
     * Makes an existing file readable and writable by the gateway's OS user only, when it was more open (a
     * fresh unpack, a file copied in by hand, a file Karaf wrote again); says so once when it changes anything.
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

    /** Writes a secret whole, owner-only from its creation (warden-store's one way of doing it). */
    private static void writePrivate(Path file, String content) throws IOException {
        PrivateFiles.writeNew(file, content);
    }
}
