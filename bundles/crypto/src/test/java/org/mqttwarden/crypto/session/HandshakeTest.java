package org.mqttwarden.crypto.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mqttwarden.testsupport.TestClock;

/** The handshake between a device and a gateway service, and what a man in the middle can do to it. */
class HandshakeTest {

    private final SecureRandom random = new SecureRandom();
    private final TestClock clock = new TestClock();
    private final Identity device = Identity.generate("plc-7", random);
    private final Identity gateway = Identity.generate("gateway-1", random);
    private final Identity mallory = Identity.generate("mallory", random);
    private final Peers pinned = id -> Optional.ofNullable(Map.of("plc-7", device.publicKey(), "gateway-1",
            gateway.publicKey(), "mallory", mallory.publicKey()).get(id));

    @Test
    void bothSidesDeriveTheSameKeysOnePerDirection() throws Exception {
        Handshake.Initiation start = Handshake.initiate(device, random, clock);
        Handshake.Response response = Handshake.respond(gateway, start.hello(), pinned, random, clock);
        Session mine = start.finish(response.reply(), "gateway-1", pinned);
        Session theirs = response.session();

        assertThat(mine.id()).isEqualTo(theirs.id()).hasSize(16);
        assertThat(mine.sendKey()).isEqualTo(theirs.receiveKey()).hasSize(32);
        assertThat(mine.receiveKey()).isEqualTo(theirs.sendKey());
        assertThat(mine.sendKey()).as("a key never encrypts both ways").isNotEqualTo(mine.receiveKey());
        assertThat(mine.peer()).isEqualTo("gateway-1");
        assertThat(theirs.peer()).isEqualTo("plc-7");
        assertThat(start.erased()).as("the ephemeral private key is gone").isTrue();
        assertThat(mine.toString()).doesNotContain(java.util.HexFormat.of().formatHex(mine.receiveKey()));
    }

    @Test
    void everyHandshakeGivesNewKeys() throws Exception {
        Session first = run().session();
        Session second = run().session();
        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(second.sendKey()).isNotEqualTo(first.sendKey());
    }

    private Handshake.Response run() throws Exception {
        return Handshake.respond(gateway, Handshake.initiate(device, random, clock).hello(), pinned, random, clock);
    }

    @Test
    void anEphemeralKeySwappedInTheMiddleBreaksTheSignature() throws Exception {
        Handshake.Initiation start = Handshake.initiate(device, random, clock);
        byte[] hello = start.hello();
        byte[] forged = hello.clone();
        byte[] malloryEphemeral = Handshake.initiate(mallory, random, clock).hello();
        int at = Handshake.MAGIC.length + 2 + "plc-7".length();
        int malloryAt = Handshake.MAGIC.length + 2 + "mallory".length();
        System.arraycopy(malloryEphemeral, malloryAt, forged, at, Handshake.KEY);
        assertThatThrownBy(() -> Handshake.respond(gateway, forged, pinned, random, clock))
                .isInstanceOf(HandshakeException.class).hasMessageContaining("does not verify");

        Handshake.Response response = Handshake.respond(gateway, hello, pinned, random, clock);
        byte[] reply = response.reply();
        reply[Handshake.MAGIC.length + 2 + "gateway-1".length() + 3] ^= 1;
        assertThatThrownBy(() -> start.finish(reply, "gateway-1", pinned))
                .isInstanceOf(HandshakeException.class).hasMessageContaining("does not verify");
    }

    @Test
    void everySingleFlippedBitOfAHelloIsRefused() throws Exception {
        byte[] hello = Handshake.initiate(device, random, clock).hello();
        for (int bit = 0; bit < hello.length * 8; bit++) {
            byte[] m = hello.clone();
            m[bit / 8] ^= (byte) (1 << (bit % 8));
            int b = bit;
            assertThatThrownBy(() -> Handshake.respond(gateway, m, pinned, random, clock)).as("bit %d", b)
                    .isInstanceOf(HandshakeException.class);
        }
    }

    @Test
    void aReplyFromAnotherKnownPeerOrForAnotherHelloIsRefused() throws Exception {
        Handshake.Initiation start = Handshake.initiate(device, random, clock);
        byte[] byMallory = Handshake.respond(mallory, start.hello(), pinned, random, clock).reply();
        assertThatThrownBy(() -> start.finish(byMallory, "gateway-1", pinned))
                .isInstanceOf(HandshakeException.class).hasMessageContaining("not from gateway-1");

        Handshake.Initiation other = Handshake.initiate(device, random, clock);
        byte[] forOther = Handshake.respond(gateway, other.hello(), pinned, random, clock).reply();
        Handshake.Initiation mine = Handshake.initiate(device, random, clock);
        Handshake.respond(gateway, mine.hello(), pinned, random, clock);
        assertThatThrownBy(() -> mine.finish(forOther, "gateway-1", pinned))
                .as("a reply signs the hello it answers").isInstanceOf(HandshakeException.class);
        assertThat(mine.erased()).as("a refused reply erases the ephemeral key too").isTrue();
        assertThatThrownBy(() -> mine.finish(forOther, "gateway-1", pinned)).hasMessageContaining("over");
    }

