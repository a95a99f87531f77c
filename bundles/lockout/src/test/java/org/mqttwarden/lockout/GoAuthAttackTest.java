package org.mqttwarden.lockout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.http.GoAuthServer;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;

/**
 * The guard behind the real go-auth endpoint: SQLite file, Jdbi store, decision engine, account admin
 * and the Undertow server, wired as Declarative Services wires them, attacked over HTTP with go-auth's
 * JSON body.
 */
class GoAuthAttackTest {

    private static final String SECRET = "the owner's long password";
    private static final String NEW_SECRET = "the owner's new long password";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private AuthStack auth;
    private AccountService admin;
    private LockoutGuard guard;
    private AccountChanges changes;
    private GoAuthServer server;
    private final Attempts.Sink audit = new Attempts.Sink();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        open();
        admin.createAccount("plc-1", SECRET, Set.of("sensor"), null, "test");
    }

    private void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        JdbiAccountStore store = new JdbiAccountStore(db);
        auth = AuthStack.on(store, Map.of("login.guard.required", true));
        admin = auth.accounts();
        // real time: the login budget would refuse most of these floods (LoginBudgetTest tests it)
        guard = new LockoutGuard(db, TestConfig.defaults().budget(0).config());
        changes = new AccountChanges(guard);
        auth.guard(guard);
        auth.sink(audit);
        auth.sink(changes);
        guard.setEvents(auth.eventObjects());
        server = LoopbackHttp.start(auth.authenticator(), auth.authorizer(), db);
    }

    @AfterEach
    void stop() {
        close();
    }

    private void close() {
        server.stop();
        changes.close();
        db.close();
    }

    private int login(String user, String password, String clientId) throws Exception {
        String body = "{\"clientid\":\"" + clientId + "\",\"password\":\"" + password + "\",\"username\":\"" + user
                + "\"}";
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/user"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60)).build();
        return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private long bcrypt() {
        return auth.metrics().counters().get("bcrypt_verifications");
    }

    private List<String> authReasons() {
        return audit.events.stream().filter(e -> e.type() == org.mqttwarden.api.event.EventType.AUTH)
                .map(SecurityEvent::reason).toList();
    }

    @Test
    void fiveHundredParallelWrongLoginsCountFiveFailuresLockAndTheRightPasswordIsRefusedWithoutBcrypt()
            throws Exception {
        long bcryptBefore = bcrypt();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        ExecutorService attackers = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> attacks = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int n = i;
            attacks.add(attackers.submit(() -> {
                go.await();
                int status = login("plc-1", "guess-" + n, "attacker-" + n);
                statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : attacks) {
            f.get();
        }
        attackers.shutdown();

        assertThat(statuses.keySet()).as("every attempt looks like a wrong password").containsOnly(403);
        assertThat(statuses.get(403).get()).isEqualTo(500);
        assertThat(guard.counters().get("failures_counted")).isEqualTo(5);
        assertThat(guard.counters().get("account_locks")).isEqualTo(1);
        assertThat(authReasons().stream().filter("auth.bad-password"::equals)).hasSize(5);
        assertThat(bcrypt() - bcryptBefore).as("bcrypt runs: only the 5 counted guesses").isEqualTo(5);
        LockoutEntry locked = guard.list().get(0);
        assertThat(locked.name()).isEqualTo("plc-1");
        assertThat(locked.locked()).isTrue();
        assertThat(audit.events).filteredOn(e -> e.reason().equals("lockout.account-locked")).hasSize(1);

        long before = bcrypt();
        assertThat(login("plc-1", SECRET, "plc-1")).as("the right password while locked").isEqualTo(403);
        assertThat(bcrypt()).as("a locked login runs no bcrypt").isEqualTo(before);
        assertThat(authReasons().get(authReasons().size() - 1)).isEqualTo("lockout.locked");

        // a restart keeps the lock
        close();
        open();
        assertThat(login("plc-1", SECRET, "plc-1")).isEqualTo(403);

        // a password change clears it
        admin.setPassword("plc-1", NEW_SECRET, "shell:admin");
        await().atMost(Duration.ofSeconds(5)).until(() -> guard.list().isEmpty());
        assertThat(login("plc-1", NEW_SECRET, "plc-1")).isEqualTo(200);
    }

    @Test
    void anUnknownUsernameIsLockedLikeAnAccountAndAnswersTheSame() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(login("ghost", "guess-" + i, "g-" + i)).isEqualTo(403);
            assertThat(login("plc-1", "guess-" + i, "p-" + i)).isEqualTo(403);
        }
        long before = bcrypt();
        assertThat(login("ghost", "guess", "g")).isEqualTo(403);
        assertThat(login("plc-1", SECRET, "p")).isEqualTo(403);
        assertThat(bcrypt()).isEqualTo(before);
        List<String> reasons = authReasons();
        assertThat(reasons.subList(reasons.size() - 2, reasons.size())).containsOnly("lockout.locked");
    }

    /** The alert raised by the same attack is tested with warden-alerts ({@code AlertHttpReplayTest}). */
    @Test
    void thirtyWrongPasswordsFromOtherClientIdsLockOnlyThoseSourcesWhileTheDeviceGetsIn() throws Exception {
        assertThat(login("plc-1", SECRET, "plc-1")).as("the device, some day before").isEqualTo(200);
        for (int i = 0; i < 30; i++) {
            assertThat(login("plc-1", "guess-" + i, "attacker-" + i)).isEqualTo(403);
        }
        assertThat(login("plc-1", SECRET, "plc-1")).as("the device reconnects at once").isEqualTo(200);
        assertThat(login("plc-1", SECRET, "attacker-0")).as("the attacker's sources are locked").isEqualTo(403);
        List<String> reasons = authReasons();
        assertThat(reasons.stream().filter("auth.bad-password"::equals)).hasSize(5);
        assertThat(reasons.stream().filter("lockout.locked"::equals)).hasSize(26);
        assertThat(reasons.get(reasons.size() - 1)).isEqualTo("lockout.locked");
        assertThat(guard.list()).filteredOn(e -> !e.source()).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo("plc-1");
            assertThat(e.scope()).isEqualTo(LockoutEntry.UNTRUSTED);
            assertThat(e.locked()).isTrue();
        });
        assertThat(audit.events).filteredOn(e -> e.reason().equals("lockout.account-locked")).singleElement()
                .satisfies(e -> assertThat(e.detail()).containsEntry("scope", LockoutEntry.UNTRUSTED));

        // five wrong passwords from the device's own client id lock that source (for plc-1) too
        for (int i = 0; i < 5; i++) {
            assertThat(login("plc-1", "guess-own-" + i, "plc-1")).isEqualTo(403);
        }
        assertThat(login("plc-1", SECRET, "plc-1")).isEqualTo(403);
        assertThat(authReasons().get(authReasons().size() - 1)).isEqualTo("lockout.locked");
        assertThat(guard.list()).filteredOn(e -> !e.source()).extracting(LockoutEntry::scope, LockoutEntry::locked)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(LockoutEntry.UNTRUSTED, true),
                        org.assertj.core.groups.Tuple.tuple(LockoutEntry.TRUSTED + "client:plc-1", true));
    }

    @Test
    void theDeviceStillGetsInAfterARestartWhileTheAttackersSourcesStayLocked() throws Exception {
        assertThat(login("plc-1", SECRET, "plc-1")).isEqualTo(200);
        for (int i = 0; i < 6; i++) {
            assertThat(login("plc-1", "guess-" + i, "attacker-" + i)).isEqualTo(403);
        }
        close();
        open();
        assertThat(login("plc-1", SECRET, "attacker-9")).isEqualTo(403);
        assertThat(login("plc-1", SECRET, "plc-1")).as("trust is stored").isEqualTo(200);
        assertThat(authReasons().subList(authReasons().size() - 2, authReasons().size()))
                .containsExactly("lockout.locked", "auth.ok");
    }
}
