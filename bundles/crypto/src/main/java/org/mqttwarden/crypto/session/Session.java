package org.mqttwarden.crypto.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keys one handshake gave two parties: one per direction (a key never encrypts both ways), a session id both
 * know, and when it began. {@link #due} says when to run a new handshake; {@link #destroy} erases the keys, after
 * which nothing recorded under them can be opened by anyone, including the two parties.
 */
public final class Session {

    /** What the key id of an envelope sealed under a session starts with; ids of pre-shared keys never contain ':'. */
    public static final String KEY_ID_PREFIX = "session:";

    private final String me;
    private final String peer;
    private final byte[] id;
    private final byte[] sendKey;
    private final byte[] receiveKey;
    private final Instant started;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean destroyed;

    private Session(String me, String peer, byte[] id, byte[] sendKey, byte[] receiveKey, Instant started) {
        this.me = me;
        this.peer = peer;
        this.id = id;
        this.sendKey = sendKey;
        this.receiveKey = receiveKey;
        this.started = started;
    }

    static Session derive(String me, String peer, boolean initiator, byte[] shared, byte[] hello, byte[] reply,
            Instant now) {
        byte[] okm = Handshake.hkdf(shared, Handshake.sha256(hello, reply), 80);
        Arrays.fill(shared, (byte) 0);
        byte[] toResponder = Arrays.copyOfRange(okm, 0, 32);
        byte[] toInitiator = Arrays.copyOfRange(okm, 32, 64);
        byte[] id = Arrays.copyOfRange(okm, 64, 80);
        Arrays.fill(okm, (byte) 0);
        return initiator ? new Session(me, peer, id, toResponder, toInitiator, now)
                : new Session(me, peer, id, toInitiator, toResponder, now);
    }

    /** @return the session id, the same on both sides (16 bytes): the key id of envelopes under this session */
    public byte[] id() {
        return id.clone();
    }

    /**
     * @return the key id of envelopes sealed under this session: {@value #KEY_ID_PREFIX} and the session id in 32
     *         lowercase hex digits (ENVELOPE.md section 10)
     */
    public String keyId() {
        return KEY_ID_PREFIX + HexFormat.of().formatHex(id);
    }

    public String peer() {
        return peer;
    }

    public Instant started() {
        return started;
    }

    /** @return a copy of the key this side encrypts with (erase it after use) */
    public byte[] sendKey() {
        requireLive();
        return sendKey.clone();
    }

    /** Counts one message sealed under this session towards {@link #due}. */
    public void countSent() {
        requireLive();
        sent.incrementAndGet();
    }

    /** @return a copy of the key this side decrypts the peer's messages with */
    public byte[] receiveKey() {
        requireLive();
        return receiveKey.clone();
    }

    /** @return whether a new handshake is due: {@code maxMessages} sent under this session, or {@code maxAge} gone */
    public boolean due(long maxMessages, Duration maxAge, Instant now) {
        return destroyed || sent.get() >= maxMessages || !now.isBefore(started.plus(maxAge));
    }

    /** Erases both keys; the session can no longer be used. */
    public void destroy() {
        destroyed = true;
        Arrays.fill(sendKey, (byte) 0);
        Arrays.fill(receiveKey, (byte) 0);
    }

    public boolean destroyed() {
        return destroyed;
    }

    private void requireLive() {
        if (destroyed) {
            throw new IllegalStateException("Session " + HexFormat.of().formatHex(id) + " with " + peer
                    + " was destroyed: run a new handshake");
        }
    }

    @Override
    public String toString() {
        return "Session[" + me + " <-> " + peer + ", id=" + HexFormat.of().formatHex(id) + ", keys=***]";
    }
}
