package org.mqttwarden.broker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.lockout.LockoutGuard;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.Mosquitto;

/**
 * The proof: 20 failed logins from one address with 20 different client ids lock that address
 * ({@code lockout.source-throttled}), the address coming from this bundle's resolver. Real parts throughout: the
 * real Mosquitto, its real log followed by {@link LogWatch}, an auth plugin asking at go-auth's point
 * ({@link StandInGoAuth}), warden-auth's decision engine ({@link AuthStack}) with warden-lockout's real
 * {@link LockoutGuard} on a real SQLite file. Each login goes through the engine as Warden's {@code /user} does.
 */
class SourceLockoutTest {

    private static final String PASSWORD = "right-password";

    @TempDir
    Path dir;

    private final Map<String, Decision> decisions = new ConcurrentHashMap<>();
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private SqliteDatabase db;
    private StandInGoAuth auth;
    private Mosquitto broker;
    private LogWatch watch;

    @AfterEach
    void stop() throws Exception {
        if (watch != null) {
            watch.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (auth != null) {
            auth.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private void login(String from, String clientId, String username, String password) throws Exception {
        MqttClient c = new MqttClient(broker.url(), clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(username);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        o.setConnectionTimeout(20);
        o.setSocketFactory(StandInGoAuth.from(InetAddress.getByName(from)));
        try {
            c.connect(o);
            c.disconnect();
        } finally {
            c.close();
        }
    }

    @Test
    void twentyFailedLoginsFromOneAddressWithTwentyClientIdsLockThatAddress() throws Exception {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        AuthStack stack = AuthStack.on(new JdbiAccountStore(db));
        stack.sink(new EventSink() {
            @Override
            public CompletionStage<Void> accept(SecurityEvent event) {
                events.add(event);
                return CompletableFuture.completedFuture(null);
            }
        });
        // no login budget: this is about counting failures by source, not about the share of time logins take
        stack.guard(new LockoutGuard(db, Configs.of(LockoutGuard.Config.class, Map.of("login.budget.percent", 0))));
        stack.accounts().createAccount("device", PASSWORD, Set.of("viewer"), null, "test");
        Authenticator engine = stack.authenticator();

        auth = StandInGoAuth.start(dir, login -> {
            Decision d = engine.authenticate(new Credentials(login.username(), login.password(), login.clientId()));
            decisions.put(login.clientId(), d);
            return d.allowed();
        });
        Path log = dir.resolve("log").resolve("mosquitto.log");
        Files.createDirectories(log.getParent());
        broker = auth.configure(Mosquitto.in(dir.resolve("broker")), log).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log)
                && Files.readString(log).contains("closed its connection"));
        watch = new LogWatch(log, Clock.systemUTC(), new LogSensors.Thresholds(0, 0, 10), e -> { }, ZoneId.systemDefault())
                .start();
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.follower().passes.sum() > 0);
        stack.resolver(watch);

        // an attacker at 127.0.0.77 tries 20 usernames, each with a fresh client id
        for (int i = 0; i < 20; i++) {
            String id = "guess-" + i;
            String user = "user-" + i;
            assertThatThrownBy(() -> login("127.0.0.77", id, user, "wrong-password"))
                    .isInstanceOf(MqttException.class);
        }
        assertThat(events.stream().filter(e -> e.type() == EventType.AUTH && e.clientId().startsWith("guess-"))
                .map(SecurityEvent::address)).as("each failed login's audit event has the attacker's address")
                .hasSize(20).containsOnly("127.0.0.77");

        // the address is locked: even the right password, from a fresh client id there, is refused
        assertThatThrownBy(() -> login("127.0.0.77", "fresh-id", "device", PASSWORD)).isInstanceOf(MqttException.class);
        assertThat(decisions.get("fresh-id").reason()).isEqualTo("lockout.source-throttled");

        // the device itself, from its own address, is not
        login("127.0.0.78", "device-1", "device", PASSWORD);
        assertThat(decisions.get("device-1").allowed()).isTrue();
    }
}
