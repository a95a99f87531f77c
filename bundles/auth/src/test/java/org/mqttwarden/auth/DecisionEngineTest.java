package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.auth.WardenUnavailableException;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

class DecisionEngineTest {

    private static final String PW = "correct horse battery";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private JdbiAccountStore store;
    private AccountAdmin admin;
    private DecisionEngine engine;
    private SecurityEvents events;
    private final RecordingSink sink = new RecordingSink();

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        store = new JdbiAccountStore(db);
        events = new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        admin = new AccountAdmin(store, events, Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        engine = new DecisionEngine(store, events, Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        events.addSink(sink);
        admin.createAccount("dev1", PW, Set.of("sensor"), null, "test");
        admin.createAccount("ops", PW, Set.of("admin"), null, "test");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Decision login(String user, String password) {
        return engine.authenticate(new Credentials(user, password, "client-" + user));
    }

    private long bcryptRuns() {
        return engine.counters().get("bcrypt_verifications");
    }

    @Test
    void allowsTheRightPasswordAndDeniesEverythingElseAlike() {
        assertThat(login("dev1", PW)).extracting(Decision::allowed, Decision::reason).containsExactly(true, "auth.ok");
        Decision wrong = login("dev1", PW + "!");
        Decision unknown = login("ghost", PW);
        assertThat(wrong.allowed()).isFalse();
        assertThat(unknown.allowed()).isFalse();
        assertThat(wrong.reason()).isEqualTo("auth.bad-password");
        assertThat(unknown.reason()).isEqualTo("auth.unknown-user");
    }

    @Test
    void anUnknownUserStillPaysForABcrypt() {
        long before = bcryptRuns();
        login("ghost", PW);
        assertThat(bcryptRuns()).isEqualTo(before + 1);
    }

    @Test
    void aDisabledAccountCannotLogInEvenWithTheRightPassword() {
        admin.setEnabled("dev1", false, "test");
        assertThat(login("dev1", PW)).extracting(Decision::allowed, Decision::reason)
                .containsExactly(false, "auth.disabled");
        admin.setEnabled("dev1", true, "test");
        assertThat(login("dev1", PW).allowed()).isTrue();
    }

    @Test
    void remembersAVerificationSoAReconnectCostsNoBcrypt() {
        assertThat(login("dev1", PW).reason()).isEqualTo("auth.ok");
        long before = bcryptRuns();
        assertThat(login("dev1", PW).reason()).isEqualTo("auth.ok-remembered");
        assertThat(bcryptRuns()).isEqualTo(before);
        assertThat(login("dev1", PW + "x").allowed()).as("a wrong password is not remembered").isFalse();
    }

    @Test
    void aPasswordChangeDropsTheRememberedVerificationAtOnce() {
        login("dev1", PW);
        admin.setPassword("dev1", "another long password", "test");
        assertThat(login("dev1", PW).allowed()).isFalse();
        assertThat(login("dev1", "another long password").allowed()).isTrue();
    }

    @Test
    void disablingOrChangingRolesDropsTheRememberedVerification() {
        login("dev1", PW);
        admin.setEnabled("dev1", false, "test");
        assertThat(login("dev1", PW).allowed()).isFalse();
        admin.setEnabled("dev1", true, "test");
        login("dev1", PW);
        admin.grantRole("dev1", "viewer", "test");
        long before = bcryptRuns();
        assertThat(login("dev1", PW).reason()).isEqualTo("auth.ok");
        assertThat(bcryptRuns()).isEqualTo(before + 1);
    }

    @Test
    void aZeroTtlRemembersNothing() {
        DecisionEngine noMemory = new DecisionEngine(store, events,
                Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10, "verified.ttl.seconds", 0)));
        noMemory.authenticate(new Credentials("dev1", PW, "c"));
        assertThat(noMemory.authenticate(new Credentials("dev1", PW, "c")).reason()).isEqualTo("auth.ok");
    }

