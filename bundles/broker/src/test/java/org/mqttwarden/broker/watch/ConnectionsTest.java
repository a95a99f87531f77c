package org.mqttwarden.broker.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.mqttwarden.testsupport.TestClock;

/**
 * The correlation rules of {@link Connections}, line by line in the order Mosquitto 2.0.11 writes them (the forms
 * are those LogCorpusTest records from the real broker). The resolver is asked where go-auth's {@code /user}
 * would reach Warden: after the connection's "New connection" line, before its outcome line.
 */
class ConnectionsTest {

    private final TestClock clock = new TestClock();
    private final Connections connections = new Connections(clock);
    private final LogParser parser = new LogParser(ZoneOffset.UTC);

    private void log(String message) {
        LogLine line = parser.parse("1796694219: " + message);
        assertThat(line).as(message).isNotNull();
        connections.apply(line);
    }

    @Test
    void knowsTheFirstLoginOfALoneConnectionFromItsNewConnectionLine() {
        log("New connection from 10.0.0.5:48206 on port 8883.");
        assertThat(connections.addressOf("sensor-1")).isEqualTo("10.0.0.5");
        log("New client connected from 10.0.0.5:48206 as sensor-1 (p5, c1, k60, u'sensor').");
        assertThat(connections.addressOf("sensor-1")).isEqualTo("10.0.0.5");
        assertThat(connections.pendingAddresses()).isEmpty();
        log("Client sensor-1 disconnected.");
        assertThat(connections.addressOf("sensor-1")).isNull();
    }

    @Test
    void answersNothingWhenPendingConnectionsComeFromSeveralAddresses() {
        log("New connection from 10.0.0.5:1000 on port 8883.");
        log("New connection from 10.0.0.6:1001 on port 8883.");
        assertThat(connections.addressOf("who")).isNull();
        assertThat(connections.ambiguous.sum()).isEqualTo(1);
        // once one logs in, the other is alone
        log("New client connected from 10.0.0.6:1001 as other (p2, c1, k60, u'x').");
        assertThat(connections.addressOf("who")).isEqualTo("10.0.0.5");
    }

    @Test
    void severalPendingConnectionsFromOneAddressGiveThatAddress() {
        for (int port = 2000; port < 2005; port++) {
            log("New connection from 192.168.1.9:" + port + " on port 8883.");
        }
        assertThat(connections.addressOf("a")).isEqualTo("192.168.1.9");
        assertThat(connections.addressOf("b")).isEqualTo("192.168.1.9");
    }

    @Test
    void aRefusedLoginOf2011IsForgottenThoughItsLineHasNoClientId() {
        log("New connection from 10.0.0.5:1000 on port 8883.");
        assertThat(connections.addressOf("bad-1")).isEqualTo("10.0.0.5");
        log("Client <unknown> disconnected, not authorised.");
        assertThat(connections.pendingAddresses()).isEmpty();
        assertThat(connections.addressOf("bad-1")).isNull();
        // the next connection, from elsewhere, is alone again and not confused with the refused one
        log("New connection from 10.0.0.7:1001 on port 8883.");
        assertThat(connections.addressOf("bad-2")).isEqualTo("10.0.0.7");
    }

    @Test
    void aRefusedLoginAmongPendingConnectionsFromSeveralAddressesIsTheOneThatWasAsked() {
        log("New connection from 10.0.0.5:1000 on port 8883.");
        assertThat(connections.addressOf("bad-1")).isEqualTo("10.0.0.5");
        log("New connection from 10.0.0.6:1001 on port 8883.");
        log("Client <unknown> disconnected, not authorised.");
        assertThat(connections.pendingAddresses()).containsExactly("10.0.0.6");
    }

    @Test
    void anUnattributableEndKeepsThePendingSetAmbiguousNeverWrong() {
        log("New connection from 10.0.0.5:1000 on port 8883.");
        log("New connection from 10.0.0.6:1001 on port 8883.");
        log("Client <unknown> disconnected due to protocol error.");
        // which one ended is unknown: both stay, and the next question is ambiguous rather than a guess
        assertThat(connections.pendingAddresses()).containsExactly("10.0.0.5", "10.0.0.6");
        assertThat(connections.addressOf("next")).isNull();
    }

    @Test
    void pendingConnectionsExpire() {
        log("New connection from 10.0.0.5:1000 on port 8883.");
        clock.advance(Duration.ofSeconds(Connections.PENDING_TTL_SECONDS + 1));
        log("New connection from 10.0.0.6:1001 on port 8883.");
        assertThat(connections.addressOf("late")).isEqualTo("10.0.0.6");
    }

    @Test
    void aReusedClientIdTakesTheNewAddressAndAnOldEndDoesNotRemoveIt() {
        log("New connection from 127.0.0.1:49692 on port 18883.");
        log("New client connected from 127.0.0.1:49692 as same (p2, c1, k60, u'u1').");
        log("New connection from ::1:42132 on port 18884.");
        log("New client connected from ::1:42132 as same (p5, c1, k60, u'u1').");
        assertThat(connections.addressOf("same")).isEqualTo("::1");
        // 2.1 names the endpoint that ended: the old one's end leaves the new connection alone
        log("Client same [127.0.0.1:49692] disconnected.");
        assertThat(connections.addressOf("same")).isEqualTo("::1");
        log("Client same [::1:42132] disconnected.");
        assertThat(connections.addressOf("same")).isNull();
    }

    @Test
    void aBrokerRestartForgetsEveryone() {
        log("New connection from 10.0.0.5:1000 on port 8883.");
        log("New client connected from 10.0.0.5:1000 as a (p5, c1, k60, u'a').");
        log("New connection from 10.0.0.6:1001 on port 8883.");
        log("mosquitto version 2.0.11 starting");
        assertThat(connections.connectedClients()).isEmpty();
        assertThat(connections.pendingAddresses()).isEmpty();
    }

    @Test
    void floodsOfConnectionsNeverHoldMoreThanTheBound() {
        for (int i = 0; i < Connections.MAX_PENDING + 100; i++) {
            log("New connection from 10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + ":1000 on port 8883.");
        }
        assertThat(connections.pendingAddresses()).hasSize(Connections.MAX_PENDING);
        assertThat(connections.pendingDropped.sum()).isEqualTo(100);
        for (int i = 0; i < Connections.MAX_CLIENTS + 10; i++) {
            connections.apply(new LogLine(LogLine.Kind.CONNECTED, 1, "c" + i, "10.0.0.1", i & 0xffff, null, 5));
        }
        assertThat(connections.connectedClients()).hasSize(Connections.MAX_CLIENTS);
        assertThat(connections.addressOf("c0")).isNull();
    }

    @Test
    void skippedLinesDropThePendingSet() {
        log("New connection from 10.0.0.5:1000 on port 8883.");
        log("New client connected from 10.0.0.5:1000 as kept (p5, c1, k60, u'a').");
        log("New connection from 10.0.0.6:1001 on port 8883.");
        connections.resetPending();
        assertThat(connections.addressOf("x")).isNull();
        assertThat(connections.addressOf("kept")).isEqualTo("10.0.0.5");
    }
}
