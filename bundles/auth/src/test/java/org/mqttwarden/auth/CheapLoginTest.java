package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

/**
 * Logins that cost no bcrypt: generated device secrets (fast hash, also right after a restart) and
 * remembered verifications, and the lane question {@code authenticateFast} answers for the HTTP
 * server. Costs are read from the engine's counters, never from a clock.
 */
class CheapLoginTest {

    private static final String TYPED = "correct horse battery";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private JdbiAccountStore store;
    private AccountAdmin admin;
    private DecisionEngine engine;
    private final RecordingSink sink = new RecordingSink();
    private final AtomicInteger checks = new AtomicInteger();

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        store = new JdbiAccountStore(db);
        admin = new AccountAdmin(store, new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10))), Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        engine = newEngine();
        admin.createAccount("human", TYPED, Set.of("viewer"), null, "test");
    }

    private DecisionEngine newEngine() {
        SecurityEvents events = new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        events.addSink(sink);
        DecisionEngine e = new DecisionEngine(store, events, Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        e.addGuard(new LoginGuard() {
            @Override
            public Decision check(ClientRef client) {
                checks.incrementAndGet();
                return Decision.allow("test.ok", "");
            }

            @Override
            public void outcome(ClientRef client, boolean success, String reason) {
            }
        });
        return e;
    }

    @AfterEach
    void close() {
        db.close();
    }

    private long count(String counter) {
        return engine.counters().get(counter);
    }

    private static Credentials creds(String user, String password) {
        return new Credentials(user, password, "client-" + user);
    }

    @Test
    void aThousandDevicesWithGeneratedSecretsReconnectAfterARestartWithoutOneBcrypt() {
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String secret = admin.generatePassword();
            admin.createAccount("plc-" + i, secret, Set.of("sensor"), null, "test");
            secrets.add(secret);
        }
        engine = newEngine(); // a restart: nothing remembered
        for (int i = 0; i < 1000; i++) {
            assertThat(engine.authenticate(creds("plc-" + i, secrets.get(i))).reason()).isEqualTo("auth.ok");
        }
        assertThat(count("bcrypt_verifications")).isZero();
        assertThat(count("fast_verifications")).isEqualTo(1000);
        assertThat(store.findAccount("plc-0").orElseThrow().passwordHash()).startsWith("hmac-sha256$");
    }

    @Test
    void theCostOfACheckFollowsTheFormOfThePasswordSubmittedNotTheAccount() {
        String secret = admin.generatePassword();
        admin.createAccount("device", secret, Set.of("sensor"), null, "test");
        String otherSecret = admin.generatePassword();

        // generated form: fast, whether the username is unknown, a device or a person
        assertThat(engine.authenticate(creds("ghost", otherSecret)).reason()).isEqualTo("auth.unknown-user");
        assertThat(engine.authenticate(creds("device", otherSecret)).reason()).isEqualTo("auth.bad-password");
        assertThat(engine.authenticate(creds("human", otherSecret)).reason()).isEqualTo("auth.bad-password");
        assertThat(count("bcrypt_verifications")).isZero();
        assertThat(count("fast_verifications")).isEqualTo(3);

        // typed form: one bcrypt each, also against a device whose secret can never match it
        assertThat(engine.authenticate(creds("ghost", TYPED)).reason()).isEqualTo("auth.unknown-user");
        assertThat(engine.authenticate(creds("device", TYPED)).reason()).isEqualTo("auth.bad-password");
        assertThat(engine.authenticate(creds("human", TYPED + "!")).reason()).isEqualTo("auth.bad-password");
        assertThat(count("bcrypt_verifications")).isEqualTo(3);
        assertThat(count("fast_verifications")).isEqualTo(3);
    }

    @Test
    void aTypedPasswordIsNeverStoredUnderTheFastHash() {
        admin.setPassword("human", "wd1_but this is typed by a person", "test");
        assertThat(store.findAccount("human").orElseThrow().passwordHash()).startsWith("bcrypt-sha256$");
        String secret = admin.generatePassword();
        admin.setPassword("human", secret, "test");
        assertThat(store.findAccount("human").orElseThrow().passwordHash()).startsWith("hmac-sha256$");
        assertThat(engine.authenticate(creds("human", secret)).allowed()).isTrue();
    }

    @Test
    void aLoginThatNeedsBcryptIsLeftToTheSlowLaneWithNothingRecorded() {
        assertThat(engine.authenticateFast(creds("human", TYPED))).isNull();
        assertThat(engine.authenticateFast(creds("ghost", TYPED))).isNull();
        assertThat(checks).hasValue(0);
        assertThat(sink.events).isEmpty();
        assertThat(count("bcrypt_verifications")).isZero();
    }

    @Test
    void aRememberedLoginIsAnsweredOnTheFastLaneWithGuardsAndEvents() {
        assertThat(engine.authenticate(creds("human", TYPED)).reason()).isEqualTo("auth.ok");
        long bcrypt = count("bcrypt_verifications");
        int events = sink.events.size();

        Decision d = engine.authenticateFast(creds("human", TYPED));
        assertThat(d).isNotNull();
        assertThat(d.reason()).isEqualTo("auth.ok-remembered");
        assertThat(count("bcrypt_verifications")).isEqualTo(bcrypt);
        assertThat(checks).hasValue(2);
        assertThat(sink.events).hasSize(events + 1);
        // a wrong password is not remembered: slow lane
        assertThat(engine.authenticateFast(creds("human", TYPED + "!"))).isNull();
    }

    @Test
    void anAttemptAGuardShedsIsRefusedAtOnceWithoutACheck() {
        engine.addGuard(new LoginGuard() {
            @Override
            public Decision check(ClientRef client) {
                throw new AssertionError("a shed attempt is not checked");
            }

            @Override
            public void outcome(ClientRef client, boolean success, String reason) {
                throw new AssertionError("a shed attempt has no outcome");
            }

            @Override
            public boolean shed(ClientRef client, boolean slowCheck) {
                return slowCheck && (client.username().startsWith("flood-") || client.username().equals("human"));
            }
        });
        Decision d = engine.authenticateNow(creds("flood-1", TYPED));
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo(LoginGuard.BUSY);
        assertThat(sink.events).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo(LoginGuard.BUSY));
        assertThat(count("bcrypt_verifications")).isZero();
        assertThat(engine.authenticateNow(creds("other", TYPED))).as("not shed: decided later").isNull();
        assertThat(engine.authenticateFast(creds("flood-2", TYPED))).as("the fast lane never sheds").isNull();
        assertThat(engine.authenticateNow(creds("flood-3", admin.generatePassword())))
                .as("a generated secret's check is cheap: never shed").isNull();
    }

    @Test
    void aRememberedLoginIsNeverShed() {
        assertThat(engine.authenticate(creds("human", TYPED)).reason()).isEqualTo("auth.ok");
        engine.addGuard(new LoginGuard() {
            @Override
            public Decision check(ClientRef client) {
                return Decision.allow("test.ok", "");
            }

            @Override
            public void outcome(ClientRef client, boolean success, String reason) {
            }

            @Override
            public boolean shed(ClientRef client, boolean slowCheck) {
                return true;
            }
        });
        assertThat(engine.authenticateNow(creds("human", TYPED))).isNull();
        assertThat(engine.authenticateFast(creds("human", TYPED)).reason()).isEqualTo("auth.ok-remembered");
        assertThat(engine.authenticateNow(creds("human", TYPED + "!")).reason()).isEqualTo(LoginGuard.BUSY);
    }

    @Test
    void aGeneratedFormIsAnsweredOnTheFastLaneWhateverTheAccount() {
        String secret = admin.generatePassword();
        admin.createAccount("device", secret, Set.of("sensor"), null, "test");
        assertThat(engine.authenticateFast(creds("device", secret)).reason()).isEqualTo("auth.ok");
        assertThat(engine.authenticateFast(creds("ghost", secret)).reason()).isEqualTo("auth.unknown-user");
        assertThat(engine.authenticateFast(creds("human", secret)).reason()).isEqualTo("auth.bad-password");
        assertThat(count("bcrypt_verifications")).isZero();
    }
}