    @Test
    void rehashesAnOutdatedCostOnTheNextSuccessfulLogin() {
        DecisionEngine stronger = new DecisionEngine(store, events,
                Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 11)));
        assertThat(store.findAccount("dev1").orElseThrow().passwordHash()).startsWith("bcrypt-sha256$2a$10$");
        assertThat(stronger.authenticate(new Credentials("dev1", PW, "c")).allowed()).isTrue();
        assertThat(store.findAccount("dev1").orElseThrow().passwordHash()).startsWith("bcrypt-sha256$2a$11$");
        assertThat(stronger.authenticate(new Credentials("dev1", PW, "c")).allowed()).isTrue();
        assertThat(stronger.counters().get("rehashes")).isEqualTo(1);
    }

    @Test
    void deniesImpossibleInputBeforeAnyBcrypt() {
        long before = bcryptRuns();
        assertThat(login("a/b", PW).reason()).isEqualTo("auth.invalid-username");
        assertThat(login("dev1", "").reason()).isEqualTo("auth.invalid-password");
        assertThat(login("dev1", "p".repeat(129)).reason()).isEqualTo("auth.invalid-password");
        assertThat(login("x".repeat(129), PW).reason()).isEqualTo("auth.invalid-username");
        assertThat(bcryptRuns()).isEqualTo(before);
    }

    @Test
    void aGuardThatRefusesStopsTheLoginBeforeBcryptAndLooksLikeAWrongPassword() {
        List<String> told = new ArrayList<>();
        engine.addGuard(new LoginGuard() {
            @Override
            public Decision check(ClientRef client) {
                return client.username().equals("dev1") ? Decision.deny("lockout.locked", "locked") : Decision.allow(
                        "ok", "");
            }

            @Override
            public void outcome(ClientRef client, boolean success, String reason) {
                told.add(client.username() + ":" + success);
            }
        });
        long before = bcryptRuns();
        Decision locked = login("dev1", PW);
        assertThat(locked.allowed()).isFalse();
        assertThat(locked.reason()).isEqualTo("lockout.locked");
        assertThat(bcryptRuns()).isEqualTo(before);
        login("ops", PW);
        login("ops", "wrong password!");
        assertThat(told).containsExactly("ops:true", "ops:false");
    }

    @Test
    void failsClosedWhenARequiredGuardIsAbsent() {
        DecisionEngine strict = new DecisionEngine(store, events,
                Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10, "login.guard.required", true)));
        assertThatThrownBy(() -> strict.authenticate(new Credentials("dev1", PW, "c")))
                .isInstanceOf(WardenUnavailableException.class);
    }

    @Test
    void answersSuperuserOnlyForEnabledHoldersOfASuperuserRole() {
        assertThat(engine.superuser("ops").allowed()).isTrue();
        assertThat(engine.superuser("dev1").allowed()).isFalse();
        assertThat(engine.superuser("ghost").allowed()).isFalse();
        admin.addRole("ops2", true, "second superuser role", "test");
        admin.grantRole("dev1", "ops2", "test");
        assertThat(engine.superuser("dev1").allowed()).isTrue();
        admin.setEnabled("ops", false, "test");
        assertThat(engine.superuser("ops").allowed()).isFalse();
    }

    @Test
    void aclAloneGivesSuperusersEverything() {
        ClientRef ops = new ClientRef("ops", "c", null);
        for (Access a : Access.values()) {
            assertThat(engine.authorize(ops, "any/topic", a).reason()).isEqualTo("acl.superuser");
        }
        assertThat(engine.authorize(ops, "#", Access.SUBSCRIBE).allowed()).isTrue();
    }

    @Test
    void rulesTakeEffectOnTheNextRequest() {
        ClientRef dev = new ClientRef("dev1", "c", null);
        assertThat(engine.authorize(dev, "plant/line1/temp", Access.READ).allowed()).isFalse();
        AclRule rule = admin.addRule(new AclRule(0, SubjectType.ACCOUNT, "dev1", "plant/+/temp", Permission.READ, ""),
                "test");
        Decision d = engine.authorize(dev, "plant/line1/temp", Access.READ);
        assertThat(d.allowed()).isTrue();
        assertThat(d.detail()).contains("#" + rule.id());
        admin.removeRule(rule.id(), "test");
        assertThat(engine.authorize(dev, "plant/line1/temp", Access.READ).allowed()).isFalse();
    }

    @Test
    void disablingAnAccountDeniesItsCachedAllows() {
        ClientRef dev = new ClientRef("dev1", "c", null);
        assertThat(engine.authorize(dev, "dev1/temp", Access.WRITE).allowed()).isTrue();
        admin.setEnabled("dev1", false, "test");
        assertThat(engine.authorize(dev, "dev1/temp", Access.WRITE).reason()).isEqualTo("acl.account-disabled");
    }

    @Test
    void cachesDecisions() {
        ClientRef dev = new ClientRef("dev1", "c", null);
        engine.authorize(dev, "dev1/temp", Access.WRITE);
        long hits = engine.counters().get("acl_cache_hits");
        engine.authorize(dev, "dev1/temp", Access.WRITE);
        assertThat(engine.counters().get("acl_cache_hits")).isEqualTo(hits + 1);
    }

    @Test
    void offersItsCountersToMetricsAsTheEngineSource() {
        MetricSource source = engine;

        assertThat(source.name()).isEqualTo("engine");
        assertThat(source.counters()).containsOnlyKeys("acl_cache_hits", "acl_cache_misses", "remembered_logins",
                "bcrypt_verifications", "fast_verifications", "rehashes", "acl_index_builds");
        assertThat(source.gauges()).isEmpty();
    }

    @Test
    void answersAtOnceOnlyFromCurrentCachesAndNeverADenialASinkMustRecord() {
        ClientRef dev = new ClientRef("dev1", "c", null);
        assertThat(engine.authorizeNow(dev, "dev1/t", Access.WRITE)).as("nothing cached yet").isNull();
        Decision slow = engine.authorize(dev, "dev1/t", Access.WRITE);
        assertThat(engine.authorizeNow(dev, "dev1/t", Access.WRITE)).isEqualTo(slow);

        engine.authorize(dev, "other/t", Access.WRITE);
        assertThat(engine.authorizeNow(dev, "other/t", Access.WRITE)).as("a denial waits for the sinks").isNull();
        events.removeSink(sink);
        assertThat(engine.authorizeNow(dev, "other/t", Access.WRITE).allowed()).isFalse();
        events.addSink(sink);

        admin.setEnabled("dev1", false, "test");
        assertThat(engine.authorizeNow(dev, "dev1/t", Access.WRITE)).as("a change voids the caches").isNull();
        assertThat(engine.authorize(dev, "dev1/t", Access.WRITE).allowed()).isFalse();
    }

    @Test
    void answersSuperuserAtOnceOnceTheAccountIsCached() {
        assertThat(engine.superuserNow("ops")).isNull();
        assertThat(engine.superuser("ops").allowed()).isTrue();
        assertThat(engine.superuserNow("ops").allowed()).isTrue();
        engine.superuser("dev1");
        assertThat(engine.superuserNow("dev1").allowed()).isFalse();
        admin.revokeRole("ops", "admin", "test");
        assertThat(engine.superuserNow("ops")).isNull();
        assertThat(engine.superuser("ops").allowed()).isFalse();
    }

    @Test
    void everyDecisionBecomesAnEventWithoutTheSecret() {
        sink.events.clear();
        login("dev1", PW);
        login("dev1", "wrong password!");
        engine.superuser("dev1");
        engine.authorize(new ClientRef("dev1", "c9", null), "other/x", Access.WRITE);
        assertThat(sink.events).extracting(SecurityEvent::type, SecurityEvent::outcome, SecurityEvent::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EventType.AUTH, Outcome.ALLOW, "auth.ok"),
                        org.assertj.core.groups.Tuple.tuple(EventType.AUTH, Outcome.DENY, "auth.bad-password"),
                        org.assertj.core.groups.Tuple.tuple(EventType.SUPERUSER, Outcome.DENY, "superuser.no"),
                        org.assertj.core.groups.Tuple.tuple(EventType.ACL, Outcome.DENY, "acl.default-deny"));
        SecurityEvent acl = sink.events.get(3);
        assertThat(acl.roles()).containsExactly("sensor");
        assertThat(acl.clientId()).isEqualTo("c9");
        assertThat(acl.topic()).isEqualTo("other/x");
        assertThat(acl.access()).isEqualTo(Access.WRITE);
        assertThat(sink.events.toString()).doesNotContain(PW).doesNotContain("wrong password!");
    }

    @Test
    void aDenialWaitsForTheSinksButAnAllowDoesNot() throws Exception {
        CompletableFuture<Void> confirmation = new CompletableFuture<>();
        events.addSink(event -> confirmation);
        ClientRef dev = new ClientRef("dev1", "c", null);
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Decision> allow = caller.submit(() -> engine.authorize(dev, "dev1/x", Access.WRITE));
            assertThat(allow.get(10, TimeUnit.SECONDS).allowed()).as("answered, the sink still unconfirmed").isTrue();
            assertThat(confirmation).isNotDone();

            AtomicReference<Thread> thread = new AtomicReference<>();
            Future<Decision> deny = caller.submit(() -> {
                thread.set(Thread.currentThread());
                return engine.authorize(dev, "other/x", Access.WRITE);
            });
            // the caller parks waiting for the sink, and stays parked until the sink confirms
            await().atMost(Duration.ofSeconds(10)).until(() -> thread.get() != null
                    && thread.get().getState() == Thread.State.TIMED_WAITING);
            assertThat(deny).isNotDone();
            confirmation.complete(null);
            assertThat(deny.get(10, TimeUnit.SECONDS).allowed()).isFalse();
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void aSinkThatNeverConfirmsDelaysADenialOnlyUpToTheBound() throws Exception {
        AuthConfig config = Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10, "event.wait.ms", 200));
        SecurityEvents slow = new SecurityEvents(config);
        DecisionEngine bounded = new DecisionEngine(store, slow, config);
        CompletableFuture<Void> never = new CompletableFuture<>();
        slow.addSink(event -> never);
        // answered although the sink never confirms: the wait is bounded (its length is a timing, not tested here)
        assertThat(CompletableFuture.supplyAsync(() -> bounded.authorize(new ClientRef("dev1", "c", null), "other/x",
                Access.WRITE)).get(10, TimeUnit.SECONDS).allowed()).isFalse();
        assertThat(never).isNotDone();
    }

    @Test
    void aStoreFailureIsAnErrorNotADenial() {
        db.close();
        assertThatThrownBy(() -> login("newcomer", PW)).isInstanceOf(WardenUnavailableException.class);
    }
}
