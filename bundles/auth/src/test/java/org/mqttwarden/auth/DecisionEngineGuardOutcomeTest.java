package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.auth.WardenUnavailableException;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

/**
 * A login guard that reserves something in {@code check} (warden-lockout counts attempts in flight)
 * must be told exactly one outcome for every check it allowed, whatever happens after it: a later
 * guard refusing, the store failing, a guard throwing.
 */
class DecisionEngineGuardOutcomeTest {

    private static final String PW = "correct horse battery";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private DecisionEngine engine;

    /** Records checks allowed and outcomes told; {@link #open()} says how many checks were never told. */
    private static final class CountingGuard implements LoginGuard {
        final List<String> told = new CopyOnWriteArrayList<>();
        private final Decision answer;
        int allowed;

        CountingGuard(Decision answer) {
            this.answer = answer;
        }

        @Override
        public synchronized Decision check(ClientRef client) {
            if (answer.allowed()) {
                allowed++;
            }
            return answer;
        }

        @Override
        public void outcome(ClientRef client, boolean success, String reason) {
            told.add(success + ":" + reason);
        }

        synchronized int open() {
            return allowed - told.size();
        }
    }

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        JdbiAccountStore store = new JdbiAccountStore(db);
        new AccountAdmin(store, new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10))), Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)))
                .createAccount("dev1", PW, Set.of("sensor"), null, "test");
        engine = new DecisionEngine(store, new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10))), Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
    }

    @AfterEach
    void stop() {
        db.close();
    }

    private Decision login(String user, String password) {
        return engine.authenticate(new Credentials(user, password, "client-" + user));
    }

    @Test
    void aGuardIsToldAuthErrorWhenTheStoreFailsAfterItsCheck() {
        CountingGuard guard = new CountingGuard(Decision.allow("ok", ""));
        engine.addGuard(guard);
        assertThat(login("dev1", "wrong password!").reason()).isEqualTo("auth.bad-password");
        db.close();
        assertThatThrownBy(() -> login("newcomer", PW)).isInstanceOf(WardenUnavailableException.class);
        assertThat(guard.told).containsExactly("false:auth.bad-password", "false:auth.error");
        assertThat(guard.open()).isZero();
    }

    @Test
    void anEarlierGuardIsToldTheLaterGuardsRefusalOnce() {
        CountingGuard first = new CountingGuard(Decision.allow("ok", ""));
        CountingGuard second = new CountingGuard(Decision.deny("lockout.locked", "locked"));
        engine.addGuard(first);
        engine.addGuard(second);
        assertThat(login("dev1", PW).reason()).isEqualTo("lockout.locked");
        assertThat(first.told).containsExactly("false:lockout.locked");
        assertThat(second.told).as("a guard that refused reserved nothing and is not told").isEmpty();
    }

    @Test
    void aThrowingCheckStillReleasesTheGuardsThatAllowedBeforeIt() {
        CountingGuard first = new CountingGuard(Decision.allow("ok", ""));
        engine.addGuard(first);
        engine.addGuard(new LoginGuard() {
            @Override
            public Decision check(ClientRef client) {
                throw new IllegalStateException("guard broken");
            }

            @Override
            public void outcome(ClientRef client, boolean success, String reason) {
                throw new AssertionError("never checked, never told");
            }
        });
        assertThatThrownBy(() -> login("dev1", PW)).isInstanceOf(IllegalStateException.class);
        assertThat(first.told).containsExactly("false:auth.error");
    }

    @Test
    void everyAllowedCheckIsToldExactlyOnceOnEveryPath() {
        CountingGuard guard = new CountingGuard(Decision.allow("ok", ""));
        engine.addGuard(guard);
        login("dev1", PW);
        login("dev1", PW);
        login("ghost", PW);
        login("dev1", "wrong password!");
        login("", PW);
        assertThat(guard.told).containsExactly("true:auth.ok", "true:auth.ok-remembered", "false:auth.unknown-user",
                "false:auth.bad-password");
        assertThat(guard.open()).isZero();
    }
}
