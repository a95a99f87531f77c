package org.mqttwarden.crypto.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.mqttwarden.crypto.session.Handshake;
import org.mqttwarden.crypto.session.Identity;
import org.mqttwarden.crypto.session.Peers;
import org.mqttwarden.crypto.session.Session;
import org.mqttwarden.testsupport.TestClock;

/** The responder's session bookkeeping: pending, current, previous, and when each is erased. */
class SessionTableTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Identity DEVICE = Identity.generate("device-1", RANDOM);
    private static final Identity GATEWAY = Identity.generate("gateway", RANDOM);
    private static final Peers PEERS = id -> Optional.ofNullable(Map.of(DEVICE.id(), DEVICE.publicKey(),
            GATEWAY.id(), GATEWAY.publicKey()).get(id));

    private final TestClock clock = new TestClock(Instant.now());
    private final List<Session> destroyed = new CopyOnWriteArrayList<>();
    private final SessionTable table = new SessionTable(clock, Duration.ofSeconds(30), Duration.ofHours(1),
            destroyed::add);

    @Test
    void messagesInFlightUnderThePreviousSessionOpenUntilTheGraceEnds() throws Exception {
        Session first = answered();
        assertThat(table.opened(first.keyId(), "device-1")).isEqualTo(SessionTable.Verdict.OK);
        Session second = answered();
        assertThat(table.opened(second.keyId(), "device-1")).isEqualTo(SessionTable.Verdict.OK);

        clock.advance(Duration.ofSeconds(29));
        assertThat(table.find(first.keyId())).as("in flight under the previous session").isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(table.find(first.keyId())).isEmpty();
        assertThat(first.destroyed()).isTrue();
        assertThat(table.find(second.keyId())).isPresent();

        Session third = answered();
        table.opened(third.keyId(), "device-1");
        Session fourth = answered();
        table.opened(fourth.keyId(), "device-1");
        assertThat(third.destroyed()).isFalse();
        assertThat(second.destroyed()).as("a second switch ends the grace of the one before").isTrue();
    }

    @Test
    void anUnconfirmedSessionDisplacesNothingAndExpires() throws Exception {
        Session inUse = answered();
        table.opened(inUse.keyId(), "device-1");
        // what a replayed hello gets: sessions nobody ever sends under
        List<Session> replays = List.of(answered(), answered(), answered(), answered(), answered());
        assertThat(replays.get(0).destroyed()).as("at most four pending per peer").isTrue();
        assertThat(table.find(inUse.keyId())).isPresent();
        assertThat(inUse.destroyed()).isFalse();

        clock.advance(Duration.ofSeconds(30));
        assertThat(table.find(inUse.keyId())).isPresent();
        assertThat(replays).allMatch(Session::destroyed);
        assertThat(table.liveKeyIds()).containsExactly(inUse.keyId());
    }

    @Test
    void aSessionKeyOpensOnlyItsPeersMessagesAndAnIdleSessionIsErasedAfterTheRekeyAge() throws Exception {
        Session s = answered();
        assertThat(table.opened(s.keyId(), "device-2")).isEqualTo(SessionTable.Verdict.WRONG_SENDER);
        assertThat(table.opened("session:00", "device-1")).isEqualTo(SessionTable.Verdict.GONE);
        assertThat(table.opened(s.keyId(), "device-1")).isEqualTo(SessionTable.Verdict.OK);

        clock.advance(Duration.ofHours(1).plusSeconds(30));
        assertThat(table.find(s.keyId())).isEmpty();
        assertThat(s.destroyed()).isTrue();
        assertThat(destroyed).containsExactly(s);
        assertThat(table.liveKeyIds()).isEmpty();
    }

    private Session answered() throws Exception {
        Handshake.Initiation i = Handshake.initiate(DEVICE, RANDOM, clock);
        Handshake.Response r = Handshake.respond(GATEWAY, i.hello(), PEERS, RANDOM, clock);
        table.offer(r.session());
        return r.session();
    }
}