    @Test
    void anUnknownPeerAndAHelloPassedOffAsAReplyAreRefused() throws Exception {
        Identity stranger = Identity.generate("stranger", random);
        assertThatThrownBy(() -> Handshake.respond(gateway, Handshake.initiate(stranger, random, clock).hello(),
                pinned, random, clock)).hasMessageContaining("Unknown peer stranger");
        Handshake.Initiation start = Handshake.initiate(device, random, clock);
        byte[] hello = start.hello();
        assertThatThrownBy(() -> start.finish(hello, "plc-7", pinned)).hasMessageContaining("Expected a reply");
    }

    @Test
    void aLowOrderEphemeralKeyIsRefused() throws Exception {
        // a hello whose ephemeral key is the all-zero point, correctly signed by a known (compromised) identity
        byte[] id = "mallory".getBytes(StandardCharsets.UTF_8);
        byte[] body = Handshake.concat(new byte[] {Handshake.HELLO, (byte) id.length}, id, new byte[Handshake.KEY],
                new byte[Handshake.NONCE]);
        byte[] sig = mallory.sign(Handshake.concat("MQTT Warden handshake v1 hello".getBytes(StandardCharsets.US_ASCII),
                new byte[0], body));
        byte[] hello = Handshake.concat(Handshake.MAGIC, body, sig);
        assertThatThrownBy(() -> Handshake.respond(gateway, hello, pinned, random, clock))
                .hasMessageContaining("low order");
    }

    @Test
    void malformedMessagesAreRefusedWithoutExceptionsOfOtherKinds() {
        byte[][] bad = {null, new byte[0], "WHS1".getBytes(StandardCharsets.US_ASCII), "WHS2H\u0001x".getBytes(
                StandardCharsets.US_ASCII), Arrays.copyOf(Handshake.MAGIC, 200), new byte[4096]};
        for (byte[] m : bad) {
            assertThatThrownBy(() -> Handshake.respond(gateway, m, pinned, random, clock))
                    .isInstanceOf(HandshakeException.class);
        }
    }

    @Test
    void aSessionIsDueForANewHandshakeByMessagesOrAgeAndDestroyedKeysAreGone() throws Exception {
        Session s = run().session();
        assertThat(s.due(3, Duration.ofHours(1), clock.instant())).isFalse();
        s.countSent();
        s.countSent();
        s.countSent();
        assertThat(s.due(3, Duration.ofHours(1), clock.instant())).as("3 messages").isTrue();
        Session t = run().session();
        assertThat(t.due(1000, Duration.ofHours(1), clock.instant().plus(Duration.ofMinutes(59)))).isFalse();
        assertThat(t.due(1000, Duration.ofHours(1), clock.instant().plus(Duration.ofHours(1)))).isTrue();

        t.destroy();
        assertThat(t.destroyed()).isTrue();
        assertThatThrownBy(t::sendKey).isInstanceOf(IllegalStateException.class).hasMessageContaining("destroyed");
    }

    @Test
    void stealingBothIdentityKeysLaterDoesNotGiveThePastSessionKeys() throws Exception {
        // what an attacker recorded: the hello and the reply; what it steals later: both long-term private keys
        Handshake.Initiation start = Handshake.initiate(device, random, clock);
        Handshake.Response r = Handshake.respond(gateway, start.hello(), pinned, random, clock);
        Session real = start.finish(r.reply(), "gateway-1", pinned);
        // re-running the protocol with the stolen identities makes new ephemerals: other keys, never the recorded ones
        Identity stolenDevice = Identity.of("plc-7", device.privateKey());
        Identity stolenGateway = Identity.of("gateway-1", gateway.privateKey());
        Handshake.Initiation again = Handshake.initiate(stolenDevice, random, clock);
        Session redo = again.finish(Handshake.respond(stolenGateway, again.hello(), pinned, random, clock).reply(),
                "gateway-1", pinned);
        assertThat(redo.sendKey()).isNotEqualTo(real.sendKey());
        assertThat(start.erased()).isTrue();
    }
}
