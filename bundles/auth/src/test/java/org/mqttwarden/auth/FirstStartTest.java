package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.health.StartupStep;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

/**
 * The first start creates the MQTT admin through the account service and Karaf's shell admin and bin/warden's key
 * through Karaf's own JAAS backing engines (real ones, on real files), showing the secrets once.
 */
class FirstStartTest {

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private JdbiAccountStore store;
    private AccountAdmin admin;
    private Path etc;
    private KarafJaas jaas;
    private FirstStart.ShellUsers karaf;

    @BeforeEach
    void open() throws Exception {
        db = new SqliteDatabase(dir.resolve("data/warden.db"), 5000, 2);
        store = new JdbiAccountStore(db);
        admin = new AccountAdmin(store, new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10))), Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        etc = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(etc.resolve("users.properties"), "#karaf = karaf,_g_:admingroup\n"
                + "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n");
        Files.writeString(etc.resolve("keys.properties"), "_g_\\:admingroup = group,admin\n");
        jaas = new KarafJaas(dir.resolve("felix"));
        karaf = jaas.shellUsers(etc);
    }

    @AfterEach
    void close() throws Exception {
        jaas.close();
        db.close();
    }

    /** @return the SHA-512 of the text in hex, as Karaf's basic encryption with algorithm SHA-512 stores it */
    private static String sha512Hex(String text) throws Exception {
        return digestHex("SHA-512", text);
    }

    /** @return the digest in upper-case hex, as Karaf's basic encryption ({@code encoding = hexadecimal}) writes it */
    private static String digestHex(String algorithm, String text) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance(algorithm).digest(
                text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void createsBothAdminsOnceWithSecretsOnlyInAPrivateFile() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        assertThat(FirstStart.run(admin, store, true, karaf, etc,
                new PrintStream(console, true, StandardCharsets.UTF_8)))
                .isTrue();

        Path credentials = etc.resolve(FirstStart.CREDENTIALS_FILE);
        assertThat(Files.getPosixFilePermissions(credentials)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(etc.resolve(FirstStart.SHELL_KEY_FILE)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(credentials)) {
            p.load(r);
        }
        String mqtt = p.getProperty("mqtt.admin.password");
        String shell = p.getProperty("shell.password");
        assertThat(mqtt).hasSizeGreaterThanOrEqualTo(32);
        assertThat(shell).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo(mqtt);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains(mqtt, shell);

        DecisionEngine engine = new DecisionEngine(store, new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10))), Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        assertThat(engine.authenticate(new Credentials("admin", mqtt, "c")).allowed()).isTrue();
        assertThat(engine.superuser("admin").allowed()).isTrue();

        String users = Files.readString(etc.resolve("users.properties"));
        assertThat(users).doesNotContain(shell)
                .contains("warden-admin = {CRYPT}" + sha512Hex(shell) + "{CRYPT},_g_:admingroup");
        assertThat(Files.readString(etc.resolve("keys.properties"))).contains("warden-admin = AAAAB3NzaC1yc2E");
        assertThat(Files.readString(etc.resolve(FirstStart.SHELL_KEY_FILE))).startsWith("-----BEGIN PRIVATE KEY-----");

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertThat(FirstStart.run(admin, store, true, karaf, etc, new PrintStream(again, true, StandardCharsets.UTF_8)))
                .isFalse();
        assertThat(again.size()).isZero();
        assertThat(Files.readString(etc.resolve("users.properties"))).isEqualTo(users);
    }

    @Test
    void karafsUsersAndKeysBecomeReadableByTheGatewaysUserOnlyWhateverTheyWereEveryStart() throws Exception {
        for (String f : new String[] {"users.properties", "keys.properties"}) {
            Files.setPosixFilePermissions(etc.resolve(f), PosixFilePermissions.fromString("rw-rw-r--"));
        }
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        FirstStart.run(admin, store, true, karaf, etc, quiet);
        for (String f : new String[] {"users.properties", "keys.properties"}) {
            assertThat(Files.getPosixFilePermissions(etc.resolve(f))).as(f)
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        // a file opened again by hand (or restored from a backup) is closed again at the next start
        Files.setPosixFilePermissions(etc.resolve("users.properties"), PosixFilePermissions.fromString("rw-r--r--"));
        FirstStart.run(admin, store, true, karaf, etc, quiet);
        assertThat(Files.getPosixFilePermissions(etc.resolve("users.properties")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void leavesAnExistingShellUserAndMqttAccountsAlone() throws Exception {
        Files.writeString(etc.resolve("users.properties"), "alice = {CRYPT}abc{CRYPT},_g_:admingroup\n");
        admin.createAccount("someone", "correct horse battery", java.util.Set.of(), null, "t");
        FirstStart.run(admin, store, true, karaf, etc, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        assertThat(store.countAccounts()).isEqualTo(1);
        assertThat(Files.readString(etc.resolve("users.properties"))).doesNotContain("warden-admin");
    }

    @Test
    void integratorsCanLeaveKarafsUsersAndKeysAlone() throws Exception {
        String users = Files.readString(etc.resolve("users.properties"));
        FirstStart.run(admin, store, true, null, etc, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        assertThat(Files.readString(etc.resolve("users.properties"))).isEqualTo(users);
        assertThat(etc.resolve(FirstStart.SHELL_KEY_FILE)).doesNotExist();
        assertThat(store.findAccount("admin")).isPresent();
    }

    @Test
    void recognisesCommentedAndGroupLinesAsNoUser() throws Exception {
        Files.writeString(etc.resolve("users.properties"), "# x = y\n_g_\\:admingroup = group,admin\n\n");
        assertThat(karaf.await(Duration.ZERO).orElseThrow().hasUser()).isFalse();
        Files.writeString(etc.resolve("users.properties"), "bob = pw,_g_:admingroup\n");
        assertThat(karaf.await(Duration.ZERO).orElseThrow().hasUser()).isTrue();
    }

    @Test
    void theShellAdminsPasswordIsStoredAsKarafsJaasEncryptionIsConfigured() throws Exception {
        FirstStart.ShellUsers sha256 = wait -> KarafShellUsers.of(List.of(jaas.realm(etc, "SHA-256")),
                jaas.factories());
        FirstStart.run(admin, store, false, sha256, etc, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(etc.resolve(FirstStart.CREDENTIALS_FILE))) {
            p.load(r);
        }
        String password = p.getProperty("shell.password");
        String digest = digestHex("SHA-256", password);
        assertThat(Files.readString(etc.resolve("users.properties")))
                .contains("warden-admin = {CRYPT}" + digest + "{CRYPT},_g_:admingroup").doesNotContain(password);
        assertThat(p.getProperty("mqtt.admin.password")).as("no MQTT admin asked for").isNull();
    }

    @Test
    void failsVisiblyWhenKarafsRealmNeverComesAndStillShowsTheMqttAdminsSecretOnce() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        FirstStart step = new FirstStart(admin, store, Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)),
                wait -> java.util.Optional.empty(), etc, new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(step::state, s -> s != StartupStep.State.RUNNING);
            assertThat(step.state()).isEqualTo(StartupStep.State.FAILED);
            assertThat(etc.resolve(FirstStart.SHELL_KEY_FILE)).doesNotExist();
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(etc.resolve(FirstStart.CREDENTIALS_FILE))) {
                p.load(r);
            }
            assertThat(p.getProperty("mqtt.admin.password")).isNotBlank();
            assertThat(p.getProperty("shell.password")).isNull();
            assertThat(console.toString(StandardCharsets.UTF_8)).contains(p.getProperty("mqtt.admin.password"));
        } finally {
            step.stop();
        }
    }

    @Test
    void isAStartupStepThatIsDoneOnlyOnceBinWardensKeyExists() throws Exception {
        FirstStart step = new FirstStart(admin, store, Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)), karaf,
                etc, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertThat(step.name()).isEqualTo("first start");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(step::state, s -> s != StartupStep.State.RUNNING);

            assertThat(step.state()).isEqualTo(StartupStep.State.DONE);
            assertThat(etc.resolve(FirstStart.SHELL_KEY_FILE)).exists();
            assertThat(store.countAccounts()).isEqualTo(1);
        } finally {
            step.stop();
        }
    }

    @Test
    void saysItFailedWhenItCannotWriteItsFiles() throws Exception {
        Path notAFolder = Files.writeString(dir.resolve("etc-file"), "");
        FirstStart step = new FirstStart(admin, store, Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)),
                jaas.shellUsers(notAFolder), notAFolder,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(step::state, s -> s != StartupStep.State.RUNNING);

            assertThat(step.state()).isEqualTo(StartupStep.State.FAILED);
        } finally {
            step.stop();
        }
    }
}
