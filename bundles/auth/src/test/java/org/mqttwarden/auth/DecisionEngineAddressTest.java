package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.ClientAddressResolver;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

/** How the engine fills the client address that go-auth does not send. */
class DecisionEngineAddressTest {

    private static final String PW = "correct horse battery";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private JdbiAccountStore store;
    private DecisionEngine engine;
    private SecurityEvents events;
    private final RecordingSink sink = new RecordingSink();
    private final RecordingGuard guard = new RecordingGuard();
    private final KnownAddresses addresses = new KnownAddresses();

    /** Stands for the log-watching resolver: answers from a map, counts the questions. */
    private static final class KnownAddresses implements ClientAddressResolver {
        final Map<String, String> byClientId = new ConcurrentHashMap<>();
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public String addressOf(String clientId) {
            asked.incrementAndGet();
            return byClientId.get(clientId);
        }
    }

    /** Remembers the address of every client it is asked about and told about. */
    private static final class RecordingGuard implements LoginGuard {
        final List<String> checked = new CopyOnWriteArrayList<>();
        final List<String> told = new CopyOnWriteArrayList<>();

        @Override
        public Decision check(ClientRef client) {
            checked.add(String.valueOf(client.address()));
            return Decision.allow("guard.ok", "");
        }

        @Override
        public void outcome(ClientRef client, boolean success, String reason) {
            told.add(String.valueOf(client.address()));
        }
    }

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        store = new JdbiAccountStore(db);
        new AccountAdmin(store, new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10))), Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)))
                .createAccount("dev1", PW, Set.of("sensor"), null, "test");
        events = new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        engine = new DecisionEngine(store, events, Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        events.addSink(sink);
        engine.addGuard(guard);
        addresses.byClientId.put("dev-1", "10.0.0.5");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Decision login(String password) {
        return engine.authenticate(new Credentials("dev1", password, "dev-1"));
    }

    private static ClientRef dev(String address) {
        return new ClientRef("dev1", "dev-1", address);
    }

    @Test
    void guardsAndEventsCarryTheAddressTheResolverKnows() {
        engine.setAddressResolver(addresses);
        assertThat(login(PW).allowed()).isTrue();
        assertThat(login("wrong password!").allowed()).isFalse();
        assertThat(engine.authorize(dev(null), "dev1/temp", Access.WRITE).allowed()).isTrue();
        assertThat(engine.authorize(dev(null), "other/temp", Access.WRITE).allowed()).isFalse();
        assertThat(engine.authorizeNow(dev(null), "dev1/temp", Access.WRITE)).as("from the cache").isNotNull();

        assertThat(guard.checked).containsExactly("10.0.0.5", "10.0.0.5");
        assertThat(guard.told).containsExactly("10.0.0.5", "10.0.0.5");
        assertThat(sink.events).extracting(SecurityEvent::type, SecurityEvent::address).containsExactly(
                org.assertj.core.groups.Tuple.tuple(EventType.AUTH, "10.0.0.5"),
                org.assertj.core.groups.Tuple.tuple(EventType.AUTH, "10.0.0.5"),
                org.assertj.core.groups.Tuple.tuple(EventType.ACL, "10.0.0.5"),
                org.assertj.core.groups.Tuple.tuple(EventType.ACL, "10.0.0.5"),
                org.assertj.core.groups.Tuple.tuple(EventType.ACL, "10.0.0.5"));
    }

    @Test
    void withoutAResolverTheAddressStaysUnknown() {
        login(PW);
        engine.authorize(dev(null), "dev1/temp", Access.WRITE);
        assertThat(guard.checked).containsExactly("null");
        assertThat(guard.told).containsExactly("null");
        assertThat(sink.events).extracting(SecurityEvent::address).containsExactly(null, null);
    }

    @Test
    void anUnknownClientIdLeavesTheAddressUnknown() {
        engine.setAddressResolver(addresses);
        engine.authenticate(new Credentials("dev1", PW, "stranger"));
        engine.authenticate(new Credentials("dev1", PW, ""));
        assertThat(sink.events).extracting(SecurityEvent::address).containsExactly(null, null);
        assertThat(addresses.asked).as("an empty client id is not asked about").hasValue(1);
    }

    @Test
    void aFailingResolverChangesNoDecision() {
        Decision before = engine.authorize(dev(null), "other/temp", Access.WRITE);
        engine.setAddressResolver(clientId -> {
            throw new IllegalStateException("resolver broken");
        });
        assertThat(login(PW).allowed()).isTrue();
        assertThat(engine.authorize(dev(null), "other/temp", Access.WRITE)).isEqualTo(before);
        assertThat(engine.authorize(dev(null), "dev1/temp", Access.WRITE).allowed()).isTrue();
        assertThat(guard.told).containsExactly("null");
        assertThat(sink.events).extracting(SecurityEvent::address).containsOnlyNulls().hasSize(4);
    }

    @Test
    void anAnswerThatIsNoAddressIsTreatedAsUnknown() {
        addresses.byClientId.put("dev-1", "10.0.0.5\n2024-01-01 INFO forged audit line");
        engine.setAddressResolver(addresses);
        login(PW);
        addresses.byClientId.put("dev-1", "10.0.0.5:51234");
        engine.authorize(dev(null), "other/temp", Access.WRITE);
        addresses.byClientId.put("dev-1", "x".repeat(200));
        engine.authorize(dev(null), "dev1/temp", Access.WRITE);
        assertThat(guard.checked).containsExactly("null");
        assertThat(sink.events).extracting(SecurityEvent::address).containsExactly(null, null, null);
    }

    @Test
    void anIpv6AnswerIsRecordedInNormalForm() {
        addresses.byClientId.put("dev-1", "[2001:DB8::1]");
        engine.setAddressResolver(addresses);
        engine.authorize(dev(null), "other/temp", Access.WRITE);
        assertThat(sink.events).extracting(SecurityEvent::address).containsExactly("2001:db8::1");
    }

    @Test
    void anAddressTheCallerGivesIsKept() {
        engine.setAddressResolver(addresses);
        engine.authorize(dev("192.0.2.7"), "other/temp", Access.WRITE);
        assertThat(sink.events).extracting(SecurityEvent::address).containsExactly("192.0.2.7");
        assertThat(addresses.asked).hasValue(0);
    }

    @Test
    void theResolverIsAskedOnlyWhenAGuardOrASinkWillSeeTheAnswer() {
        events.removeSink(sink);
        engine.removeGuard(guard);
        engine.setAddressResolver(addresses);
        login(PW);
        engine.authorize(dev(null), "dev1/temp", Access.WRITE);
        assertThat(engine.authorizeNow(dev(null), "dev1/temp", Access.WRITE)).isNotNull();
        engine.superuser("dev1");
        assertThat(addresses.asked).hasValue(0);
    }

    @Test
    void aResolverThatGoesAwayIsNoLongerAskedButItsReplacementIs() {
        KnownAddresses better = new KnownAddresses();
        better.byClientId.put("dev-1", "10.0.0.9");
        engine.setAddressResolver(addresses);
        engine.setAddressResolver(better);
        engine.unsetAddressResolver(addresses);
        engine.authorize(dev(null), "other/temp", Access.WRITE);
        engine.unsetAddressResolver(better);
        engine.authorize(dev(null), "other/temp", Access.WRITE);
        assertThat(sink.events).extracting(SecurityEvent::address).containsExactly("10.0.0.9", null);
        assertThat(addresses.asked).hasValue(0);
    }
}
