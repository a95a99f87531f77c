package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

/**
 * A guard's load-shedding refusal ({@link LoginGuard#BUSY}) is answered without waiting for its event to
 * be stored; any other refusal still waits. The sink here confirms only when the test says so, and the
 * engine would wait for it up to ten minutes.
 */
class ShedRefusalTest {

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private DecisionEngine engine;
    private final ExecutorService caller = Executors.newSingleThreadExecutor();
    private final CompletableFuture<Void> stored = new CompletableFuture<>();
    private final List<SecurityEvent> received = new CopyOnWriteArrayList<>();

    /** Refuses with the reason it is given. */
    private record Refusing(String reason) implements LoginGuard {
        @Override
        public Decision check(ClientRef client) {
            return Decision.deny(reason, "");
        }

        @Override
        public void outcome(ClientRef client, boolean success, String r) {
        }
    }

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        JdbiAccountStore store = new JdbiAccountStore(db);
        new AccountAdmin(store, new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10))), Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)))
                .createAccount("dev1", "correct horse battery", Set.of("sensor"), null, "test");
        AuthConfig config = Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10, "event.wait.ms", 600_000));
        SecurityEvents events = new SecurityEvents(config);
        engine = new DecisionEngine(store, events, config);
        events.addSink(new EventSink() {
            @Override
            public CompletionStage<Void> accept(SecurityEvent event) {
                received.add(event);
                return stored;
            }
        });
    }

    @AfterEach
    void stop() {
        stored.complete(null);
        caller.shutdownNow();
        db.close();
    }

    private Future<Decision> login() {
        return caller.submit(() -> engine.authenticate(new Credentials("dev1", "correct horse battery", "c1")));
    }

    @Test
    void aLoadSheddingRefusalIsAnsweredWithoutWaitingForItsEventToBeStored() throws Exception {
        engine.addGuard(new Refusing(LoginGuard.BUSY));
        Decision d = login().get(30, TimeUnit.SECONDS);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo(LoginGuard.BUSY);
        assertThat(received).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(LoginGuard.BUSY);
            assertThat(e.securityRelevant()).as("still a denial for the audit").isTrue();
        });
        assertThat(stored).isNotDone();
    }

    @Test
    void anyOtherRefusalStillWaitsForItsEventToBeStored() throws Exception {
        engine.addGuard(new Refusing("lockout.locked"));
        Future<Decision> answer = login();
        await().atMost(Duration.ofSeconds(30)).until(() -> !received.isEmpty());
        assertThat(answer).as("waiting for the sink").isNotDone();
        stored.complete(null);
        assertThat(answer.get(30, TimeUnit.SECONDS).reason()).isEqualTo("lockout.locked");
    }
}
